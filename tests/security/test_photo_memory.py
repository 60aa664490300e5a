"""Finding 4: photo uploads cannot make the server decode huge bitmaps.

Before: a 115 KB PNG of 6000×6600 (under the 40 MP cap) was decoded in full (hundreds of
MB), and a listing that already had five photos decoded the upload before answering 409.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFile
from sqlalchemy.orm import Session, sessionmaker

from directory.errors import InvalidInput, ServiceUnavailable
from directory.models import Photo, utcnow
from directory.photos import images, service
from tests.moderation_helpers import approve, bearer, image_bytes, make_admin, submit


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height``; its pixel data is a few bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to decode pixels fails the test."""

    def refuse(self: Any) -> Any:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.fixture
def owned(client: TestClient, sessions: sessionmaker[Session]) -> tuple[str, int]:
    admin = make_admin(sessions)
    sub = submit(client)
    return sub["edit_token"], approve(client, admin, sub["id"])["business_id"]


def _upload(client: TestClient, business_id: int, token: str, data: bytes) -> Any:
    return client.post(
        f"/api/v1/owner/businesses/{business_id}/photos",
        files={"file": ("foto.png", data, "image/png")}, headers=bearer(token),
    )  # fmt: skip


@pytest.mark.parametrize("size", [(6000, 6600), (4100, 4100), (20_000, 100), (7000, 7000)])
def test_large_png_is_refused_from_its_header(no_decoding: None, size: tuple[int, int]) -> None:
    with pytest.raises(InvalidInput, match="pixels"):
        images.process_photo(png_header_only(*size))


def test_the_api_refuses_it_with_422(
    client: TestClient, owned: tuple[str, int], no_decoding: None
) -> None:
    token, business_id = owned
    response = _upload(client, business_id, token, png_header_only(6000, 6600))
    assert response.status_code == 422
    assert "6000×6600" in response.json()["detail"]


def test_a_large_jpeg_is_decoded_at_a_reduced_scale() -> None:
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (90, 120, 200)).save(out, format="JPEG", quality=50)
    image = Image.open(io.BytesIO(out.getvalue()))
    assert images.decoded_size(image) == (3000, 2000)  # the decoder's 1/2 scale
    processed = images.process_photo(out.getvalue())
    assert (processed.width, processed.height) == (2048, 1365)


def test_ordinary_photos_still_work() -> None:
    processed = images.process_photo(image_bytes("PNG", (4000, 3000)))
    assert (processed.width, processed.height) == (2048, 1536)


def test_the_photo_cap_is_checked_before_decoding(
    client: TestClient,
    owned: tuple[str, int],
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token, business_id = owned
    with sessions() as session:
        for n in range(service.MAX_PHOTOS_PER_BUSINESS):
            session.add(Photo(
                business_id=business_id, file_name=f"{n:032x}.png", thumb_name=f"{n:032x}_t.png",
                content_type="image/png", width=1, height=1, size_bytes=1, status="live",
                created_at=utcnow(),
            ))  # fmt: skip
        session.commit()

    def never(data: bytes) -> Any:
        raise AssertionError("the upload was decoded although the listing is full")

    monkeypatch.setattr(service, "process_photo", never)
    started = time.monotonic()
    response = _upload(client, business_id, token, image_bytes("PNG"))
    assert response.status_code == 409
    assert time.monotonic() - started < 1.0


def test_decoding_waits_for_a_free_slot_then_gives_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "DECODE_WAIT_S", 0.2)
    held = [images.decode_slot() for _ in range(images.DECODE_SLOTS)]
    for slot in held:
        slot.__enter__()
    try:
        with pytest.raises(ServiceUnavailable):
            images.process_photo(image_bytes())
        # A slot freed while waiting is taken.
        timer = threading.Timer(0.05, held[0].__exit__, (None, None, None))
        monkeypatch.setattr(images, "DECODE_WAIT_S", 5.0)
        timer.start()
        assert images.process_photo(image_bytes()).width == 64
        timer.join()
    finally:
        for slot in held[1:]:
            slot.__exit__(None, None, None)
