"""Search internals: spatial and text indexes, ranking, cursors and the query executor.

Callers use :mod:`directory.services.search` (reads) and
:mod:`directory.services.indexing` (index maintenance); the modules here are its parts.
See ``docs/search.md`` for the design, the relevance formula and the measurements.
"""
