"""Where photos are stored, as a URL: ``file:///srv/dekat/media`` or ``s3://bucket/prefix``.

Parsing is kept apart from the stores themselves so that the settings can refuse a bad
``DEKAT_MEDIA_URL`` at start-up without importing an S3 client, and so that ``dekat media
migrate --to`` checks its argument the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import unquote, urlsplit

# S3's rules for new buckets: 3-63 lower-case letters, digits, dots and hyphens, starting
# and ending with a letter or digit (MinIO, Ceph, R2 and Wasabi accept the same names).
_BUCKET: Final = re.compile(r"\A[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
_PREFIX_PART: Final = re.compile(r"\A[A-Za-z0-9!_.*'()-]+\Z")


@dataclass(frozen=True, slots=True)
class FileLocation:
    """A folder on this machine (or a shared mount); photos go in its ``photos/``."""

    root: Path

    @property
    def url(self) -> str:
        return self.root.absolute().as_uri()


@dataclass(frozen=True, slots=True)
class S3Location:
    """A bucket and an optional key prefix (no leading or trailing slash)."""

    bucket: str
    prefix: str = ""

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


MediaLocation = FileLocation | S3Location


def parse_media_url(url: str) -> MediaLocation:
    """``file:///abs/path`` or ``s3://bucket[/prefix]``; ValueError saying what is wrong."""
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if parts.query or parts.fragment:
        raise ValueError("a media URL takes no ?query or #fragment")
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError("a file: media URL names a folder on this machine: file:///path")
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise ValueError("a file: media URL needs an absolute path: file:///srv/dekat/media")
        if "\x00" in path:
            raise ValueError("the path holds a NUL character")
        return FileLocation(Path(path))
    if scheme == "s3":
        bucket = parts.netloc
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise ValueError(
                f"{bucket!r} is not a bucket name (3-63 lower-case letters, digits, '.', '-')"
            )
        prefix = parts.path.strip("/")
        if prefix:
            for segment in prefix.split("/"):
                if segment in (".", "..") or not _PREFIX_PART.match(segment):
                    raise ValueError(
                        f"key prefix segment {segment!r}: use letters, digits and !_.*'()-"
                    )
        return S3Location(bucket=bucket, prefix=prefix)
    raise ValueError(f"unsupported media URL scheme {parts.scheme!r}: use file:// or s3://")


def default_location(media_dir: Path) -> FileLocation:
    """``DEKAT_MEDIA_DIR`` when no ``DEKAT_MEDIA_URL`` is set (the single-machine default)."""
    return FileLocation(media_dir)
