"""Deployment tests: several ``dekat serve`` nodes sharing one database and one object store.

``@pytest.mark.postgres_only`` tests are skipped on the SQLite run (several app machines
need a database server; they run in the PostgreSQL pass of ``scripts/test``).
"""

from __future__ import annotations

import pytest

from tests.conftest import backend_name


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip PostgreSQL-only tests on the SQLite run."""
    if item.get_closest_marker("postgres_only") and backend_name() != "postgresql":
        pytest.skip("needs the PostgreSQL backend (runs in the PostgreSQL pass)")
