"""The HTTP layer under /api/v1: shared dependencies, problems, limits, docs, read shapes."""
