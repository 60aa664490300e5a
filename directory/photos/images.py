"""Turning untrusted upload bytes into safe JPEG, PNG or WebP files and a thumbnail.

Every upload is decoded in full and encoded again from pixels: what is stored is what
Pillow drew, never the bytes received. That drops EXIF (GPS position, camera serial),
XMP, comments and text chunks, and anything appended after the image data. The EXIF
orientation is applied to the pixels first so that photos are not stored sideways. Files
that are not JPEG, PNG or WebP — whatever their name or declared type — are refused
(415); images that do not decode or are absurdly large in pixels are refused (422)
before their pixels are allocated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from directory.errors import DirectoryError, FieldError, InvalidInput, PayloadTooLarge

MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
MAX_PIXELS: Final = 40_000_000
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
    if image.width * image.height > MAX_PIXELS:
        raise _undecodable(f"the image has more than {MAX_PIXELS} pixels")
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
