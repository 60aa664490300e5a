"""Photos: re-encoded without EXIF, thumbnails, limits, fakes refused, correct content types."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from directory.models import Photo
from directory.photos.images import THUMB_SIDE_PX, process_photo
from directory.settings import Settings
from tests.moderation_helpers import approve, bearer, image_bytes, make_admin, submit

GPS_IFD = 0x8825


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 80), (10, 200, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x0110] = "Model X"
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 18.0, 5.76), 3: "E", 4: (106.0, 39.0, 9.72)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"rumah saya")
    return out.getvalue()


def _upload(
    client: TestClient, url: str, token: str | None, data: bytes, name: str = "foto.jpg",
    content_type: str = "image/jpeg",
) -> Any:  # fmt: skip
    headers = bearer(token) if token else {}
    return client.post(url, files={"file": (name, data, content_type)}, headers=headers)


@pytest.fixture
def owned(client: TestClient, sessions: sessionmaker[Session]) -> tuple[str, str, int]:
    admin = make_admin(sessions)
    sub = submit(client)
    return admin, sub["edit_token"], approve(client, admin, sub["id"])["business_id"]


def _owner_url(business_id: int) -> str:
    return f"/api/v1/owner/businesses/{business_id}/photos"


def test_exif_and_location_are_stripped(
    client: TestClient, owned: tuple[str, str, int], settings: Settings
) -> None:
    _, token, business_id = owned
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the input has GPS
    response = _upload(client, _owner_url(business_id), token, original)
    assert response.status_code == 201, response.text
    photo = response.json()
    assert photo["content_type"] == "image/jpeg"
    assert (photo["width"], photo["height"]) == (120, 80)
    served = client.get(photo["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    stored = Image.open(io.BytesIO(served.content))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    for secret in (b"KameraRahasia", b"Model X", b"rumah saya", b"Exif"):
        assert secret not in served.content
    thumb = client.get(photo["thumbnail_url"])
    assert thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= THUMB_SIDE_PX
    files = sorted(p.name for p in (settings.media_dir / "photos").iterdir())
    assert len(files) == 2
    assert all(".tmp" not in f for f in files)


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_keep_their_type(
    client: TestClient, owned: tuple[str, str, int], fmt: str, content_type: str
) -> None:
    _, token, business_id = owned
    response = _upload(client, _owner_url(business_id), token, image_bytes(fmt), "x.bin")
    assert response.status_code == 201, response.text
    served = client.get(response.json()["url"])
    assert served.headers["content-type"] == content_type
    assert Image.open(io.BytesIO(served.content)).format == fmt


def test_orientation_is_applied_before_exif_goes() -> None:
    image = Image.new("RGB", (60, 40), (1, 2, 3))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    processed = process_photo(out.getvalue())
    assert (processed.width, processed.height) == (40, 60)


def test_large_images_are_scaled_down() -> None:
    processed = process_photo(image_bytes("PNG", (3000, 1000)))
    assert (processed.width, processed.height) == (2048, 683)


@pytest.mark.parametrize(
    ("data", "name", "status"),
    [
        (b"ini bukan gambar, hanya teks\n", "foto.jpg", 415),
        (b"GIF89a" + b"\x00" * 40, "anim.gif", 415),
        (image_bytes("GIF"), "real.gif", 415),
        (image_bytes("BMP"), "x.jpg", 415),
        (image_bytes("JPEG")[:200], "truncated.jpg", 422),
        (b"", "empty.jpg", 422),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", 415),  # header unreadable
    ],
)
def test_fake_and_damaged_files_are_refused(
    client: TestClient, owned: tuple[str, str, int], data: bytes, name: str, status: int
) -> None:
    _, token, business_id = owned
    response = _upload(client, _owner_url(business_id), token, data, name)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_pixel_bombs_are_refused_before_decoding(
    client: TestClient, owned: tuple[str, str, int]
) -> None:
    _, token, business_id = owned
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, format="PNG")  # 49 MP in a few kB
    response = _upload(client, _owner_url(business_id), token, out.getvalue(), "bomb.png")
    assert response.status_code == 422
    assert "pixels" in response.json()["detail"]


def test_oversized_files_are_refused(client: TestClient, owned: tuple[str, str, int]) -> None:
    _, token, business_id = owned
    over_photo_limit = os.urandom(5 * 1024 * 1024 + 100)  # under the 6 MB body limit
    assert _upload(client, _owner_url(business_id), token, over_photo_limit).status_code == 413
    over_body_limit = os.urandom(7 * 1024 * 1024)
    assert _upload(client, _owner_url(business_id), token, over_body_limit).status_code == 413


def test_at_most_five_photos(client: TestClient, owned: tuple[str, str, int]) -> None:
    _, token, business_id = owned
    for _ in range(5):
        assert _upload(client, _owner_url(business_id), token, image_bytes()).status_code == 201
    sixth = _upload(client, _owner_url(business_id), token, image_bytes())
    assert sixth.status_code == 409
    listed = client.get(f"/api/v1/businesses/{business_id}/photos").json()["items"]
    assert len(listed) == 5


def test_uploads_need_the_owner_token(
    client: TestClient, owned: tuple[str, str, int], sessions: sessionmaker[Session]
) -> None:
    admin, _, business_id = owned
    assert _upload(client, _owner_url(business_id), None, image_bytes()).status_code == 401
    assert _upload(client, _owner_url(business_id), admin, image_bytes()).status_code == 403
    stranger = submit(client, name="Toko Lain", phone=None)["edit_token"]
    assert _upload(client, _owner_url(business_id), stranger, image_bytes()).status_code == 403


def test_owner_deletes_a_photo_and_its_files(
    client: TestClient, owned: tuple[str, str, int], settings: Settings
) -> None:
    _, token, business_id = owned
    photo = _upload(client, _owner_url(business_id), token, image_bytes()).json()
    url = f"{_owner_url(business_id)}/{photo['id']}"
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=bearer(token)).status_code == 204
    assert client.get(photo["url"]).status_code == 404
    assert list((settings.media_dir / "photos").iterdir()) == []
    assert client.delete(url, headers=bearer(token)).status_code == 404


def test_submission_photos_wait_for_approval(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    url = f"/api/v1/submissions/{sub['id']}/photos"
    assert _upload(client, url, None, image_bytes()).status_code == 401
    assert _upload(client, url, "dk_edit_salah", image_bytes()).status_code == 404
    photo = _upload(client, url, sub["edit_token"], image_bytes("PNG"), "a.png").json()
    assert photo["business_id"] is None
    assert client.get(photo["url"]).status_code == 404  # not public while pending
    assert client.get(f"/api/v1/admin/photos/{photo['id']}").status_code == 401
    seen = client.get(f"/api/v1/admin/photos/{photo['id']}", headers=bearer(admin))
    assert seen.status_code == 200
    assert seen.headers["content-type"] == "image/png"
    queue = client.get("/api/v1/admin/submissions", headers=bearer(admin)).json()["items"]
    assert queue[0]["photo_ids"] == [photo["id"]]
    business_id = approve(client, admin, sub["id"])["business_id"]
    listed = client.get(f"/api/v1/businesses/{business_id}/photos").json()["items"]
    assert [p["id"] for p in listed] == [photo["id"]]
    assert client.get(photo["url"]).status_code == 200
    late = _upload(client, url, sub["edit_token"], image_bytes())
    assert late.status_code == 409


def test_rejected_submission_photos_are_deleted(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    admin = make_admin(sessions)
    sub = submit(client)
    url = f"/api/v1/submissions/{sub['id']}/photos"
    assert _upload(client, url, sub["edit_token"], image_bytes()).status_code == 201
    client.post(
        f"/api/v1/admin/submissions/{sub['id']}/reject", json={"reason": "foto tidak pantas"},
        headers=bearer(admin),
    )  # fmt: skip
    assert list((settings.media_dir / "photos").iterdir()) == []
    with sessions() as session:
        assert session.query(Photo).one().status == "deleted"


def test_editor_hides_a_photo(client: TestClient, owned: tuple[str, str, int]) -> None:
    admin, token, business_id = owned
    photo = _upload(client, _owner_url(business_id), token, image_bytes()).json()
    assert client.post(f"/api/v1/admin/photos/{photo['id']}/hide").status_code == 401
    hidden = client.post(f"/api/v1/admin/photos/{photo['id']}/hide", headers=bearer(admin))
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    assert client.get(photo["url"]).status_code == 404
    assert client.get(f"/api/v1/businesses/{business_id}/photos").json()["items"] == []


def test_file_names_cannot_escape_the_media_folder(tmp_path: Path) -> None:
    from directory.photos.storage import FileStore

    store = FileStore(tmp_path)
    for bad in ("../etc/passwd", "a.jpg", "0" * 32 + ".exe", "/" + "0" * 32 + ".jpg"):
        with pytest.raises(ValueError, match="not a photo file name"):
            store.path(bad)
        with pytest.raises(ValueError, match="not a photo file name"):
            store.put(bad, b"x", "image/jpeg")
        with pytest.raises(ValueError, match="not a photo file name"):
            store.delete(bad)
