"""Buyer inquiries: a buyer asks a business, its owner answers; see docs/owners.md."""
