"""Search internals: spatial and text indexes, ranking, cursors and the query executor.

Callers use :mod:`directory.search.service` (reads) and
:mod:`directory.search.indexing` (index maintenance); the modules here are its parts.
See ``docs/search.md`` for the design, the relevance formula and the measurements.
"""
