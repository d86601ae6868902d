"""What the reports share: the months' time zone and how figures are rounded.

Durations print as minutes to one decimal, medians likewise, percentages to
one decimal; each is ``None`` when there is nothing to measure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

from core.billing import month_bounds

TIMEZONE_NAME = "America/Sao_Paulo"


def in_minutes(value: timedelta | None) -> float | None:
    """``value`` in minutes, to one decimal."""
    return None if value is None else round(value.total_seconds() / 60, 1)


def median_minutes(values: Sequence[timedelta]) -> float | None:
    """The median of ``values`` in minutes, to one decimal; ``None`` without values."""
    if not values:
        return None
    return round(statistics.median(v.total_seconds() for v in values) / 60, 1)


def pct(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, to one decimal; ``None`` when ``whole`` is 0."""
    return None if whole == 0 else round(100 * part / whole, 1)


def month_period(month: str | None) -> tuple[datetime, datetime] | None:
    """The bounds of ``month`` ("YYYY-MM", already parsed), or ``None`` for all time."""
    return None if month is None else month_bounds(month)
