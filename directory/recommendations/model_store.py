"""Fitting, storing and caching the interaction model (co-visits, next places, trends).

The model lives in the ``recommender_model`` table as ``.npz`` bytes (no pickles), so
every worker, replica and backup sees the same one. ``refresh_model`` fits it from every
stored interaction (``dekat recommender refresh``; well under a minute at 1,000,000
interactions — see ``benchmarks/recommend.py``). Each process caches the newest model and
checks for a newer row at most every ``CHECK_EVERY_S`` seconds. A reader's *own*
interactions never wait for a refresh: they are read live on every request.
"""

from __future__ import annotations

import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from directory.models import (
    Business,
    BusinessStatus,
    Category,
    Interaction,
    RecommenderModel,
    utcnow,
)
from directory.recommendations.mix_profile import PRIOR_WEIGHT, SHIPPED_PRIOR, mix_profile
from directory.search.catalog import get_catalog
from directory.search.rawsql import FastStatement
from recommender import SIGNALS, Event, InteractionModel
from recommender.blend import Blend, choose_blend
from recommender.holdout import Places, build_groups
from recommender.mix import learned_shares
from recommender.tree_fit import choose_ranker

CHECK_EVERY_S = 5.0
KEY_PREFIX = "key:"
KEEP_MODELS = 2
_FETCH = 50_000


@dataclass(frozen=True, slots=True)
class RefreshReport:
    n_events: int
    model_id: int
    seconds: float
    blend_source: str = "default"
    """"fitted", "fitted+habit" or "default" (too little data, or the fit was refused)."""
    blend_report: dict[str, Any] = field(default_factory=dict)
    trees: int = 0
    """Trees of the activated tree ranker; 0 when the blend alone ranks."""


_EVENTS_PAGE = FastStatement(
    select(
        Interaction.id,
        Interaction.user_id,
        Interaction.business_id,
        Interaction.at,
        Interaction.kind,
        Interaction.source,
    )
    .where(Interaction.id > bindparam("last_id"))
    .order_by(Interaction.id)
    .limit(bindparam("n"))
)


def iter_events(
    session: Session, *, timezone: str, progress: Callable[[int], None] | None = None
) -> Iterator[Event]:
    """Every interaction as an ``Event`` on the city's wall clock, in id order.

    Read on the DBAPI cursor (a refresh reads every interaction: SQLAlchemy's per-row
    result processing was a third of the refresh at 1,000,000); ``at`` is stored as naive
    UTC and arrives as text (SQLite) or a naive datetime (PostgreSQL).
    """
    zone = ZoneInfo(timezone)
    last_id = 0
    parse = datetime.fromisoformat
    while True:
        rows = _EVENTS_PAGE.rows(session, {"last_id": last_id, "n": _FETCH})
        if not rows:
            return
        last_id = rows[-1][0]
        for _id, user_id, business_id, at, kind, source in rows:
            when = at if isinstance(at, datetime) else parse(at)
            yield Event(
                user_id=user_id,
                business_id=business_id,
                at=when.replace(tzinfo=UTC).astimezone(zone),
                kind=kind,
                sender=sender_of(source),
            )
        if progress:
            progress(len(rows))


def sender_of(source: str | None) -> int:
    """The API key id of an interaction's ``source`` (``key:<id>``), whose visitors the model
    caps as one client's (``FitParams.key_visitor_cap``); −1 for the site's own pages,
    the operator's import and rows stored before sources were kept."""
    if source and source.startswith(KEY_PREFIX):
        number = source[len(KEY_PREFIX) :]
        if number.isascii() and number.isdigit():
            return int(number)
    return -1


def model_bytes(model: InteractionModel) -> bytes:
    """The model's ``.npz`` serialisation."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        model.save(path)
        return path.read_bytes()


def model_from_bytes(data: bytes) -> InteractionModel:
    """Inverse of ``model_bytes``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        path.write_bytes(data)
        return InteractionModel.load(path)


def _places(session: Session, items: np.ndarray) -> tuple[Places, dict[int, str]]:
    """The published places among ``items`` as columns, and each one's family."""
    catalog = get_catalog(session)
    reach = dict(session.execute(select(Category.id, Category.reach)).tuples().all())
    wanted = set(items.tolist())
    rows = []
    family_of: dict[int, str] = {}
    chains: dict[int, tuple[str, str]] = {}
    query = select(
        Business.id,
        Business.lat,
        Business.lon,
        Business.primary_category_id,
        Business.rating_sum,
        Business.rating_count,
    ).where(Business.status == BusinessStatus.PUBLISHED)
    for bid, lat, lon, category_id, rating_sum, rating_count in session.execute(query):
        if bid not in wanted or category_id not in catalog.categories:
            continue
        chain = chains.get(category_id)
        if chain is None:
            slugs = [catalog.categories[c].slug for c in catalog.ancestors(category_id)]
            chain = chains[category_id] = (slugs[0], slugs[-1])
        mean = min(5.0, max(1.0, rating_sum / rating_count)) if rating_count else None
        rows.append(
            (bid, lat, lon, chain[0], reach.get(category_id, "local"), chain[1], mean, rating_count)
        )
        family_of[bid] = chain[1]
    return Places.build(rows), family_of


def fit_state(
    model: InteractionModel,
    session: Session,
    *,
    timezone: str,
    say: Callable[[str], None] | None = None,
) -> tuple[InteractionModel, Blend]:
    """The model with the deployment's fitted blend and family shares attached.

    The blend is fitted and checked on the time-ordered holdout of
    ``recommender.holdout`` and activated only when ``recommender.blend.choose_blend``
    accepts it; then the tree ranker likewise (``recommender.tree_fit.choose_ranker``:
    only when it beats the blend and the baselines on the holdout); the family shares
    count distinct visitors per family, smoothed toward the shipped prior.
    """
    places, family_of = _places(session, model.items)
    activity: dict[str, float] = {}
    for bid, value in zip(model.items.tolist(), model.activity.tolist(), strict=True):
        family = family_of.get(bid)
        if family is not None:
            activity[family] = activity.get(family, 0.0) + value
    shares = learned_shares(SHIPPED_PRIOR, activity, prior_weight=PRIOR_WEIGHT)
    data = build_groups(
        model.events, places, zone=ZoneInfo(timezone), mix=mix_profile(shares), params=model.params
    )
    blend = choose_blend(data.train, data.holdout, data.baselines, SIGNALS, say=say)
    ranker, _report = choose_ranker(
        data.train, data.holdout, data.baselines, blend, SIGNALS, earlier=data.earlier, say=say
    )
    return model.with_state(
        blend=blend if blend.source != "default" else None, family_share=shares, ranker=ranker
    ), blend


def refresh_model(
    session: Session,
    *,
    timezone: str,
    progress: Callable[[int], None] | None = None,
    say: Callable[[str], None] | None = None,
) -> RefreshReport:
    """Fit the model and the ranker from every interaction, store them as the newest;
    commits. ``say`` hears whether the fitted ranker was activated, and why not."""
    started = time.perf_counter()
    max_id = int(session.scalar(select(func.max(Interaction.id))) or 0)
    events = list(iter_events(session, timezone=timezone, progress=progress))
    model, blend = fit_state(InteractionModel.fit(events), session, timezone=timezone, say=say)
    row = RecommenderModel(
        fitted_at=utcnow(),
        n_events=len(events),
        max_interaction_id=max_id,
        data=model_bytes(model),
    )
    session.add(row)
    session.flush()
    stale = session.scalars(
        select(RecommenderModel.id).order_by(RecommenderModel.id.desc()).offset(KEEP_MODELS)
    ).all()
    if stale:
        session.execute(delete(RecommenderModel).where(RecommenderModel.id.in_(stale)))
    session.commit()
    _cache.pop(_engine_of(session), None)
    return RefreshReport(
        n_events=len(events),
        model_id=row.id,
        seconds=time.perf_counter() - started,
        blend_source=blend.source,
        blend_report=dict(blend.report),
        trees=model.ranker.trees if model.ranker is not None else 0,
    )


@dataclass
class _Cached:
    model_id: int | None
    model: InteractionModel | None
    checked_at: float


_cache: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def current_model(session: Session) -> InteractionModel | None:
    """The newest stored model (cached per process), or None before the first refresh."""
    engine = _engine_of(session)
    now = time.monotonic()
    cached = _cache.get(engine)
    if cached is not None and now - cached.checked_at < CHECK_EVERY_S:
        return cached.model
    newest = session.scalar(select(func.max(RecommenderModel.id)))
    if cached is not None and cached.model_id == newest:
        cached.checked_at = now
        return cached.model
    with _lock:
        model = None
        if newest is not None:
            data = session.scalar(
                select(RecommenderModel.data).where(RecommenderModel.id == newest)
            )
            model = model_from_bytes(data) if data is not None else None
        _cache[engine] = _Cached(model_id=newest, model=model, checked_at=now)
    return model


def model_age(session: Session) -> tuple[datetime | None, int]:
    """When the newest model was fitted and how many interactions arrived since."""
    row = session.execute(
        select(RecommenderModel.fitted_at, RecommenderModel.max_interaction_id)
        .order_by(RecommenderModel.id.desc())
        .limit(1)
    ).first()
    newest = int(session.scalar(select(func.max(Interaction.id))) or 0)
    if row is None:
        return None, newest
    return row[0], newest - row[1]
