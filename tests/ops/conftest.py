"""Operations tests: PostgreSQL clusters of their own, replicas, outages.

``@pytest.mark.postgres_only`` tests are skipped on the SQLite run (they run in the
PostgreSQL run of ``scripts/test``). A missing prerequisite (server binaries, root or the
postgres user, a local primary) skips the test, or fails it when DEKAT_REQUIRE_POSTGRES=1
as in CI, so that CI cannot go green without having exercised the machinery.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, backend_name

REQUIRE_POSTGRES = os.environ.get("DEKAT_REQUIRE_POSTGRES", "0") == "1"
REPO = Path(__file__).resolve().parents[2]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip PostgreSQL-only tests on the SQLite run."""
    if item.get_closest_marker("postgres_only") and backend_name() != "postgresql":
        pytest.skip("needs the PostgreSQL backend (runs in the PostgreSQL pass)")


def missing(reason: str) -> NoReturn:
    """A prerequisite is missing: fail under DEKAT_REQUIRE_POSTGRES=1, else skip."""
    if REQUIRE_POSTGRES:
        pytest.fail(f"prerequisite missing with DEKAT_REQUIRE_POSTGRES=1: {reason}")
    pytest.skip(reason)


def pg_bindir() -> Path:
    """The directory holding initdb/pg_ctl/pg_basebackup for the installed server."""
    configured = os.environ.get("DEKAT_PG_BINDIR")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "pg_ctl").is_file() and (path / "initdb").is_file():
            return path
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    missing("PostgreSQL server binaries (initdb, pg_ctl) not found")


def as_postgres(argv: list[str]) -> list[str]:
    """Server binaries refuse to run as root: run them as the postgres user."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("runuser") is None:
        missing("running as root without runuser")
    return ["runuser", "-u", "postgres", "--", *argv]


def free_port(start: int = 54330, stop: int = 54400) -> int:
    """A local TCP port nothing listens on, from the 54330+ range."""
    for port in range(start, stop):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    missing(f"no free port in {start}..{stop}")


def local_primary() -> tuple[str, int]:
    """Host and port of the test primary; replicas need it on this machine."""
    if not PG_URL:
        missing("DEKAT_TEST_DATABASE_URL is not set")
    url = make_url(PG_URL)
    host = url.host or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost"):
        missing(f"the test primary {host} is not local")
    return host, url.port or 5432


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster of our own, on its own port and directory."""

    bindir: Path
    datadir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        log = self.datadir / "server.log"
        argv = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(log)]
        subprocess.run(
            as_postgres([*argv, "-w", "-t", "60", *args]), check=True, capture_output=True
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()


def pg_owned_tempdir(prefix: str) -> Path:
    """A new directory the postgres user owns (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


@pytest.fixture
def throwaway_cluster() -> Iterator[Cluster]:
    """A fresh cluster we may stop and start at will; never the shared 5432 server."""
    bindir = pg_bindir()
    root = pg_owned_tempdir("dekat-pg-")
    datadir = root / "data"
    cluster = Cluster(bindir=bindir, datadir=datadir, port=free_port(54400, 54500))
    try:
        initdb = [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust"]
        options = ["--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
        subprocess.run(as_postgres([*initdb, *options]), check=True, capture_output=True)
        conf = (
            f"port = {cluster.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nshared_buffers = 16MB\nmax_connections = 30\n"
            "fsync = off\n"
        )
        with (datadir / "postgresql.conf").open("a") as fh:
            fh.write(conf)
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            try:
                cluster.stop()
            except subprocess.CalledProcessError:
                argv = [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"]
                subprocess.run(as_postgres(argv), check=False)
        shutil.rmtree(root, ignore_errors=True)


def wait_until(
    predicate: Callable[[], object], *, timeout_s: float = 20.0, every_s: float = 0.1
) -> bool:
    """Poll ``predicate()`` until it is truthy or the timeout passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # the thing polled may not be up yet
            pass
        time.sleep(every_s)
    return bool(predicate())
