"""Businesses: reading, validating, writing and showing a listing; duplicate matching."""
