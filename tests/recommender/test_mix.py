"""The default mix of a general list: what readers go out for, at this time of day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from recommender import Candidate, Context, build_history, rank
from recommender.mix import MixProfile, daypart_of, learned_shares

JAKARTA = ZoneInfo("Asia/Jakarta")
PROFILE = MixProfile(
    family_share={
        "kuliner": 0.4,
        "kafe-kopi": 0.3,
        "belanja": 0.2,
        "layanan-publik": 0.05,
        "ibadah": 0.05,
    },
    daypart={
        "soto-bubur": (1.6, 1.0, 0.6, 0.7, 0.3),
        "restoran": (0.4, 0.9, 0.8, 1.6, 1.0),
        "kafe-kopi": (1.2, 0.9, 1.5, 1.0, 0.5),
    },
    restricted=frozenset({"layanan-publik", "ibadah"}),
    complements={"kafe-kopi": frozenset({"kuliner"})},
)


def _place(i: int, category: str, family: str, distance: float) -> Candidate:
    return Candidate(
        business_id=i,
        lat=0.0,
        lon=0.0,
        distance_m=distance,
        category=category,
        reach="local",
        family=family,
    )


def _pool() -> list[Candidate]:
    pool = []
    for i in range(6):  # errands right next to the reader
        pool.append(_place(100 + i, "kantor-polisi", "layanan-publik", 50.0 + i))
        pool.append(_place(200 + i, "masjid", "ibadah", 60.0 + i))
    for i in range(4):  # what people go out for, a little further
        pool.append(_place(300 + i, "soto-bubur", "kuliner", 600.0 + 10 * i))
        pool.append(_place(400 + i, "restoran", "kuliner", 600.0 + 10 * i))
        pool.append(_place(500 + i, "kafe-kopi", "kafe-kopi", 600.0 + 10 * i))
        pool.append(_place(600 + i, "minimarket", "belanja", 650.0 + 10 * i))
    return pool


def _top(at: datetime, **kwargs: object) -> list[Candidate]:
    pool = _pool()
    by_id = {c.business_id: c for c in pool}
    context = Context(lat=0.0, lon=0.0, at=at, **kwargs)  # type: ignore[arg-type]
    return [by_id[r.business_id] for r in rank(context, pool, mix=PROFILE, limit=10)]


def test_a_general_list_leaves_out_errands() -> None:
    top = _top(datetime(2026, 3, 3, 12, 0, tzinfo=JAKARTA))
    assert {c.family for c in top} <= {"kuliner", "kafe-kopi", "belanja"}


def test_without_the_mix_the_nearest_errands_would_win() -> None:
    pool = _pool()
    by_id = {c.business_id: c for c in pool}
    context = Context(lat=0.0, lon=0.0, at=datetime(2026, 3, 3, 12, 0, tzinfo=JAKARTA))
    top = [by_id[r.business_id] for r in rank(context, pool, limit=10)]
    assert any(c.family in ("layanan-publik", "ibadah") for c in top)


def test_asking_for_them_brings_them_back() -> None:
    top = _top(datetime(2026, 3, 3, 12, 0, tzinfo=JAKARTA), category="kantor-polisi")
    assert top[0].category == "kantor-polisi"
    top = _top(datetime(2026, 3, 3, 12, 0, tzinfo=JAKARTA), text="masjid")
    assert any(c.family == "ibadah" for c in top)


def test_the_readers_own_history_brings_a_family_back() -> None:
    at = datetime(2026, 3, 3, 12, 0, tzinfo=JAKARTA)
    history = build_history(
        [(200, datetime(2026, 3, d, 12, 0, tzinfo=JAKARTA), "visit") for d in (1, 2)],
        user_id="r",
    )
    pool = _pool()
    by_id = {c.business_id: c for c in pool}
    context = Context(lat=0.0, lon=0.0, at=at, user_id="r")
    top = [by_id[r.business_id] for r in rank(context, pool, history=history, mix=PROFILE)][:10]
    assert any(c.family == "ibadah" for c in top)
    assert not any(c.family == "layanan-publik" for c in top)


def test_breakfast_in_the_morning_dinner_at_night_coffee_in_the_afternoon() -> None:
    morning = _top(datetime(2026, 3, 3, 7, 0, tzinfo=JAKARTA))
    night = _top(datetime(2026, 3, 3, 19, 30, tzinfo=JAKARTA))
    afternoon = _top(datetime(2026, 3, 3, 15, 30, tzinfo=JAKARTA))
    assert morning[0].category == "soto-bubur"
    assert night[0].category == "restoran"
    assert afternoon[0].category == "kafe-kopi"


def test_on_a_place_page_similar_and_complementary_places_come_first() -> None:
    pool = _pool()
    by_id = {c.business_id: c for c in pool}
    context = Context(lat=0.0, lon=0.0, at=datetime(2026, 3, 3, 12, 0, tzinfo=JAKARTA))
    top = [
        by_id[r.business_id]
        for r in rank(context, pool, mix=PROFILE, anchor_family="kafe-kopi", limit=6)
    ]
    assert {c.family for c in top} <= {"kafe-kopi", "kuliner"}
    assert top[0].family == "kafe-kopi"


def test_learned_shares_move_from_the_prior_to_what_readers_pick() -> None:
    prior = {"kuliner": 0.5, "kafe-kopi": 0.5}
    assert learned_shares(prior, {}, prior_weight=200) == {"kafe-kopi": 0.5, "kuliner": 0.5}
    shares = learned_shares(prior, {"kafe-kopi": 5_000.0, "kuliner": 500.0}, prior_weight=200)
    assert shares["kafe-kopi"] > 0.85 > shares["kuliner"]
    assert abs(sum(shares.values()) - 1.0) < 1e-9


def test_dayparts() -> None:
    parts = [daypart_of(datetime(2026, 3, 3, h, 0)) for h in (6, 12, 15, 20, 2)]
    assert parts == [0, 1, 2, 3, 4]
