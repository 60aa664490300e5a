"""Photo files under ``settings.media_dir/photos``: random names, atomic writes.

Names are 128 random bits in hex plus the format's extension, so they reveal nothing and
cannot be guessed or collide; :func:`media_path` accepts only names of that shape, so no
path a client influences can leave the folder.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from directory.photos.images import EncodedImage

log = logging.getLogger("dekat.photos")

SUBDIR: Final = "photos"
_NAME: Final = re.compile(r"\A[0-9a-f]{32}(?:_t)?\.(?:jpg|png|webp)\Z")


def media_path(media_dir: Path, name: str) -> Path:
    """Where a stored file lives; ValueError for a name this module did not make."""
    if not _NAME.match(name):
        raise ValueError(f"not a photo file name: {name!r}")
    return media_dir / SUBDIR / name


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save_image(media_dir: Path, image: EncodedImage) -> tuple[str, str]:
    """Write a photo and its thumbnail; returns their file names."""
    folder = media_dir / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(16)
    name, thumb = f"{stem}.{image.extension}", f"{stem}_t.{image.extension}"
    _write_atomically(media_path(media_dir, name), image.data)
    _write_atomically(media_path(media_dir, thumb), image.thumb)
    return name, thumb


def delete_files(media_dir: Path, names: Iterable[str]) -> None:
    """Remove stored files; missing ones are fine (a retry may have removed them)."""
    for name in names:
        try:
            media_path(media_dir, name).unlink(missing_ok=True)
        except (OSError, ValueError) as exc:
            log.warning("could not delete photo file: %s", exc)
