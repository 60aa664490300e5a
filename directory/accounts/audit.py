"""The audit log: who changed the state of what, and when.

Every moderation decision, owner edit, status change and review hiding writes one row in
the same transaction as the change itself, so the log never claims what did not happen.
Actors are names, never secrets: ``admin:<token name>``, ``owner:<owner token id>``,
``submitter``, ``cli``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import AuditLog, utcnow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    detail: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Add one audit entry to the caller's transaction (never commits)."""
    entry = AuditLog(
        at=utcnow(),
        actor=actor[:120],
        action=action[:40],
        subject_type=subject_type[:40],
        subject_id=str(subject_id)[:64],
        detail=dict(detail or {}),
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    limit: int = 50,
    before_id: int | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    actor: str | None = None,
) -> list[AuditLog]:
    """Entries newest first; page on with ``before_id`` = the last id seen."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(AuditLog.id < before_id)
    if subject_type:
        stmt = stmt.where(AuditLog.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditLog.subject_id == subject_id)
    if actor:
        stmt = stmt.where(AuditLog.actor == actor)
    return list(session.scalars(stmt))
