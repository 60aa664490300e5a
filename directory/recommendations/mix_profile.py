"""The default mix of a general list for Dekat's taxonomy (``recommender.mix``).

A *family* is a top-level group of ``data/categories.toml``. A new site starts from the
shipped prior below (food, coffee, shopping and leisure first); ``dekat recommender
refresh`` replaces it with what readers actually pick, counted in distinct visitors and
smoothed toward the prior by ``PRIOR_WEIGHT`` pseudo-visitors
(``recommender.mix.learned_shares``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from recommender.mix import MixProfile

PRIOR_WEIGHT: Final = 200.0
"""Pseudo-visitors behind the shipped prior: a site needs a few hundred visitors before
its own choices dominate."""

SHIPPED_PRIOR: Final = MappingProxyType(
    {
        "kuliner": 0.30,
        "kafe-kopi": 0.18,
        "belanja": 0.14,
        "hiburan": 0.10,
        "olahraga": 0.05,
        "kecantikan": 0.05,
        "penginapan": 0.01,  # travellers book ahead; a reader nearby rarely wants a room
        "jasa": 0.03,
        "otomotif": 0.03,
        "kesehatan": 0.03,
        "pendidikan": 0.02,
        "keuangan": 0.02,
        "ibadah": 0.01,
        "layanan-publik": 0.005,
        "transportasi": 0.005,
    }
)
"""Share of readers' choices per family on a site that has no interactions yet."""

RESTRICTED: Final = frozenset(
    {"layanan-publik", "ibadah", "pendidikan", "keuangan", "transportasi"}
)
"""Errands, not outings: public services, places of worship, schools, banks, transport.
In a general list only when the reader's own history includes the family."""

_MORNING: Final = (1.6, 1.0, 0.6, 0.7, 0.3)
_MEALS: Final = (1.0, 1.3, 0.8, 1.3, 0.6)
_DINNER: Final = (0.4, 0.9, 0.8, 1.6, 1.0)
_COFFEE: Final = (1.2, 0.9, 1.5, 1.0, 0.5)
_SNACK_NIGHT: Final = (0.3, 0.7, 1.0, 1.5, 1.2)

DAYPART: Final = MappingProxyType(
    {
        # breakfast in the morning
        "soto-bubur": _MORNING,
        "bakery-roti": _MORNING,
        "warung-makan": _MEALS,
        "warteg": _MEALS,
        "kuliner": _MEALS,
        # dinner at night
        "restoran": _DINNER,
        "sate": _DINNER,
        "seafood": _DINNER,
        "nasi-goreng": _DINNER,
        "ayam-penyetan": _DINNER,
        "angkringan": _SNACK_NIGHT,
        "martabak": _SNACK_NIGHT,
        # coffee in the afternoon
        "kafe-kopi": _COFFEE,
        "warkop": (1.3, 0.9, 1.3, 1.1, 1.0),
        "teh-boba": (0.4, 1.1, 1.5, 1.1, 0.4),
        "belanja": (0.6, 1.0, 1.2, 1.2, 0.4),
        "hiburan": (0.4, 0.9, 1.2, 1.4, 0.6),
        "olahraga": (0.8, 0.5, 0.9, 1.1, 0.3),
    }
)
"""Multipliers by part of the day (morning, midday, afternoon, evening, night)."""

COMPLEMENTS: Final = MappingProxyType(
    {
        "kuliner": frozenset({"kafe-kopi", "belanja", "hiburan"}),
        "kafe-kopi": frozenset({"kuliner", "belanja", "hiburan"}),
        "belanja": frozenset({"kuliner", "kafe-kopi"}),
        "hiburan": frozenset({"kuliner", "kafe-kopi", "belanja"}),
        "olahraga": frozenset({"kafe-kopi", "kuliner"}),
        "kecantikan": frozenset({"belanja", "kafe-kopi"}),
        "penginapan": frozenset({"kuliner", "kafe-kopi", "hiburan"}),
    }
)
"""Families that go with a place's own on its page ("Juga di sekitar sini")."""


def mix_profile(learned: Mapping[str, float] | None) -> MixProfile:
    """The profile to rank with: the model's learned shares when it has them, else the
    shipped prior."""
    return MixProfile(
        family_share=MappingProxyType(dict(learned) if learned else dict(SHIPPED_PRIOR)),
        daypart=DAYPART,
        restricted=RESTRICTED,
        complements=COMPLEMENTS,
    )
