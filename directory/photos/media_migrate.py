"""Copying every photo object from one store to another (``dekat media migrate``).

Resumable by construction: each object is written atomically (a renamed temporary file, a
single S3 ``PUT`` checked with ``Content-MD5``), so an interrupted run leaves whole objects
or none, and the next run skips every object the target already holds with the same size
and hash (SHA-256 from our own metadata, or the MD5 an S3 single-part ETag is). Objects
are copied under the same name, so the photo rows in the database stay valid unchanged.

The copy works from a listing of the source, not from the database: it also carries
objects of photos whose rows a concurrent request is writing right now. Run it once while
the site is live, switch ``DEKAT_MEDIA_URL`` to the target, then run it again with
``--from`` the old store to carry the few photos uploaded in between.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final, Literal

from directory.photos.storage import PhotoStore, content_type_of, digests, same_content

MAX_FAILURES_KEPT: Final = 50

Outcome = Literal["copied", "skipped", "failed"]


@dataclass
class MigrationReport:
    """Counts of one run; ``failures`` holds the first few (name, reason) pairs."""

    copied: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.copied + self.skipped + self.failed


def copy_object(source: PhotoStore, target: PhotoStore, name: str) -> Outcome:
    """Copy one object unless the target already has the same bytes; raises on failure."""
    wanted = source.stat(name)
    if wanted is None:
        raise LookupError("gone from the source (deleted while migrating?)")
    present = target.stat(name)
    if present is not None and same_content(wanted, present):
        return "skipped"
    data = source.get(name)
    got = digests(data)
    if not same_content(wanted, got):
        raise ValueError("the source changed or returned damaged bytes while reading")
    target.put(name, data, content_type_of(name))
    return "copied"


def migrate_media(
    source: PhotoStore,
    target: PhotoStore,
    *,
    workers: int = 4,
    progress: Callable[[int, int | None], None] | None = None,
) -> MigrationReport:
    """Copy every photo object of ``source`` missing or different in ``target``."""
    if source.url == target.url:
        raise ValueError(f"the source and the target are the same store ({source.url})")
    names = list(source.names())
    if progress is not None:
        progress(0, len(names))
    report = MigrationReport()
    lock = threading.Lock()

    def one(name: str) -> None:
        try:
            outcome = copy_object(source, target, name)
            reason = ""
        except Exception as exc:  # one bad object must not stop the others
            outcome, reason = "failed", f"{type(exc).__name__}: {exc}"
        with lock:
            setattr(report, outcome, getattr(report, outcome) + 1)
            if reason and len(report.failures) < MAX_FAILURES_KEPT:
                report.failures.append((name, reason))
        if progress is not None:
            progress(1, None)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="migrate") as pool:
        list(pool.map(one, names))
    return report
