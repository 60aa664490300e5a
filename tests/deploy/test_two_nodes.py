"""Two ``dekat serve`` nodes behave as one site.

The layout of ``docs/deploy.md`` (multi-machine section), shrunk onto 127.0.0.1: a
round-robin reverse proxy in front of two app nodes, each a real ``dekat serve`` process
with its own (empty, unused) local media folder, sharing one PostgreSQL database made for
this module and one S3-compatible object store (moto's server). Checked:

* a submission with a photo sent through node A (the web form, CSRF token from node B) is
  moderated through node B, and its photo is served by A, by B and through the proxy;
* CSRF tokens a node hands out are accepted by the other node, and forged ones by neither;
* a rate limit counts requests on both nodes together;
* the recommender model refreshed with node A's configuration is used by node B.

Clients use their own loopback source address (127.0.0.x) so that each test is a different
client for the per-client rate limits, also through the proxy.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import PG_URL, _pg_admin
from tests.deploy.proxy import UPSTREAM_HEADER, RoundRobinProxy
from tests.factories import BSD, key_headers, make_api_key, make_business
from tests.moderation_helpers import VALID, image_bytes
from tests.reliability.loader import load_script
from tests.s3server import S3Server

pytestmark = [pytest.mark.postgres_only, pytest.mark.timeout(420)]

serverctl = load_script("serverctl")

SUBMISSION_LIMIT = 3


def cluster_settings(s3: S3Server, bucket: str) -> dict[str, str]:
    """Settings that must be EQUAL on every node, as ``DEKAT_*`` environment variables.

    The one place to adjust when a setting joins that list (docs/deploy.md keeps the same
    list): a server secret that signs CSRF tokens and sessions, allowed host names, trusted
    proxy addresses. The database URL is added by the fixture.
    """
    return {
        "DEKAT_MEDIA_URL": f"s3://{bucket}/site",
        **s3.env(),
        # The proxy (on 127.0.0.1) appends the client's address to X-Forwarded-For; nodes
        # believe it from that peer only.
        "DEKAT_TRUSTED_PROXIES": "127.0.0.1",
        # One server secret: a CSRF token signed by one node is checked by the other.
        "DEKAT_SECRET_KEY": "two-nodes-test-secret-0123456789abcdef",
        "DEKAT_RATE_LIMIT_SUBMISSIONS_PER_HOUR": str(SUBMISSION_LIMIT),
        "DEKAT_TIMEZONE": "Asia/Jakarta",
    }


@dataclass
class Cluster:
    node_a: str
    node_b: str
    proxy: RoundRobinProxy
    env: dict[str, str]
    database_url: str
    s3: S3Server
    bucket: str
    admin_token: str
    media_dirs: list[Path]

    def dekat(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A ``dekat`` command run with the nodes' configuration (as on node A's machine)."""
        return subprocess.run(
            [*serverctl.dekat_command(), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _make_database(template: str) -> str:
    assert PG_URL
    name = f"dekat_2n_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    name = make_url(url).database
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(
    template_db: str, s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Database, bucket, two nodes and the proxy; everything stopped and dropped after."""
    work = tmp_path_factory.mktemp("two-nodes")
    database_url = _make_database(template_db)
    bucket = s3_server.new_bucket()
    shared = cluster_settings(s3_server, bucket)
    servers: list[Any] = []
    proxy: RoundRobinProxy | None = None
    try:
        media_dirs = []
        for label in ("a", "b"):
            media = work / f"media-{label}"  # must stay empty: photos live in the bucket
            media_dirs.append(media)
            env = serverctl.dekat_env(database_url, media, **shared)
            node_dir = work / label
            node_dir.mkdir()
            servers.append(serverctl.start_server(database_url, node_dir, workers=1, env=env))
        proxy = RoundRobinProxy([("a", servers[0].base_url), ("b", servers[1].base_url)]).start()
        env = serverctl.dekat_env(database_url, media_dirs[0], **shared)
        made = subprocess.run(
            [*serverctl.dekat_command(), "admin", "create-token", "editor-two-nodes"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        yield Cluster(
            node_a=servers[0].base_url,
            node_b=servers[1].base_url,
            proxy=proxy,
            env=env,
            database_url=database_url,
            s3=s3_server,
            bucket=bucket,
            admin_token=made.stdout.strip(),
            media_dirs=media_dirs,
        )
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.terminate()
        _drop_database(database_url)


def client_from(address: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (a 127.0.0.x loopback)."""
    return httpx.Client(
        transport=httpx.HTTPTransport(local_address=address),
        timeout=30.0,
        follow_redirects=False,
    )


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def form(name: str) -> dict[str, str]:
    return {
        "name": name,
        "category": str(VALID["category"]),
        "lat": str(VALID["lat"]),
        "lon": str(VALID["lon"]),
        "address": str(VALID["address"]),
        "opening_hours": str(VALID["opening_hours"]),
        "confirm_new": "1",
    }


def test_submitted_on_a_moderated_on_b_photo_served_by_both(cluster: Cluster) -> None:
    name = f"Kedai Dua Simpul {uuid.uuid4().hex[:6]}"
    photo = image_bytes(size=(640, 480))
    with client_from("127.0.0.11") as browser:
        page = browser.get(f"{cluster.node_b}/daftar")  # the form comes from node B ...
        assert page.status_code == 200
        token = csrf_token(page.text)
        sent = browser.post(  # ... and is sent to node A
            f"{cluster.node_a}/daftar",
            data={"csrf_token": token, **form(name)},
            files={"foto": ("kedai.jpg", photo, "image/jpeg")},
        )
        assert sent.status_code == 303, sent.text[:500]
        receipt = browser.get(f"{cluster.node_b}{sent.headers['location']}")
        assert receipt.status_code == 200
        found = re.search(r"/pemilik/([^?#\"]+)#token=", receipt.text)
        assert found, receipt.text[:1000]
        submission_id = found.group(1)

    with client_from("127.0.0.12") as editor:
        queue = editor.get(
            f"{cluster.node_b}/api/v1/admin/submissions", headers=bearer(cluster.admin_token)
        )
        assert queue.status_code == 200, queue.text
        mine = [s for s in queue.json()["items"] if s["id"] == submission_id]
        assert len(mine) == 1
        assert mine[0]["fields"]["name"] == name
        (photo_id,) = mine[0]["photo_ids"]
        for node in (cluster.node_a, cluster.node_b):  # editors see the pending photo anywhere
            pending = editor.get(
                f"{node}/api/v1/admin/photos/{photo_id}", headers=bearer(cluster.admin_token)
            )
            assert pending.status_code == 200
            assert pending.headers["content-type"] == "image/jpeg"
        approved = editor.post(
            f"{cluster.node_b}/api/v1/admin/submissions/{submission_id}/approve",
            headers=bearer(cluster.admin_token),
        )
        assert approved.status_code == 200, approved.text
        business_id = approved.json()["business_id"]

        served: list[bytes] = []
        for node in (cluster.node_a, cluster.node_b):
            listed = editor.get(f"{node}/api/v1/businesses/{business_id}/photos")
            assert [p["id"] for p in listed.json()["items"]] == [photo_id]
            got = editor.get(f"{node}/api/v1/photos/{photo_id}")
            assert got.status_code == 200
            assert got.headers["content-type"] == "image/jpeg"
            assert got.headers["cache-control"] == "public, no-cache"
            assert got.headers["x-content-type-options"] == "nosniff"
            served.append(got.content)
        through_proxy = [editor.get(f"{cluster.proxy.url}/api/v1/photos/{photo_id}") for _ in "ab"]
        assert {r.headers[UPSTREAM_HEADER] for r in through_proxy} == {"a", "b"}
        assert all(r.status_code == 200 for r in through_proxy)
        served += [r.content for r in through_proxy]
    assert len(set(served)) == 1
    assert len(cluster.s3.keys(cluster.bucket)) == 2  # the photo and its thumbnail
    for media in cluster.media_dirs:
        assert not any(media.rglob("*.jpg")), f"a node wrote a photo to its own disk: {media}"


def test_csrf_tokens_work_on_either_node_and_forged_ones_on_neither(cluster: Cluster) -> None:
    with client_from("127.0.0.21") as browser:
        token = csrf_token(browser.get(f"{cluster.proxy.url}/daftar").text)
        for node in (cluster.node_a, cluster.node_b):
            forged = browser.post(
                f"{node}/daftar", data={"csrf_token": "0" * len(token), **form("Palsu")}
            )
            assert forged.status_code == 403
        # Through the proxy: the form and the post land on different nodes.
        page = browser.get(f"{cluster.proxy.url}/daftar")
        sent = browser.post(
            f"{cluster.proxy.url}/daftar",
            data={
                "csrf_token": csrf_token(page.text),
                **form(f"Lewat Proxy {uuid.uuid4().hex[:6]}"),
            },
        )
        assert page.headers[UPSTREAM_HEADER] != sent.headers[UPSTREAM_HEADER]
        assert sent.status_code == 303, sent.text[:500]
    with client_from("127.0.0.22") as stranger:  # another browser's cookie-less post
        refused = stranger.post(
            f"{cluster.node_b}/daftar", data={"csrf_token": token, **form("Tanpa Kuki")}
        )
        assert refused.status_code == 403


def test_rate_limit_counts_both_nodes_together(cluster: Cluster) -> None:
    body = {k: v for k, v in VALID.items() if k != "contact_email"}
    answers: list[httpx.Response] = []
    with client_from("127.0.0.31") as client:
        for i in range(SUBMISSION_LIMIT + 2):
            answers.append(
                client.post(
                    f"{cluster.proxy.url}/api/v1/submissions",
                    json={**body, "name": f"Warung Antre {i} {uuid.uuid4().hex[:4]}"},
                )
            )
    codes = [r.status_code for r in answers]
    assert codes == [201] * SUBMISSION_LIMIT + [429, 429], codes
    assert {r.headers[UPSTREAM_HEADER] for r in answers[:SUBMISSION_LIMIT]} == {"a", "b"}
    assert {r.headers[UPSTREAM_HEADER] for r in answers[SUBMISSION_LIMIT:]} == {"a", "b"}
    assert all(int(r.headers["retry-after"]) > 0 for r in answers[SUBMISSION_LIMIT:])
    with client_from("127.0.0.32") as other:  # another client still has its allowance
        assert (
            other.post(
                f"{cluster.node_b}/api/v1/submissions", json={**body, "name": "Warung Lain"}
            ).status_code
            == 201
        )


def _wait_for(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def test_model_refreshed_with_node_a_is_used_by_node_b(cluster: Cluster) -> None:
    engine = create_engine(cluster.database_url)
    try:
        with Session(engine) as session:
            here = make_business(session, name="Kopi Titik Satu", lat=BSD[0], lon=BSD[1])
            there = make_business(session, name="Roti Titik Dua", lat=BSD[0] + 0.003, lon=BSD[1])
            ids = (here.id, there.id)
            writer = key_headers(make_api_key(session, name="two-nodes-writer"))
    finally:
        engine.dispose()
    now = datetime.now(UTC)
    items = []
    for u in range(12):
        for d in range(3):
            t = now - timedelta(days=d + 1, hours=u % 5)
            for offset, business_id in enumerate(ids):
                at = (t + timedelta(hours=offset)).isoformat()
                items.append(
                    {"user_id": f"u{u}", "business_id": business_id, "kind": "visit", "at": at}
                )
    params: dict[str, str | float] = {
        "lat": BSD[0],
        "lon": BSD[1],
        "user_id": "u1",
        "at": now.isoformat(),
    }
    with client_from("127.0.0.41") as client:
        stored = client.post(
            f"{cluster.node_a}/api/v1/interactions", json={"items": items}, headers=writer
        )
        assert stored.status_code == 201, stored.text

        def fitted(node: str) -> bool:
            answer = client.get(f"{node}/api/v1/recommendations", params=params)
            assert answer.status_code == 200, answer.text
            return bool(answer.json()["model_fitted"])

        assert not fitted(cluster.node_b)
        refreshed = cluster.dekat("recommender", "refresh")
        assert refreshed.returncode == 0, refreshed.stderr
        assert f"{len(items):,} interactions" in refreshed.stderr
        # Each node looks for a newer model every few seconds (model_store.CHECK_EVERY_S).
        assert _wait_for(lambda: fitted(cluster.node_b), timeout_s=30)
        assert _wait_for(lambda: fitted(cluster.node_a), timeout_s=30)
        rankings = [
            client.get(f"{node}/api/v1/recommendations", params=params).json()["items"]
            for node in (cluster.node_a, cluster.node_b)
        ]
    assert rankings[0] == rankings[1]
    assert {item["business"]["id"] for item in rankings[0]} >= set(ids)
