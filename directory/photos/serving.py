"""Answering a photo request from whichever store holds it.

Three ways, one set of headers:

* file store: the file itself (``FileResponse``: sendfile, ``ETag``, ``Last-Modified``);
* S3 store, served through the app: the object's bytes read from the bucket (photos are at
  most a few MB after re-encoding), with an ``ETag`` of their MD5;
* S3 store with ``DEKAT_MEDIA_SIGNED_URLS=1`` and a public photo: a ``307`` redirect to a
  presigned ``GET`` URL valid for ``DEKAT_MEDIA_SIGNED_URL_TTL_S`` seconds, whose response
  carries the same ``Content-Type``, ``Cache-Control`` and ``Content-Disposition``. The
  redirect itself may be cached for half that time, so a cached redirect never points at
  an expired URL. Private photos (pending or hidden, for editors) always go through the
  app, so that no URL to them outlives the editor's request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from fastapi import Response
from fastapi.responses import FileResponse, RedirectResponse

from directory.errors import NotFound
from directory.photos.storage import MissingObject, PhotoStore


def photo_response(
    store: PhotoStore,
    name: str,
    *,
    media_type: str,
    headers: Mapping[str, str],
    not_found: str,
    signed_ttl_s: int | None = None,
) -> Response:
    """The object ``name`` as a response, or NotFound(``not_found``) if it is gone."""
    if signed_ttl_s is not None:
        url = store.signed_url(
            name,
            content_type=media_type,
            cache_control=headers.get("Cache-Control", "no-store"),
            ttl_s=signed_ttl_s,
        )
        if url is not None:
            return RedirectResponse(
                url,
                status_code=307,
                headers={
                    "Cache-Control": f"public, max-age={signed_ttl_s // 2}",
                    "Referrer-Policy": "no-referrer",
                },
            )
    path = store.local_path(name)
    if path is not None:
        if not path.is_file():
            raise NotFound(detail=not_found)
        return FileResponse(path, media_type=media_type, headers=dict(headers))
    try:
        data = store.get(name)
    except MissingObject as exc:
        raise NotFound(detail=not_found) from exc
    etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'
    return Response(data, media_type=media_type, headers={"ETag": etag, **headers})
