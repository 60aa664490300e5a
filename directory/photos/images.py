"""Turning untrusted upload bytes into safe JPEG, PNG or WebP files and a thumbnail.

Every upload is decoded in full and encoded again from pixels: what is stored is what
Pillow drew, never the bytes received. That drops EXIF (GPS position, camera serial),
XMP, comments and text chunks, and anything appended after the image data. The EXIF
orientation is applied to the pixels first so that photos are not stored sideways. Files
that are not JPEG, PNG or WebP — whatever their name or declared type — are refused
(415); images that do not decode or are absurdly large in pixels are refused (422)
before their pixels are allocated.

Memory is bounded three ways, because a small compressed file can decode to a huge
bitmap (a 115 KB PNG of 6000×6600 is 158 MB of RGBA):

1. the size is read from the header (``Image.open`` decodes no pixels) and checked
   against :data:`MAX_PIXELS` and :data:`MAX_SIDE_HEADER_PX`;
2. JPEGs are decoded at a reduced scale (``draft``: the decoder's own 1/2, 1/4, 1/8)
   that is still at least :data:`MAX_SIDE_PX` a side, and what will be decoded may hold
   at most :data:`MAX_DECODED_PIXELS` (4 bytes each: 64 MB) — other formats cannot be
   decoded smaller, so the same limit applies to their full size;
3. at most :data:`DECODE_SLOTS` uploads are decoded at once per worker process; others
   wait up to :data:`DECODE_WAIT_S` and then get 503.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from directory.errors import (
    DirectoryError,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    ServiceUnavailable,
)

MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
MAX_PIXELS: Final = 40_000_000  # from the header, before any decoding
MAX_SIDE_HEADER_PX: Final = 12_000
MAX_DECODED_PIXELS: Final = 16_000_000  # what is actually decoded (after JPEG draft)
DECODE_SLOTS: Final = 2
DECODE_WAIT_S: float = 20.0
MAX_SIDE_PX: Final = 2048
THUMB_SIDE_PX: Final = 400
# Pillow format → (content type, file extension).
FORMATS: Final = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass
class UnsupportedMediaType(DirectoryError):
    """415: the upload is not one of the accepted image formats."""

    status: int = 415
    title: str = "Unsupported media type"


@dataclass(frozen=True, slots=True)
class EncodedImage:
    """A re-encoded photo and its thumbnail, ready to store."""

    data: bytes
    thumb: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _not_an_image() -> UnsupportedMediaType:
    return UnsupportedMediaType(detail="The file is not a JPEG, PNG or WebP image.")


def _undecodable(reason: str) -> InvalidInput:
    return InvalidInput(detail=f"file: {reason}", errors=[FieldError("file", reason, "form")])


_decoders = threading.BoundedSemaphore(DECODE_SLOTS)


@contextmanager
def decode_slot() -> Iterator[None]:
    """One of the :data:`DECODE_SLOTS` decoding places of this process, or 503."""
    if not _decoders.acquire(timeout=DECODE_WAIT_S):
        raise ServiceUnavailable(
            detail="Too many photos are being processed right now; try again shortly."
        )
    try:
        yield
    finally:
        _decoders.release()


def decoded_size(image: Image.Image) -> tuple[int, int]:
    """The size the decoder will produce: JPEGs shrink in the decoder (still ≥ 2048 a side)."""
    width, height = image.size
    if image.format == "JPEG" and max(width, height) > MAX_SIDE_PX:
        # The box the stored image fits in: the decoder picks a scale at least this big.
        ratio = MAX_SIDE_PX / max(width, height)
        wanted = (max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio)))
        image.draft(image.mode if image.mode in ("L", "CMYK") else "RGB", wanted)
    return image.size


def check_header(image: Image.Image) -> None:
    """Refuse an image from its header alone, before a single pixel is decoded."""
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE_HEADER_PX:
        raise _undecodable(
            f"the image is {width}×{height} pixels; at most {MAX_PIXELS} pixels and "
            f"{MAX_SIDE_HEADER_PX} a side"
        )
    dw, dh = decoded_size(image)
    if dw * dh > MAX_DECODED_PIXELS:
        raise _undecodable(
            f"the image is {width}×{height} pixels; a {image.format} may have at most "
            f"{MAX_DECODED_PIXELS} pixels"
        )


def _open(data: bytes) -> Image.Image:
    """Decode the whole image, refusing unknown formats and pixel bombs first."""
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise _not_an_image() from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _undecodable(f"the image has more than {MAX_PIXELS} pixels") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _undecodable("the image could not be read") from exc
    if image.format not in FORMATS:
        raise _not_an_image()
    check_header(image)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _undecodable("the image is damaged or truncated") from exc
    return image


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    """Pixels in a mode the output format stores (JPEG has no alpha)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc  # colours, no personal data
    if fmt == "JPEG":
        options.update(quality=85, optimize=True, progressive=True)
    elif fmt == "WEBP":
        options.update(quality=85, method=4)
    image.save(out, format=fmt, **options)
    return out.getvalue()


def process_photo(data: bytes) -> EncodedImage:
    """Validate and re-encode an upload: metadata stripped, at most 2048 px a side."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(
            detail=f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB."
        )
    if not data:
        raise _undecodable("the file is empty")
    with decode_slot():
        return _process(data)


def _process(data: bytes) -> EncodedImage:
    source = _open(data)
    fmt = str(source.format)
    icc = source.info.get("icc_profile")
    try:
        image = ImageOps.exif_transpose(source) or source
        image = _normalise_mode(image, fmt)
        image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
        image.info = {}  # comments, XMP, EXIF and text chunks stay behind
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIDE_PX, THUMB_SIDE_PX))
        encoded = _encode(image, fmt, icc if isinstance(icc, bytes) else None)
        encoded_thumb = _encode(thumb, fmt, None)
    except (OSError, ValueError, SyntaxError) as exc:
        raise _undecodable("the image could not be processed") from exc
    finally:
        source.close()
    content_type, extension = FORMATS[fmt]
    return EncodedImage(
        data=encoded,
        thumb=encoded_thumb,
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
    )
