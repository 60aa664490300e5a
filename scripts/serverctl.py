"""Start and stop a real ``dekat serve`` on 127.0.0.1 for the load, crash and restore runs.

The server runs in its own process group so that a test can stop it cleanly (SIGTERM to
the group) or crash it (SIGKILL to the group, master and workers at once) without touching
any other process on the machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

HIGH_RATE_LIMITS = {
    "DEKAT_RATE_LIMIT_SUBMISSIONS_PER_HOUR": "100000000",
    "DEKAT_RATE_LIMIT_REVIEWS_PER_HOUR": "100000000",
    "DEKAT_RATE_LIMIT_MATCHES_PER_MINUTE": "100000000",
    "DEKAT_RATE_LIMIT_INTERACTIONS_PER_MINUTE": "100000000",
    "DEKAT_RATE_LIMIT_REQUESTS_PER_MINUTE": "100000000",
    "DEKAT_RATE_LIMIT_SEARCHES_PER_MINUTE": "100000000",
    "DEKAT_RATE_LIMIT_PHOTOS_PER_HOUR": "100000000",
    # The review stuffing screen: load tests play many reviewers from one address.
    "DEKAT_RATE_LIMIT_REVIEWS_PER_KEY_PER_HOUR": "100000000",
    "DEKAT_REVIEW_DAILY_CAP_PER_BUSINESS": "100000000",
    "DEKAT_REVIEW_BURST_PER_HOUR": "100000000",
    "DEKAT_REVIEW_HOLD_OTHER_KEYS": "false",
}
"""Every rate limit the app may read, set so high that load tests never meet one."""


def dekat_command() -> list[str]:
    """The ``dekat`` console script of this interpreter's environment."""
    beside = Path(sys.executable).with_name("dekat")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("dekat")
    if found:
        return [found]
    return [sys.executable, "-c", "from directory.cli import main; main()"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dekat_env(database_url: str, media_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``dekat`` child: this one, plus the database and high limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEKAT_")}
    env.update(HIGH_RATE_LIMITS)
    env.update(
        DEKAT_DATABASE_URL=database_url,
        DEKAT_MEDIA_DIR=str(media_dir),
        DEKAT_DEMO_COUNT="0",
        DEKAT_GEOCODER="off",
    )
    env.update(extra)
    return env


@dataclass
class Server:
    """A running ``dekat serve``; ``base_url`` is where it answers."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def terminate(self, timeout_s: float = 20.0) -> None:
        """Graceful stop: SIGTERM to the group, SIGKILL if it lingers."""
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Crash: SIGKILL to the master and every worker at once."""
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reap_group()

    def _signal(self, sig: signal.Signals) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def _reap_group(self) -> None:
        """Workers whose master died are killed with it; wait until none is left."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's output, for a failure message."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Poll ``/healthz`` until it answers 200 (or the process exits, or time runs out)."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dekat serve exited with {process.returncode}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"dekat serve did not answer on {base_url} within {timeout_s:.0f} s")


def start_server(
    database_url: str,
    work_dir: Path,
    *,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    ready_timeout_s: float = 90.0,
) -> Server:
    """Start ``dekat serve --workers N --no-demo`` on a free port and wait until it is ready."""
    port = free_port()
    log_path = work_dir / f"server-{port}.log"
    child_env = dict(env) if env is not None else dekat_env(database_url, work_dir / "media")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *dekat_command(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-demo",
            ],
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(process=process, base_url=f"http://127.0.0.1:{port}", log_path=log_path)
    try:
        wait_ready(server.base_url, process, ready_timeout_s)
    except BaseException:
        server.kill()
        raise
    return server


@contextmanager
def running_server(
    database_url: str,
    work_dir: Path,
    *,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """``start_server`` as a context manager that always stops the server."""
    server = start_server(database_url, work_dir, workers=workers, env=env)
    try:
        yield server
    finally:
        server.terminate()


def exit_on_sigterm() -> None:
    """Make SIGTERM raise SystemExit in the main thread, so that a harness stopped with
    ``kill PID`` still stops the servers it started and drops its scratch databases."""

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
