"""Dekat directory: business profiles, areas, search, submissions, API, pages and CLI."""

__version__ = "0.1.0"
