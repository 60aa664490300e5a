"""The ``dekat`` command line: one entry point, sub-commands registered per feature."""

from __future__ import annotations

from directory.cli.main import app, main

__all__ = ["app", "main"]
