"""Photo objects in a store: a local folder (the default) or an S3-compatible bucket.

Names are 128 random bits in hex plus the format's extension, so they reveal nothing and
cannot be guessed or collide; every store accepts only names of that shape
(:func:`check_name`), so no path or key a client influences can leave the store's
``photos/`` folder or key prefix.

Every write is atomic from a reader's view: the file store writes a temporary file and
renames it, an S3 ``PUT`` is all-or-nothing. The services upload first and record the
photo's row afterwards, so a row never names an object that is not there yet.

One store object per configuration is kept for the life of the process
(:func:`photo_store`): the S3 store holds one boto3 client and its connection pool, which
is thread-safe and shared by every request thread of a worker.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import urlsplit

from directory.errors import ServiceUnavailable
from directory.media_locations import (
    FileLocation,
    MediaLocation,
    S3Location,
    default_location,
    parse_media_url,
)
from directory.photos.images import EncodedImage
from directory.settings import Settings

log = logging.getLogger("dekat.photos")

SUBDIR: Final = "photos"
_NAME: Final = re.compile(r"\A[0-9a-f]{32}(?:_t)?\.(?:jpg|png|webp)\Z")
CONTENT_TYPES: Final = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class MissingObject(LookupError):
    """The store has no object of that name (never uploaded, or removed)."""


class StoreUnavailable(ServiceUnavailable):
    """The store did not answer or refused the request; the client may retry (503)."""

    def __init__(self, detail: str = "Photo storage is not reachable; try again shortly.") -> None:
        super().__init__(detail=detail)


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a store knows about an object without reading it all (hashes when known)."""

    size: int
    sha256: str | None = None
    md5: str | None = None


def check_name(name: str) -> str:
    """The name itself; ValueError for a name this module did not make."""
    if not _NAME.match(name):
        raise ValueError(f"not a photo file name: {name!r}")
    return name


def content_type_of(name: str) -> str:
    """The media type a stored name's extension stands for."""
    return CONTENT_TYPES[check_name(name).rsplit(".", 1)[1]]


def digests(data: bytes) -> ObjectInfo:
    """Size and hashes of bytes about to be stored or compared."""
    return ObjectInfo(
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )


def same_content(source: ObjectInfo, target: ObjectInfo) -> bool:
    """Whether two objects are the same bytes, judged by size and the best shared hash."""
    if source.size != target.size:
        return False
    if source.sha256 and target.sha256:
        return source.sha256 == target.sha256
    if source.md5 and target.md5:
        return source.md5 == target.md5
    return False


class PhotoStore(Protocol):
    """What the services and ``dekat media migrate`` need from a store."""

    @property
    def url(self) -> str:
        """The store's URL, without credentials (for messages)."""
        ...

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Store an object atomically (readers see all of it or nothing)."""
        ...

    def get(self, name: str) -> bytes:
        """An object's bytes; MissingObject if there is none."""
        ...

    def stat(self, name: str) -> ObjectInfo | None:
        """Size and hashes of an object, or None if there is none."""
        ...

    def delete(self, name: str) -> None:
        """Remove an object; a missing one is fine (a retry may have removed it)."""
        ...

    def names(self) -> Iterator[str]:
        """Every photo object's name (anything else under the prefix is skipped)."""
        ...

    def local_path(self, name: str) -> Path | None:
        """The file on this machine, when the store is a folder (served with sendfile)."""
        ...

    def signed_url(
        self, name: str, *, content_type: str, cache_control: str, ttl_s: int
    ) -> str | None:
        """A short-lived URL a browser may fetch the object from, or None if unsupported."""
        ...


class FileStore:
    """Photos as files in ``<root>/photos``: one machine, or a folder every node mounts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / SUBDIR

    @property
    def url(self) -> str:
        return FileLocation(self.root).url

    def path(self, name: str) -> Path:
        return self.folder / check_name(name)

    def put(self, name: str, data: bytes, content_type: str) -> None:
        del content_type  # the extension carries it
        path = self.path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def get(self, name: str) -> bytes:
        try:
            return self.path(name).read_bytes()
        except FileNotFoundError as exc:
            raise MissingObject(name) from exc

    def stat(self, name: str) -> ObjectInfo | None:
        try:
            return digests(self.path(name).read_bytes())
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if not self.folder.is_dir():
            return
        for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
            if entry.is_file() and _NAME.match(entry.name):
                yield entry.name

    def local_path(self, name: str) -> Path | None:
        return self.path(name)

    def signed_url(
        self, name: str, *, content_type: str, cache_control: str, ttl_s: int
    ) -> str | None:
        del name, content_type, cache_control, ttl_s
        return None


@dataclass(frozen=True, slots=True)
class S3Credentials:
    """Endpoint, region and keys; None fields fall back to boto3's own chain (AWS_* vars)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Credentials:
        secret = settings.s3_secret_access_key
        return cls(
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
        )


def open_store(location: MediaLocation, credentials: S3Credentials | None = None) -> PhotoStore:
    """A store for a location (the S3 client is made here, once)."""
    if isinstance(location, FileLocation):
        return FileStore(location.root)
    if isinstance(location, S3Location):
        from directory.photos.s3store import S3Store

        return S3Store(location, credentials or S3Credentials())
    raise TypeError(f"unknown media location {location!r}")


def location_of(settings: Settings) -> MediaLocation:
    """``DEKAT_MEDIA_URL`` if set, else the folder ``DEKAT_MEDIA_DIR``."""
    if settings.media_url:
        return parse_media_url(settings.media_url)
    return default_location(settings.media_dir)


_stores: dict[tuple[MediaLocation, S3Credentials], PhotoStore] = {}
_stores_lock = threading.Lock()


def photo_store(settings: Settings) -> PhotoStore:
    """The process's store for these settings (one S3 client per configuration)."""
    key = (location_of(settings), S3Credentials.from_settings(settings))
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = open_store(*key)
        return store


_origins: dict[int, str | None] = {}


def signed_media_origin(settings: Settings) -> str | None:
    """Where signed photo URLs point (``scheme://host``), for the pages' CSP; else None."""
    if not settings.media_signed_urls:
        return None
    store = photo_store(settings)
    key = id(store)
    if key not in _origins:
        probe = store.signed_url(
            "0" * 32 + ".jpg", content_type="image/jpeg", cache_control="no-store", ttl_s=60
        )
        parts = urlsplit(probe) if probe else None
        _origins[key] = f"{parts.scheme}://{parts.netloc}" if parts else None
    return _origins[key]


def save_image(store: PhotoStore, image: EncodedImage) -> tuple[str, str]:
    """Store a photo and its thumbnail; returns their names (nothing is left on failure)."""
    stem = secrets.token_hex(16)
    name, thumb = f"{stem}.{image.extension}", f"{stem}_t.{image.extension}"
    store.put(name, image.data, image.content_type)
    try:
        store.put(thumb, image.thumb, image.content_type)
    except BaseException:
        delete_files(store, (name,))
        raise
    return name, thumb


def delete_files(store: PhotoStore, names: Iterable[str]) -> None:
    """Remove stored objects; failures are logged, never raised (the row is already gone)."""
    for name in names:
        try:
            store.delete(name)
        except (OSError, ValueError, ServiceUnavailable) as exc:
            log.warning("could not delete photo object %s: %s", name, exc)
