"""The sentences an owner reads, in Indonesian (default) and English.

Each sentence states only what the re-ranked result showed: a rank, a change of rank, or
(for fields nothing ranks on) that the rank stays the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

_DAYS: Final = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _en(lang: str) -> bool:
    return lang == "en"


def when(at: datetime, lang: str) -> str:
    """A weekday and clock time: "Sabtu 12.00" / "Saturday 12:00"."""
    day = _DAYS["en" if _en(lang) else "id"][at.weekday()]
    return f"{day} {at:%H:%M}" if _en(lang) else f"{day} {at:%H.%M}"


def move(before: int | None, after: int, lang: str) -> str:
    """How the rank changed: "naik dari urutan 5 ke 2" / "muncul di urutan 2 (…)"."""
    if before is None:
        if _en(lang):
            return f"you appear at position {after} (today you do not appear)"
        return f"Anda muncul di urutan {after} (sekarang tidak muncul)"
    if _en(lang):
        return f"you move up from position {before} to {after}"
    return f"Anda naik dari urutan {before} ke {after}"


def _of(out_of: int, complete: bool, lang: str) -> str:
    if complete:
        return f"{out_of}"
    return f"more than {out_of}" if _en(lang) else f"lebih dari {out_of}"


def category_nearby(count: int, rank: int | None, category: str, lang: str) -> str:
    """The category line: "Kategori Anda: 14 tempat dalam 1 km, Anda di urutan 6"."""
    if _en(lang):
        head = f"Your category ({category}): {count} places within 1 km"
        return f"{head}, you are number {rank} by rating." if rank else f"{head}."
    head = f"Kategori Anda ({category}): {count} tempat dalam 1 km"
    return f"{head}, Anda di urutan {rank} menurut penilaian." if rank else f"{head}."


def search_position(q: str, rank: int | None, out_of: int, complete: bool, lang: str) -> str:
    """Where the listing is for one search."""
    n = _of(out_of, complete, lang)
    if _en(lang):
        if rank is None:
            return f"Search '{q}': you are not among the {n} results."
        return f"Search '{q}': you are number {rank} of {n}."
    if rank is None:
        return f"Pencarian '{q}': Anda tidak ada di antara {n} hasil."
    return f"Pencarian '{q}': Anda di urutan {rank} dari {n}."


def recommendation_position(category: str | None, rank: int | None, out_of: int, lang: str) -> str:
    """Where the listing is in recommendations shown near it (all, or its category)."""
    if _en(lang):
        what = f"Recommendations for {category} nearby" if category else "Recommendations nearby"
        if rank is None:
            return f"{what}: you are not among the {out_of} places shown."
        return f"{what}: you are number {rank} of {out_of}."
    what = f"Rekomendasi {category} di sekitar" if category else "Rekomendasi di sekitar"
    if rank is None:
        return f"{what}: Anda tidak ada di antara {out_of} tempat yang ditampilkan."
    return f"{what}: Anda di urutan {rank} dari {out_of}."


def hours_search(hours: str, at: datetime, q: str, before: int | None, after: int,
                 lang: str) -> str:  # fmt: skip
    """Opening hours → the open-now search."""
    if _en(lang):
        return (f"Add your opening hours: with hours {hours}, on {when(at, lang)} a search for "
                f"'{q}' finds you — {move(before, after, lang)}.")  # fmt: skip
    return (f"Tambahkan jam buka: dengan jam {hours}, pada {when(at, lang)} pencarian '{q}' "
            f"menemukan Anda — {move(before, after, lang)}.")  # fmt: skip


def hours_recommendation(hours: str, at: datetime, category: str, before: int | None,
                         after: int, lang: str) -> str:  # fmt: skip
    """Opening hours → the open-now signal of recommendations."""
    if _en(lang):
        return (f"Add your opening hours: with hours {hours}, on {when(at, lang)} in "
                f"recommendations for {category} nearby {move(before, after, lang)}.")  # fmt: skip
    return (f"Tambahkan jam buka: dengan jam {hours}, pada {when(at, lang)} di rekomendasi "
            f"{category} di sekitar, {move(before, after, lang)}.")  # fmt: skip


def price_search(q: str, before: int | None, after: int, lang: str) -> str:
    """Price level 1 → the "murah" (cheap) search."""
    if _en(lang):
        return (f"If your prices are low, set the price level to 'cheap': a search for "
                f"'{q}' then finds you — {move(before, after, lang)}.")  # fmt: skip
    return (f"Jika harga Anda murah, isi tingkat harga 'murah': pencarian '{q}' lalu "
            f"menemukan Anda — {move(before, after, lang)}.")  # fmt: skip


def description_search(words: str, q: str, before: int | None, after: int, lang: str) -> str:
    """A description naming the category's words → text match."""
    if _en(lang):
        return (f"Add a description that mentions '{words}': in a search for '{q}' "
                f"{move(before, after, lang)}.")  # fmt: skip
    return (f"Tambahkan deskripsi yang menyebut '{words}': di pencarian '{q}' "
            f"{move(before, after, lang)}.")  # fmt: skip


NO_RANK_CHANGE: Final = {
    "photo": {
        "id": "Tambahkan foto: membantu pembaca mengenali tempat Anda, tetapi tidak mengubah "
        "urutan Anda di pencarian atau rekomendasi.",
        "en": "Add a photo: it helps readers recognise your place, but it does not change "
        "your position in search or recommendations.",
    },
    "phone": {
        "id": "Tambahkan nomor telepon: pembaca bisa menghubungi Anda, tetapi urutan Anda di "
        "pencarian atau rekomendasi tidak berubah.",
        "en": "Add a phone number: readers can reach you, but your position in search or "
        "recommendations does not change.",
    },
}
"""Fields that help readers but that no ranking reads (checked by re-ranking each time)."""


def no_rank_change(field: str, lang: str) -> str:
    """The honest note for a field that does not move the listing."""
    return NO_RANK_CHANGE[field]["en" if _en(lang) else "id"]


SECTION: Final = {
    "id": {
        "title": "Posisi Anda di pencarian dan rekomendasi",
        "positions": "Posisi sekarang",
        "hints": "Yang akan mengubah posisi Anda",
        "no_hints": "Tidak ada isian kosong yang akan menaikkan posisi Anda.",
        "notes": "Juga berguna bagi pembaca",
        "how": "Dihitung dengan menjalankan pencarian dan rekomendasi Dekat yang sebenarnya, "
        "sekali dengan data Anda sekarang dan sekali dengan isian yang disarankan.",
    },
    "en": {
        "title": "Your position in search and recommendations",
        "positions": "Where you are now",
        "hints": "What would change your position",
        "no_hints": "No empty field would move you up.",
        "notes": "Also useful to readers",
        "how": "Computed by running Dekat's real search and recommendations, once with your "
        "listing as it is and once with the suggested field filled in.",
    },
}
"""Headings of the owner page's hints section (kept here with the sentences they head)."""


def section(lang: str) -> dict[str, str]:
    """The hints section's headings in ``lang``."""
    return SECTION["en" if _en(lang) else "id"]
