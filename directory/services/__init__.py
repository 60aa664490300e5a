"""Business rules as plain functions: each public call is one transaction's worth of work."""
