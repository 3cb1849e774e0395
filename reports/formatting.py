"""Numbers, scores and moments as Indonesian documents write them (decimal comma, WIB)."""

from __future__ import annotations

from datetime import datetime

from domain.presentation import MINISTRY_TZ, score, when
from domain.scoring import CoachingLevel

__all__ = ["coaching", "local", "number", "percent", "score", "stars", "when"]


def number(value: int) -> str:
    """`1234` -> `1.234`."""
    return f"{value:,}".replace(",", ".")


def percent(share: float) -> str:
    """`0.8` -> `80,0%`."""
    return f"{share * 100:.1f}%".replace(".", ",")


def stars(count: int | None) -> str:
    """`3` -> `★★★`; none -> `-`."""
    return "★" * count if count else "-"


def local(moment: datetime) -> datetime:
    """The moment on the ministry's clock (WIB) without a zone, as spreadsheets keep it."""
    return moment.astimezone(MINISTRY_TZ.tzinfo).replace(tzinfo=None)


_COACHING_SHORT = {
    CoachingLevel.CENTRAL: "Pusat",
    CoachingLevel.PROVINCE: "Provinsi",
    CoachingLevel.REGENCY: "Kabupaten/Kota",
}


def coaching(level: CoachingLevel | None) -> str:
    """Who coaches the winner next, short enough for a table column."""
    return _COACHING_SHORT[level] if level else "-"
