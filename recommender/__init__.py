"""Dekat recommender: a pure ranking library (no database, no web layer)."""
