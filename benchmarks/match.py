"""Benchmark of duplicate matching (directory.businesses.matching) on labelled synthetic pairs.

Usage: python benchmarks/match.py [--seed N] [--pairs N] [--data-dir DIR] [--errors N]

Business names, coordinates and addresses come from the Zomato restaurant list in
``../shared/data/zomato_restaurants/zomato.csv.gz`` (real names; chains repeat there),
plus a built-in list of Indonesian-style names placed around Tangerang Selatan. Without
the Zomato file the built-in list is used alone and the script says so.

Pairs are built deterministically from ``--seed``; half are true duplicates (typos,
abbreviations, reordered words, generic prefixes, branch suffixes, points moved ≤ 80 m,
phones written differently or missing) and half are not (other branches of a chain
1-5 km apart, real and made-up neighbours with similar names 50-300 m away, names that
share a generic word, different names behind one phone). The labels are decided here
without calling the matcher. Prints counts, precision/recall/F1 at MATCH_THRESHOLD, a
threshold sweep, per-kind accuracy and the worst errors. No timing assertions.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.businesses.matching import MATCH_THRESHOLD, MatchCandidate, MatchQuery, score_match
from directory.geo import METERS_PER_DEG_LAT, distance_m, valid_coordinates  # noqa: E402

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
ZOMATO_FILE = Path("zomato_restaurants") / "zomato.csv.gz"
TANGSEL = (-6.29, 106.68)

BUILTIN_NAMES = (
    "Kopi Kenangan",
    "Kopi Kenari",
    "Janji Jiwa",
    "Kopi Janji Jiwa",
    "Indomaret",
    "Alfamart",
    "Warung Sate Pak Budi",
    "Warung Soto Pak Budi",
    "Bakso Pak Kumis",
    "Mie Ayam Pak Kumis",
    "Sate Khas Senayan",
    "Soto Ayam Lamongan Cak Har",
    "Rumah Makan Padang Sederhana",
    "Martabak Bangka Asiong",
    "Mie Gacoan",
    "Ayam Geprek Bensu",
    "Pecel Lele Lela",
    "Bebek Kaleyo",
    "Roti Bakar Eddy",
    "Toko Roti Sinar Jaya",
    "Toko Bangunan Sumber Rejeki",
    "Toko Bangunan Sumber Makmur",
    "Bengkel Motor Jaya Abadi",
    "Apotek Kimia Farma",
    "Laundry Bersih Wangi",
    "Salon Cantik Ayu",
    "Warteg Bahari",
    "Warteg Kharisma Bahari",
    "Nasi Uduk Kebon Kacang",
    "Gado-Gado Bon Bin",
    "Es Teler 77",
    "Bakmi GM",
    "Solaria",
    "Hokben",
    "Richeese Factory",
    "Sushi Tei",
    "Kedai Kopi Kulo",
    "Kopi Tuku",
    "Toko Kopi Tuku",
    "Depot Mie Bu Tini",
    "Ayam Bakar Wong Solo",
    "Sop Buntut Cut Meutia",
    "Rawon Setan Mbak Endang",
    "Nasi Goreng Kambing Kebon Sirih",
    "Klinik Pratama Sehat",
    "Fotokopi Berkah",
    "Bubur Ayam Barito",
    "Martabak Orins",
    "Pempek Palembang Cek Molek",
    "Seblak Jeletot Teh Ela",
    "Kerak Telor Bang Jali",
    "Ketoprak Ciragil",
    "Ayam Penyet Ria",
    "Warung Tekko",
    "Sari Ratu",
    "Gudeg Yu Djum",
    "Tahu Sumedang Ibu Ani",
    "Toko Kelontong Barokah",
    "Cuci Mobil Kinclong",
)
STREETS = (
    "Jl. Pahlawan Seribu",
    "Jl. BSD Raya Utama",
    "Jl. Raya Serpong",
    "Jl. Alam Sutera Boulevard",
    "Jl. Ciputat Raya",
    "Jl. Siliwangi",
    "Jl. Graha Raya Bintaro",
    "Jl. Raya Pamulang",
    "Jl. Gading Serpong Boulevard",
    "Jl. Raya Puspiptek",
    "Jl. Letnan Sutopo",
    "Jl. Rawa Buntu",
)
AREAS = ("BSD", "Alam Sutera", "Bintaro", "Gading Serpong", "Pamulang", "Ciputat", "Serpong")
GENERIC_PREFIXES = ("Warung ", "Toko ", "RM ", "Kedai ", "Rumah Makan ", "Depot ")
# Words a look-alike neighbour never changes: swapping "Warung" for "Warteg" is no new place.
GENERIC_WORDS = frozenset(
    {
        "warung",
        "warteg",
        "toko",
        "kedai",
        "rumah",
        "makan",
        "depot",
        "restaurant",
        "restoran",
        "resto",
        "restro",
        "the",
    }
)
ABBREVIATIONS = (
    ("Restaurant", "Resto"),
    ("Restaurant", "Restoran"),
    ("Rumah Makan", "RM"),
    ("Rumah Makan", "RM."),
    (" and ", " & "),
    (" & ", " and "),
    ("Cafe", "Café"),
    ("Coffee", "Kopi"),
)
# Swaps that make another business from the same street: this list is the benchmark's own.
TRADE_SWAPS = {
    "sate": "Soto",
    "soto": "Sate",
    "bakso": "Bakmi",
    "mie": "Bakso",
    "ayam": "Bebek",
    "bebek": "Ayam",
    "kopi": "Teh",
    "pizza": "Pasta",
    "chicken": "Mutton",
    "sweets": "Snacks",
    "snacks": "Sweets",
    "cafe": "Bar",
    "bar": "Cafe",
    "bakery": "Cakes",
    "coffee": "Tea",
    "kitchen": "Grill",
    "grill": "Kitchen",
    "dhaba": "Hotel",
    "roti": "Kue",
    "nasi": "Bubur",
    "motor": "Mobil",
    "chinese": "Thai",
    "biryani": "Kebab",
    "momos": "Rolls",
    "tea": "Juice",
}


@dataclass(frozen=True)
class Place:
    """One business as a listing would hold it."""

    name: str
    lat: float
    lon: float
    address: str
    phone: str | None = None


@dataclass(frozen=True)
class Pair:
    """A labelled (query, candidate) pair and the way it was made."""

    kind: str
    query: MatchQuery
    candidate: MatchCandidate
    same: bool


def load_zomato(data_dir: Path) -> list[Place] | None:
    """Zomato rows with valid coordinates, or None when the file is absent."""
    path = data_dir / ZOMATO_FILE
    if not path.exists():
        return None
    places = []
    with gzip.open(path, "rt", encoding="latin-1", newline="") as fh:
        for row in csv.DictReader(fh):
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            if valid_coordinates(lat, lon) and row["Restaurant Name"].strip():
                places.append(Place(row["Restaurant Name"].strip(), lat, lon, row["Address"]))
    return places


def offset(lat: float, lon: float, dist_m: float, rng: random.Random) -> tuple[float, float]:
    """A point ``dist_m`` away from (lat, lon) in a random direction."""
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = dist_m * math.cos(bearing) / METERS_PER_DEG_LAT
    dlon = dist_m * math.sin(bearing) / (METERS_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def builtin_places(rng: random.Random) -> list[Place]:
    """The built-in names scattered over Tangerang Selatan with made-up street addresses."""
    places = []
    for name in BUILTIN_NAMES:
        lat, lon = offset(*TANGSEL, rng.uniform(0, 9000), rng)
        address = f"{rng.choice(STREETS)} No. {rng.randint(1, 180)}, {rng.choice(AREAS)}"
        places.append(Place(name, lat, lon, address))
    return places


def new_phone(rng: random.Random) -> str:
    """A random Indonesian mobile number in E.164."""
    return f"+628{rng.choice('1235789')}{rng.randint(10_000_000, 99_999_999)}"


def reformat_phone(e164: str, rng: random.Random) -> str:
    """The same number as people type it: 0 prefix, spaces, dashes or bare digits."""
    local = "0" + e164[3:]
    style = rng.randrange(4)
    if style == 0:
        return f"{local[:4]}-{local[4:8]}-{local[8:]}"
    if style == 1:
        return f"+62 {e164[3:6]} {e164[6:10]} {e164[10:]}"
    if style == 2:
        return e164[1:]
    return local


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a letter substituted, dropped, doubled or swapped with the next."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 3:
        return text
    i = rng.choice(positions)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    j = min(i + 1, len(text) - 1)
    return text[:i] + text[j] + text[i] + text[j + 1 :]


def perturb_name(name: str, rng: random.Random) -> str:
    """A way the same business gets written by someone else: 1-3 edits of different kinds.

    Edits of the name itself come first, then generic prefixes and branch suffixes, then
    case, the order in which people actually produce such variants.
    """
    ops: list[Callable[[str], str]] = [
        lambda s: typo(s, rng) if rng.random() < 0.6 else typo(typo(s, rng), rng),
        lambda s: abbreviate(s, rng),
        lambda s: reorder(s, rng),
        lambda s: toggle_generic(s, rng),
        lambda s: add_branch(s, rng),
        lambda s: rng.choice((s.upper(), s.lower(), s.replace("'", ""), s.replace(" ", "  "))),
    ]
    chosen = sorted(rng.sample(range(len(ops)), rng.choice((1, 1, 2, 2, 3))))
    for i in chosen:
        name = ops[i](name)
    return name


def add_branch(name: str, rng: random.Random) -> str:
    """A branch suffix: "- BSD", "(Alam Sutera)", "Cabang Bintaro", a bare area name."""
    area = rng.choice(AREAS)
    style = rng.randrange(5)
    if style == 0:
        return f"{name} - {area}"
    if style == 1:
        return f"{name} ({area})"
    if style == 2:
        return f"{name} Cabang {area}"
    if style == 3:
        return f"{name} Outlet {area}"
    return f"{name} {area}"


def abbreviate(name: str, rng: random.Random) -> str:
    """Restaurant→Resto, Rumah Makan→RM and friends; a case change when none applies."""
    options = [(a, b) for a, b in ABBREVIATIONS if a.lower() in name.lower()]
    if not options:
        return name.title() if rng.random() < 0.5 else name.lower()
    old, new = rng.choice(options)
    return re.sub(re.escape(old), new, name, count=1, flags=re.IGNORECASE)


def reorder(name: str, rng: random.Random) -> str:
    """Two neighbouring words of the name proper swapped ("Kopi Kenangan" → "Kenangan Kopi")."""
    head, sep, tail = name.partition(" - ")
    parts = head.split()
    slots = [i for i in range(len(parts) - 1) if parts[i].isalpha() and parts[i + 1].isalpha()]
    if not slots:
        return name
    i = rng.choice(slots)
    parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return " ".join(parts) + sep + tail


def toggle_generic(name: str, rng: random.Random) -> str:
    """Remove a generic prefix such as "Warung " when present, else add one."""
    for prefix in GENERIC_PREFIXES:
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix) :]
    return rng.choice(GENERIC_PREFIXES) + name


def perturb_address(address: str, rng: random.Random) -> str:
    """The same address written differently: Jl./Jalan, dropped tail, case."""
    out = address.replace("Jl.", "Jalan") if "Jl." in address else address.replace(", ", " ")
    if "," in out and rng.random() < 0.5:
        out = out.rsplit(",", 1)[0]
    return out.lower() if rng.random() < 0.3 else out


def other_number(address: str, rng: random.Random) -> str:
    """A neighbour on the same street: the house number changed (or one added)."""
    numbers = re.findall(r"\d+", address)
    if not numbers:
        return f"{address} No. {rng.randint(1, 99)}"
    old = rng.choice(numbers)
    return address.replace(old, str(int(old) + rng.randint(3, 40)), 1)


def words(name: str) -> list[str]:
    """Plain lower-case words, used only to decide labels (independent of the matcher)."""
    return re.findall(r"[a-z0-9]+", name.lower().replace("'s", "").replace("'", ""))


class PairMaker:
    """Builds labelled pairs from a pool of places, deterministically from one RNG."""

    def __init__(self, places: Sequence[Place], rng: random.Random) -> None:
        self.places = list(places)
        self.rng = rng
        self.by_name: dict[str, list[Place]] = defaultdict(list)
        for p in self.places:
            self.by_name[p.name].append(p)
        self.vocab = sorted({w for p in self.places for w in words(p.name) if len(w) >= 4})
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for name in sorted(self.by_name):
            for w in sorted(set(words(name))):
                self.by_word[w].append(name)
        self.chain_pairs = self._chain_pairs()
        self.near_pairs = self._near_pairs()

    def _chain_pairs(self) -> list[tuple[Place, Place]]:
        """Real rows with one name 1-5 km apart: other outlets of a chain."""
        out = []
        for name in sorted(self.by_name):
            rows = self.by_name[name]
            for i, a in enumerate(rows):
                for b in rows[i + 1 :]:
                    if 1000 <= distance_m(a.lat, a.lon, b.lat, b.lon) <= 5000:
                        out.append((a, b))
        return out

    def _near_pairs(self) -> list[tuple[Place, Place]]:
        """Real rows 50-300 m apart with related but distinct names (grid of ~330 m cells)."""
        cell = 0.003
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, p in enumerate(self.places):
            grid[(int(p.lat // cell), int(p.lon // cell))].append(i)
        out = []
        for (gy, gx), members in sorted(grid.items()):
            near = [
                j
                for dy in (-1, 0, 1)
                for dx in (-1, 0, 1)
                for j in grid.get((gy + dy, gx + dx), [])
            ]
            for i in members:
                a = self.places[i]
                for j in near:
                    b = self.places[j]
                    if j > i and self._is_real_neighbour(
                        a, b, distance_m(a.lat, a.lon, b.lat, b.lon)
                    ):
                        out.append((a, b))
        return out

    @staticmethod
    def _is_real_neighbour(a: Place, b: Place, d: float) -> bool:
        """Different listings 50-300 m apart sharing a word, neither name inside the other."""
        if not 50 <= d <= 300:
            return False
        wa, wb = set(words(a.name)), set(words(b.name))
        return bool(wa & wb) and distinct_names(a.name, b.name)

    def phone_pair(self, *, same: bool, present: float = 0.75) -> tuple[str | None, str | None]:
        """Phones for query and candidate: the same number re-typed, or two numbers."""
        rng = self.rng
        if same:
            number = new_phone(rng) if rng.random() < present else None
            if number is None or rng.random() < 0.3:
                return None, number
            return reformat_phone(number, rng), number
        q = new_phone(rng) if rng.random() < present else None
        c = new_phone(rng) if rng.random() < present else None
        return q, c

    def pair(self, kind: str, q: Place, c: Place, *, same: bool) -> Pair:
        """Wrap two places as a labelled pair."""
        query = MatchQuery(name=q.name, lat=q.lat, lon=q.lon, phone=q.phone, address=q.address)
        cand = MatchCandidate(
            business_id=0, name=c.name, lat=c.lat, lon=c.lon, phone=c.phone, address=c.address
        )
        if self.rng.random() < 0.5:
            query = replace(query, address=None)
        return Pair(kind, query, cand, same)

    def duplicate(self) -> Pair:
        """The same business written again by another submitter."""
        rng = self.rng
        base = rng.choice(self.places)
        qphone, cphone = self.phone_pair(same=True)
        lat, lon = offset(base.lat, base.lon, rng.uniform(0, 80), rng)
        q = Place(
            perturb_name(base.name, rng), lat, lon, perturb_address(base.address, rng), qphone
        )
        return self.pair("duplicate", q, replace(base, phone=cphone), same=True)

    def chain_branch(self) -> Pair:
        """Another outlet of the same chain 1-5 km away with its own phone."""
        rng = self.rng
        qphone: str | None = new_phone(rng)
        cphone: str | None = new_phone(rng)
        if rng.random() < 0.25:
            qphone, cphone = rng.choice(((None, cphone), (qphone, None)))
        if self.chain_pairs and rng.random() < 0.8:
            a, b = rng.choice(self.chain_pairs)
        else:
            a = rng.choice(self.places)
            lat, lon = offset(a.lat, a.lon, rng.uniform(1000, 5000), rng)
            b = replace(a, lat=lat, lon=lon, address=other_number(a.address, rng))
        if rng.random() < 0.3:
            a = replace(a, name=f"{a.name} {rng.choice(AREAS)}")
        return self.pair(
            "chain_branch", replace(a, phone=qphone), replace(b, phone=cphone), same=False
        )

    def similar_neighbour(self) -> Pair:
        """A different business 50-300 m away whose name differs by one word."""
        rng = self.rng
        made: tuple[str, str] | None = None
        if not (self.near_pairs and rng.random() < 0.35):
            while made is None:
                a = rng.choice(self.places)
                made = self._neighbour_name(a.name)
            name, kind = made
            lat, lon = offset(a.lat, a.lon, rng.uniform(50, 300), rng)
            b = Place(name, lat, lon, other_number(a.address, rng))
        else:
            a, b = rng.choice(self.near_pairs)
            kind = "neighbour_real"
        qphone, cphone = self.phone_pair(same=False)
        return self.pair(kind, replace(a, phone=qphone), replace(b, phone=cphone), same=False)

    def _neighbour_name(self, name: str) -> tuple[str, str] | None:
        """Swap a trade word (Sate → Soto) or a distinctive word for a real look-alike word."""
        parts = name.split()
        trades = [i for i, w in enumerate(parts) if w.lower().strip("'&.,") in TRADE_SWAPS]
        if trades and self.rng.random() < 0.5:
            i = self.rng.choice(trades)
            parts[i] = TRADE_SWAPS[parts[i].lower().strip("'&.,")]
            return " ".join(parts), "neighbour_trade"
        slots = [
            i
            for i, w in enumerate(parts)
            if len(words(w)) == 1 and len(words(w)[0]) >= 4 and words(w)[0] not in GENERIC_WORDS
        ]
        if not slots:
            return None
        i = self.rng.choice(slots)
        w = words(parts[i])[0]
        alike = [
            v
            for v in self.vocab
            if v != w and v[:2] == w[:2] and edit_distance(v, w) >= 2 and abs(len(v) - len(w)) <= 2
        ]
        if not alike:
            return None
        parts[i] = self.rng.choice(alike).title()
        return " ".join(parts), "neighbour_word"

    def shared_word(self) -> Pair:
        """Two different businesses nearby whose names share one (often generic) word."""
        rng = self.rng
        other = None
        while other is None:
            a = rng.choice(self.places)
            shared = [w for w in sorted(set(words(a.name))) if len(self.by_word[w]) > 1]
            if not shared:
                continue
            pool = self.by_word[rng.choice(shared)]
            tries = rng.sample(pool, min(len(pool), 20))
            other = next((n for n in tries if distinct_names(a.name, n)), None)
        lat, lon = offset(a.lat, a.lon, rng.uniform(50, 300), rng)
        b = Place(other, lat, lon, other_number(a.address, rng))
        qphone, cphone = self.phone_pair(same=False)
        return self.pair(
            "shared_word", replace(a, phone=qphone), replace(b, phone=cphone), same=False
        )

    def same_phone_other_name(self) -> Pair:
        """One owner, two unrelated businesses (or one switchboard) at the same spot."""
        rng = self.rng
        a, b = rng.choice(self.places), rng.choice(self.places)
        while set(words(a.name)) & set(words(b.name)):
            b = rng.choice(self.places)
        number = new_phone(rng)
        lat, lon = offset(a.lat, a.lon, rng.uniform(0, 50), rng)
        q = replace(a, phone=reformat_phone(number, rng))
        return self.pair(
            "same_phone_only", q, Place(b.name, lat, lon, a.address, number), same=False
        )


def distinct_names(a: str, b: str) -> bool:
    """Whether two real listings can be trusted to be different businesses.

    Not when one name's words hold the other's ("Om Sweets" / "Om Sweets & Snacks") or the
    names are two edits apart ("Baskin Robbins" / "Baskin Robbin"): such rows are as
    likely a chain spelled two ways as two businesses, so they make no honest label.
    """
    wa, wb = set(words(a)), set(words(b))
    if wa <= wb or wb <= wa:
        return False
    return edit_distance(" ".join(words(a)), " ".join(words(b))) > 2


def edit_distance(a: str, b: str) -> int:
    """Plain Levenshtein distance (kept here so labels never depend on rapidfuzz)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def build_pairs(
    places: Sequence[Place], builtin: Sequence[Place], n_pairs: int, rng: random.Random
) -> list[Pair]:
    """Half duplicates, half non-duplicates of each kind; a quarter from the built-in names."""
    makers = (
        [PairMaker(places, rng), PairMaker(builtin, rng)] if places else [PairMaker(builtin, rng)]
    )
    pairs = []
    for k in range(n_pairs):
        maker = makers[-1] if len(makers) == 1 or k % 4 == 3 else makers[0]
        if k % 2 == 0:
            pairs.append(maker.duplicate())
            continue
        roll = rng.random()
        if roll < 0.35:
            pairs.append(maker.chain_branch())
        elif roll < 0.70:
            pairs.append(maker.similar_neighbour())
        elif roll < 0.85:
            pairs.append(maker.shared_word())
        else:
            pairs.append(maker.same_phone_other_name())
    return pairs


def progress(items: Sequence[Pair]) -> Iterator[Pair]:
    """Iterate with a rich progress bar when stdout is a terminal, silently otherwise."""
    if not sys.stdout.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, description="scoring pairs")


def prf(scored: Sequence[tuple[Pair, float]], threshold: float) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) at a threshold."""
    tp = sum(1 for p, s in scored if p.same and s >= threshold)
    fp = sum(1 for p, s in scored if not p.same and s >= threshold)
    fn = sum(1 for p, s in scored if p.same and s < threshold)
    return tp, fp, fn, len(scored) - tp - fp - fn


def ratios(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def describe(pair: Pair, score: float) -> str:
    """One line for an error listing."""
    q, c = pair.query, pair.candidate
    return (
        f"  {score:.3f} [{pair.kind}] {q.name!r} vs {c.name!r} phones {q.phone}/{c.phone} "
        f"d={distance_m(q.lat or 0, q.lon or 0, c.lat or 0, c.lon or 0):.0f}m"
    )


def report(scored: Sequence[tuple[Pair, float]], n_errors: int) -> None:
    """Print counts, metrics at the threshold, the sweep, per-kind accuracy and errors."""
    tp, fp, fn, tn = prf(scored, MATCH_THRESHOLD)
    p, r, f1 = ratios(tp, fp, fn)
    print(f"pairs {len(scored)}: {tp + fn} duplicates, {fp + tn} non-duplicates")
    print(
        f"at MATCH_THRESHOLD={MATCH_THRESHOLD}: TP {tp} FP {fp} FN {fn} TN {tn}  "
        f"precision {p:.3f} recall {r:.3f} F1 {f1:.3f}"
    )
    print("\nthreshold  precision  recall  F1")
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        p, r, f1 = ratios(*prf(scored, t)[:3])
        print(f"  {t:.1f}        {p:.3f}     {r:.3f}  {f1:.3f}")
    print("\nkind               pairs  correct")
    kinds: dict[str, list[bool]] = defaultdict(list)
    for pair, s in scored:
        kinds[pair.kind].append((s >= MATCH_THRESHOLD) == pair.same)
    for kind in sorted(kinds):
        ok = kinds[kind]
        print(f"  {kind:17} {len(ok):6}  {sum(ok) / len(ok):.3f}")
    if n_errors:
        fps = sorted(
            (x for x in scored if not x[0].same and x[1] >= MATCH_THRESHOLD), key=lambda x: -x[1]
        )
        fns = sorted(
            (x for x in scored if x[0].same and x[1] < MATCH_THRESHOLD), key=lambda x: x[1]
        )
        print("\nworst false matches:")
        for pair, s in fps[:n_errors]:
            print(describe(pair, s))
        print("worst missed duplicates:")
        for pair, s in fns[:n_errors]:
            print(describe(pair, s))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, build pairs, score them and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pairs", type=int, default=4000)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--errors", type=int, default=5, help="worst errors to list per side")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    places = load_zomato(args.data_dir)
    if places is None:
        print(
            f"NOTE: {args.data_dir / ZOMATO_FILE} not found; using the built-in "
            f"{len(BUILTIN_NAMES)} Indonesian-style names only."
        )
        places = []
    else:
        print(
            f"names: {len(places)} Zomato rows ({len({p.name for p in places})} distinct) "
            f"+ {len(BUILTIN_NAMES)} built-in Indonesian-style names; seed {args.seed}"
        )
    pairs = build_pairs(places, builtin_places(rng), args.pairs, rng)
    scored = [(pair, score_match(pair.query, pair.candidate).score) for pair in progress(pairs)]
    report(scored, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
