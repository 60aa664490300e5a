"""Search: the engine (spatial and text indexes, ranking, cursors, the executor) and its API.

Other packages call :mod:`directory.search.service` (reads) and
:mod:`directory.search.indexing` (index upkeep); ``router.py`` serves ``GET /businesses``
and ``GET /autocomplete``. See ``docs/search.md`` for the design and the relevance formula.
"""
