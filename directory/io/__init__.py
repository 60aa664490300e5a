"""Moving data in and out of Dekat: business, interaction and area files (``dekat import``).

``formats`` reads and writes the files (CSV, GeoJSON, JSON Lines); the ``*_io`` modules
validate records and store them through the same services the API uses.
"""
