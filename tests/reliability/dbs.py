"""A database shared by one test module (copied from the session's migrated template).

Most tests get a fresh database each (``tests/conftest.py``); the fuzzing and hostile
input sweeps run dozens of parametrized cases that only read or add rows, and on
PostgreSQL a ``CREATE DATABASE`` per case would cost more than the cases themselves.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _pg_admin


@contextmanager
def database_from_template(template_db: str, work_dir: Path) -> Iterator[str]:
    """A new database cloned from the template; dropped (or deleted) afterwards."""
    if PG_URL is None:
        target = work_dir / f"shared-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template_db, target)
        yield f"sqlite:///{target}"
        return
    name = f"dekat_m_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
