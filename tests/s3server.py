"""A local S3-compatible server for the suite: moto's server mode on 127.0.0.1.

One server per test run (``s3_server``, session-scoped); each test that needs a store makes
its own bucket (``S3Server.new_bucket``), so tests never see each other's objects. Nothing
leaves the machine: the endpoint is ``http://127.0.0.1:<free port>`` and the keys are
dummies moto accepts.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "us-east-1"
ACCESS_KEY_ID = "dekat-test-key"
SECRET_ACCESS_KEY = "dekat-test-secret"  # noqa: S105 - moto accepts any key


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class S3Server:
    """Where the test server answers, and helpers to use it."""

    endpoint_url: str

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def new_bucket(self) -> str:
        name = f"dekat-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        response = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in response.get("Contents", []))

    def settings_fields(self) -> dict[str, str]:
        """``Settings(...)`` keyword arguments that point the app at this server."""
        return {
            "s3_endpoint_url": self.endpoint_url,
            "s3_region": REGION,
            "s3_access_key_id": ACCESS_KEY_ID,
            "s3_secret_access_key": SECRET_ACCESS_KEY,
        }

    def env(self) -> dict[str, str]:
        """The same as ``DEKAT_*`` variables, for ``dekat`` child processes."""
        return {f"DEKAT_{k.upper()}": v for k, v in self.settings_fields().items()}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 and a free port, for the whole run."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    found = S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while True:
        try:
            found.client().list_buckets()
            break
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
    try:
        yield found
    finally:
        server.stop()
