"""Routers: parse, call a service, return a schema."""
