"""Dekat recommender: a pure ranking library (standard library and numpy only; fitting the
tree ranker, ``recommender.tree_fit``, imports LightGBM inside the function that fits).

Plain data in, ranked data out: ``rank(context, candidates, history=..., model=...)``
returns places with a score and the reasons for it. The database, the web layer and
storage live in ``directory``; this package never imports them.
"""

from __future__ import annotations

from recommender.candidates import Candidate, Context
from recommender.events import Event, EventArrays
from recommender.history import UserHistory, build_history
from recommender.interactions import FitParams, InteractionModel
from recommender.ranking import REASON_CODES, SIGNALS, Ranked, rank
from recommender.reasons import Origin, Reason, render_reason
from recommender.weights import DEFAULT_WEIGHTS, KIND_WEIGHTS, REACH_CLASSES, RankingWeights

__all__ = [
    "DEFAULT_WEIGHTS",
    "KIND_WEIGHTS",
    "REACH_CLASSES",
    "REASON_CODES",
    "SIGNALS",
    "Candidate",
    "Context",
    "Event",
    "EventArrays",
    "FitParams",
    "InteractionModel",
    "Origin",
    "Ranked",
    "Reason",
    "RankingWeights",
    "UserHistory",
    "build_history",
    "rank",
    "render_reason",
]
