"""Numbers, distances, ratings, prices, phones and dates as a reader of each language writes them.

Indonesian uses a decimal comma (``1,2 km``, ``4,6``); English a decimal point. Every
filter here is a pure function of its value and the language, so templates stay simple.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_decimal

from directory.phones import InvalidPhoneError, format_phone_national, whatsapp_url

KM_THRESHOLD_M = 1000.0


def format_distance(distance_m: float | None, lang: str) -> str:
    """``650 m`` below a kilometre (rounded to 10 m), else ``1,2 km`` / ``1.2 km``."""
    if distance_m is None:
        return ""
    if distance_m < KM_THRESHOLD_M:
        return f"{max(10, round(distance_m / 10) * 10)} m"
    km = distance_m / 1000.0
    pattern = "#,##0.0" if km < 100 else "#,##0"
    return f"{format_decimal(km, format=pattern, locale=lang)} km"


def format_rating(rating: float | None, lang: str) -> str:
    """One decimal, in the reader's notation; empty without a rating."""
    if rating is None:
        return ""
    return str(format_decimal(rating, format="0.0", locale=lang))


def format_number(value: int | float, lang: str) -> str:
    """Grouped digits (``1.234`` in Indonesian, ``1,234`` in English)."""
    return str(format_decimal(value, locale=lang))


def format_price(level: int | None) -> str:
    """``Rp``, ``RpRp``... one sign per price level (1–4); empty when unknown."""
    if not level:
        return ""
    return "Rp" * max(1, min(4, level))


def format_phone(e164: str | None) -> str:
    """The national display form of a stored number, or the number itself if odd."""
    if not e164:
        return ""
    try:
        return format_phone_national(e164)
    except InvalidPhoneError:
        return e164


def phone_whatsapp(e164: str | None) -> str | None:
    """The ``wa.me`` link of a mobile number, None for landlines and bad numbers."""
    if not e164:
        return None
    try:
        return whatsapp_url(e164)
    except InvalidPhoneError:
        return None


def format_day(value: datetime | None, lang: str) -> str:
    """A date as ``28 Nov 2026`` / ``Nov 28, 2026``."""
    if value is None:
        return ""
    return str(format_date(value, format="medium", locale=lang))


def stars(rating: float | None) -> str:
    """Five-character star bar (``★★★★☆``) rounded to the nearest whole star."""
    if rating is None:
        return ""
    full = max(0, min(5, round(rating)))
    return "★" * full + "☆" * (5 - full)
