"""Photos in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Cloudflare R2, Wasabi).

Only the plain object calls every such store implements are used: ``PutObject``,
``GetObject``, ``HeadObject``, ``DeleteObject``, ``ListObjectsV2`` and presigned ``GET``
URLs (signature v4). Each upload sends ``Content-MD5`` so the store refuses a body damaged
on the way, and records the SHA-256 as object metadata so ``dekat media migrate`` can tell
an identical copy from a different one without downloading it.

boto3 is an optional dependency (``pip install 'dekat[s3]'``): the default file store and
the README's commands need nothing beyond Python.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from directory.media_locations import S3Location
from directory.photos.storage import (
    SUBDIR,
    MissingObject,
    ObjectInfo,
    S3Credentials,
    StoreUnavailable,
    check_name,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

_MISSING_CODES: Final = frozenset({"404", "NoSuchKey", "NotFound"})
_PLAIN_ETAG_LEN: Final = 32


def _client(credentials: S3Credentials) -> BaseClient:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RuntimeError(
            "DEKAT_MEDIA_URL is s3://… but boto3 is not installed: pip install 'dekat[s3]'"
        ) from exc
    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 4, "mode": "standard"},
        # A custom endpoint (MinIO, Ceph, a test server) rarely has per-bucket DNS names.
        s3={"addressing_style": "path" if credentials.endpoint_url else "auto"},
        signature_version="s3v4",
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=credentials.endpoint_url,
        region_name=credentials.region,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        config=config,
    )


def _error_code(exc: Exception) -> str:
    response: Any = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3Store:
    """One bucket and key prefix; objects are ``<prefix>/photos/<name>``."""

    def __init__(self, location: S3Location, credentials: S3Credentials) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        self.location = location
        self.bucket = location.bucket
        self.key_prefix = f"{location.prefix}/{SUBDIR}/" if location.prefix else f"{SUBDIR}/"
        self.client = _client(credentials)
        self._client_error = ClientError
        self._transport_errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

    @property
    def url(self) -> str:
        return self.location.url

    def key(self, name: str) -> str:
        return self.key_prefix + check_name(name)

    def _unavailable(self, exc: Exception, what: str) -> StoreUnavailable:
        code = _error_code(exc) or type(exc).__name__
        return StoreUnavailable(f"Photo storage refused to {what} ({code}); try again shortly.")

    def put(self, name: str, data: bytes, content_type: str) -> None:
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(name),
                Body=data,
                ContentType=content_type,
                ContentMD5=md5,
                Metadata={"sha256": hashlib.sha256(data).hexdigest()},
            )
        except self._transport_errors as exc:
            raise self._unavailable(exc, "store a photo") from exc

    def get(self, name: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
            return bytes(response["Body"].read())
        except self._client_error as exc:
            if _error_code(exc) in _MISSING_CODES:
                raise MissingObject(name) from exc
            raise self._unavailable(exc, "read a photo") from exc
        except self._transport_errors as exc:
            raise self._unavailable(exc, "read a photo") from exc

    def stat(self, name: str) -> ObjectInfo | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except self._client_error as exc:
            if _error_code(exc) in _MISSING_CODES:
                return None
            raise self._unavailable(exc, "look up a photo") from exc
        except self._transport_errors as exc:
            raise self._unavailable(exc, "look up a photo") from exc
        etag = str(head.get("ETag", "")).strip('"')
        # A single-part upload's ETag is the MD5 of the body (multipart ones hold a '-').
        md5 = etag if len(etag) == _PLAIN_ETAG_LEN and "-" not in etag else None
        sha256 = (head.get("Metadata") or {}).get("sha256")
        return ObjectInfo(size=int(head["ContentLength"]), sha256=sha256, md5=md5)

    def delete(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))
        except self._transport_errors as exc:
            raise self._unavailable(exc, "remove a photo") from exc

    def names(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.key_prefix):
                for item in page.get("Contents", []):
                    name = str(item["Key"])[len(self.key_prefix) :]
                    try:
                        yield check_name(name)
                    except ValueError:
                        continue
        except self._transport_errors as exc:
            raise self._unavailable(exc, "list photos") from exc

    def local_path(self, name: str) -> Path | None:
        del name
        return None

    def signed_url(
        self, name: str, *, content_type: str, cache_control: str, ttl_s: int
    ) -> str | None:
        # Signing is local (no request to the store); the overrides make the store answer
        # with the same type, caching and disposition as the app itself would.
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.key(name),
                    "ResponseContentType": content_type,
                    "ResponseCacheControl": cache_control,
                    "ResponseContentDisposition": "inline",
                },
                ExpiresIn=ttl_s,
            )
        )
