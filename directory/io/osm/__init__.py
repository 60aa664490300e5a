"""``dekat import osm``: points of interest from OpenStreetMap files (see docs/import-export.md)."""
