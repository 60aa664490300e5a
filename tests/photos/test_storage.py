"""Photo stores: URL parsing, the file and S3 stores, and the API on an S3 bucket.

The S3 store runs against moto's server on 127.0.0.1 (``tests/s3server.py``): real HTTP,
real signatures, a fresh bucket per test.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.media_locations import FileLocation, S3Location, parse_media_url
from directory.models import Photo
from directory.photos.storage import (
    FileStore,
    MissingObject,
    PhotoStore,
    S3Credentials,
    open_store,
    photo_store,
)
from directory.settings import Settings
from tests.moderation_helpers import approve, bearer, image_bytes, make_admin, submit
from tests.s3server import S3Server

NAME = "0123456789abcdef0123456789abcdef.jpg"
THUMB = "0123456789abcdef0123456789abcdef_t.jpg"


# --- URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///srv/dekat/media", FileLocation(Path("/srv/dekat/media"))),
        ("file://localhost/srv/media", FileLocation(Path("/srv/media"))),
        ("file:///srv/with%20space", FileLocation(Path("/srv/with space"))),
        ("s3://dekat-photos", S3Location("dekat-photos")),
        ("s3://dekat-photos/", S3Location("dekat-photos")),
        ("s3://dekat.photos/prod/site-1/", S3Location("dekat.photos", "prod/site-1")),
        ("S3://dekat-photos/p", S3Location("dekat-photos", "p")),
    ],
)
def test_media_urls_parse(url: str, expected: object) -> None:
    assert parse_media_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/x", "unsupported media URL scheme"),
        ("/srv/media", "unsupported media URL scheme"),
        ("file://otherhost/srv", "folder on this machine"),
        ("file:relative/dir", "absolute path"),
        ("s3://UPPER/x", "not a bucket name"),
        ("s3://ab", "not a bucket name"),
        ("s3://a..b/x", "not a bucket name"),
        ("s3://bucket/../escape", "key prefix segment '..'"),
        ("s3://bucket/a b", "key prefix segment 'a b'"),
        ("s3://bucket/x?versionId=1", "no ?query"),
    ],
)
def test_bad_media_urls_say_why(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?")):
        parse_media_url(url)


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_with_a_value_error(text: str) -> None:
    try:
        location = parse_media_url(text)
    except ValueError:
        return
    assert parse_media_url(location.url) == location


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)


@given(
    st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,20}[a-z0-9]\Z"),
    st.lists(_segment, max_size=4),
)
def test_s3_urls_round_trip(bucket: str, segments: list[str]) -> None:
    location = parse_media_url(f"s3://{bucket}/{'/'.join(segments)}")
    assert location == S3Location(bucket, "/".join(segments))
    assert parse_media_url(location.url) == location


def test_settings_refuse_a_bad_media_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEKAT_MEDIA_URL", "ftp://files.example/photos")
    with pytest.raises(ValidationError, match="unsupported media URL scheme"):
        Settings()


def test_no_media_url_keeps_the_media_dir(tmp_path: Path) -> None:
    store = photo_store(Settings(media_dir=tmp_path / "m"))
    assert isinstance(store, FileStore)
    assert store.folder == tmp_path / "m" / "photos"


def test_a_file_url_is_the_same_layout_as_the_media_dir(tmp_path: Path) -> None:
    store = photo_store(Settings(media_dir=tmp_path / "unused", media_url=tmp_path.as_uri()))
    assert isinstance(store, FileStore)
    store.put(NAME, b"jpeg bytes", "image/jpeg")
    assert (tmp_path / "photos" / NAME).read_bytes() == b"jpeg bytes"
    assert not (tmp_path / "unused").exists()


# --- the store contract, on both stores ---------------------------------------------


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStore:
    if request.param == "file":
        return open_store(FileLocation(tmp_path / "media"))
    s3: S3Server = request.getfixturevalue("s3_server")
    credentials = S3Credentials(**_credentials(s3))
    return open_store(S3Location(s3.new_bucket(), "tenant/a"), credentials)


def _credentials(s3: S3Server) -> dict[str, str]:
    fields = s3.settings_fields()
    return {
        "endpoint_url": fields["s3_endpoint_url"],
        "region": fields["s3_region"],
        "access_key_id": fields["s3_access_key_id"],
        "secret_access_key": fields["s3_secret_access_key"],
    }


def test_store_put_get_stat_list_delete(store: PhotoStore) -> None:
    assert store.stat(NAME) is None
    with pytest.raises(MissingObject):
        store.get(NAME)
    data = image_bytes()
    store.put(NAME, data, "image/jpeg")
    store.put(THUMB, b"thumb", "image/jpeg")
    assert store.get(NAME) == data
    info = store.stat(NAME)
    assert info is not None
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert sorted(store.names()) == [NAME, THUMB]
    store.put(NAME, b"replaced", "image/jpeg")  # a whole new object, never a mix
    assert store.get(NAME) == b"replaced"
    store.delete(NAME)
    store.delete(NAME)  # already gone: fine
    assert store.stat(NAME) is None
    assert list(store.names()) == [THUMB]


@pytest.mark.parametrize("bad", ["../x.jpg", "a.jpg", "0" * 32 + ".exe", "/" + NAME])
def test_store_refuses_names_it_did_not_make(store: PhotoStore, bad: str) -> None:
    for call in (
        lambda: store.put(bad, b"x", "image/jpeg"),
        lambda: store.get(bad),
        lambda: store.delete(bad),
    ):
        with pytest.raises(ValueError, match="not a photo file name"):
            call()


def test_s3_prefixes_keep_stores_apart(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    credentials = S3Credentials(**_credentials(s3_server))
    first = open_store(S3Location(bucket, "site-a"), credentials)
    second = open_store(S3Location(bucket, "site-b"), credentials)
    first.put(NAME, b"a", "image/jpeg")
    s3_server.client().put_object(Bucket=bucket, Key="site-a/photos/README.txt", Body=b"x")
    assert list(first.names()) == [NAME]
    assert list(second.names()) == []
    assert second.stat(NAME) is None
    assert s3_server.keys(bucket) == [f"site-a/photos/{NAME}", "site-a/photos/README.txt"]


# --- the API on an S3 store -----------------------------------------------------------


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, s3_server: S3Server, bucket: str) -> Settings:
    """This module's app stores photos in a fresh bucket under the prefix ``site``."""
    return Settings(
        database_url=db_url,
        media_dir=tmp_path / "media",
        media_url=f"s3://{bucket}/site",
        demo_count=0,
        geocoder="off",
        **s3_server.settings_fields(),  # type: ignore[arg-type]
    )


@pytest.fixture
def owned(client: TestClient, sessions: sessionmaker[Session]) -> tuple[str, str, int]:
    admin = make_admin(sessions)
    sub = submit(client)
    return admin, sub["edit_token"], approve(client, admin, sub["id"])["business_id"]


def _upload(client: TestClient, url: str, token: str, data: bytes) -> Any:
    return client.post(url, files={"file": ("f.jpg", data, "image/jpeg")}, headers=bearer(token))


def _owner_url(business_id: int) -> str:
    return f"/api/v1/owner/businesses/{business_id}/photos"


def _object(s3: S3Server, bucket: str, key: str) -> bytes:
    return bytes(s3.client().get_object(Bucket=bucket, Key=key)["Body"].read())


def test_photos_go_to_the_bucket_and_are_served_as_before(
    client: TestClient,
    owned: tuple[str, str, int],
    s3_server: S3Server,
    bucket: str,
    settings: Settings,
    sessions: sessionmaker[Session],
) -> None:
    _, token, business_id = owned
    response = _upload(client, _owner_url(business_id), token, image_bytes(size=(900, 600)))
    assert response.status_code == 201, response.text
    photo = response.json()
    with sessions() as session:
        row = session.get(Photo, photo["id"])
        assert row is not None
        names = (row.file_name, row.thumb_name)
    assert s3_server.keys(bucket) == sorted(f"site/photos/{n}" for n in names)
    assert not settings.media_dir.exists()  # nothing on the local disk

    assert s3_server.endpoint_url not in client.get("/").headers["content-security-policy"]
    served = client.get(photo["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "public, no-cache"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "default-src 'none'"
    assert served.headers["content-disposition"] == "inline"
    assert served.content == _object(s3_server, bucket, f"site/photos/{names[0]}")
    assert Image.open(io.BytesIO(served.content)).size == (900, 600)
    thumb = client.get(photo["thumbnail_url"])
    assert thumb.status_code == 200
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 400

    deleted = client.delete(f"{_owner_url(business_id)}/{photo['id']}", headers=bearer(token))
    assert deleted.status_code == 204
    assert s3_server.keys(bucket) == []
    assert client.get(photo["url"]).status_code == 404


def test_refused_upload_leaves_no_object(
    client: TestClient, owned: tuple[str, str, int], s3_server: S3Server, bucket: str
) -> None:
    _, token, business_id = owned
    for _ in range(5):
        assert _upload(client, _owner_url(business_id), token, image_bytes()).status_code == 201
    sixth = _upload(client, _owner_url(business_id), token, image_bytes())
    assert sixth.status_code == 409
    assert len(s3_server.keys(bucket)) == 10  # five photos and five thumbnails, no more


def test_rejected_submission_objects_are_removed(
    client: TestClient, sessions: sessionmaker[Session], s3_server: S3Server, bucket: str
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    url = f"/api/v1/submissions/{sub['id']}/photos"
    photo = _upload(client, url, sub["edit_token"], image_bytes()).json()
    assert len(s3_server.keys(bucket)) == 2
    pending = client.get(f"/api/v1/admin/photos/{photo['id']}", headers=bearer(admin))
    assert pending.status_code == 200
    assert pending.headers["cache-control"] == "private, no-store"
    rejected = client.post(
        f"/api/v1/admin/submissions/{sub['id']}/reject",
        json={"reason": "foto tidak pantas"},
        headers=bearer(admin),
    )
    assert rejected.status_code == 200
    assert s3_server.keys(bucket) == []


def test_hidden_photo_objects_are_removed(
    client: TestClient, owned: tuple[str, str, int], s3_server: S3Server, bucket: str
) -> None:
    admin, token, business_id = owned
    photo = _upload(client, _owner_url(business_id), token, image_bytes()).json()
    assert len(s3_server.keys(bucket)) == 2
    hidden = client.post(f"/api/v1/admin/photos/{photo['id']}/hide", headers=bearer(admin))
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    assert s3_server.keys(bucket) == []
    assert client.get(photo["url"]).status_code == 404
    assert client.get(photo["thumbnail_url"]).status_code == 404


@pytest.fixture
def signed_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"media_signed_urls": True}))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def test_signed_urls_redirect_to_the_store(
    signed_client: TestClient,
    owned: tuple[str, str, int],
    sessions: sessionmaker[Session],
    s3_server: S3Server,
) -> None:
    admin, token, business_id = owned
    photo = _upload(signed_client, _owner_url(business_id), token, image_bytes()).json()
    answer = signed_client.get(photo["url"], follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["cache-control"] == "public, max-age=150"
    location = answer.headers["location"]
    assert location.startswith(s3_server.endpoint_url + "/")
    assert "X-Amz-Expires=300" in location
    assert "X-Amz-Signature=" in location
    fetched = httpx.get(location, timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/jpeg"
    assert fetched.headers["cache-control"] == "public, no-cache"
    with sessions() as session:
        row = session.get(Photo, photo["id"])
        assert row is not None
        key = f"site/photos/{row.file_name}"
    assert fetched.content == _object(s3_server, location.split("/")[3], key)
    # The pages let images come from the store the photo links redirect to.
    csp = signed_client.get("/").headers["content-security-policy"]
    img_src = next(d for d in csp.split("; ") if d.startswith("img-src "))
    assert img_src.endswith(f" {s3_server.endpoint_url}")
    # Editors' views of private photos never leave the app.
    private = signed_client.get(f"/api/v1/admin/photos/{photo['id']}", headers=bearer(admin))
    assert private.status_code == 200
    assert private.headers["content-type"] == "image/jpeg"


@pytest.fixture
def unreachable_settings(db_url: str, tmp_path: Path, s3_server: S3Server) -> Settings:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fields = {**s3_server.settings_fields(), "s3_endpoint_url": f"http://127.0.0.1:{port}"}
    return Settings(
        database_url=db_url,
        media_dir=tmp_path / "media",
        media_url="s3://no-such-place/x",
        demo_count=0,
        **fields,  # type: ignore[arg-type]
    )


def test_an_unreachable_store_answers_503_and_records_nothing(
    unreachable_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    app = create_app(unreachable_settings)
    try:
        with TestClient(app) as c:
            sub = submit(c)
            url = f"/api/v1/submissions/{sub['id']}/photos"
            answer = _upload(c, url, sub["edit_token"], image_bytes())
    finally:
        app.state.engine.dispose()
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert "Photo storage" in answer.json()["detail"]
    with sessions() as session:
        assert session.query(Photo).count() == 0
