"""Offline evaluations behind ``dekat eval search`` and ``dekat eval nextpoi``."""
