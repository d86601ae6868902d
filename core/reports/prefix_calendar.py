"""``PrefixCalendar``: a business calendar that answers ``between`` in two lookups.

The SLA reports ask the calendar for business time between two instants tens
of thousands of times over the same few months; this calendar precomputes
the cumulative business time of a span of days once.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time, timedelta

from core.business_calendar import BusinessCalendar


class PrefixCalendar(BusinessCalendar):
    """A ``BusinessCalendar`` whose ``between`` is two lookups in cumulative business time.

    The reports ask ``between`` tens of thousands of times over the same few
    months, and the base calendar walks day by day on each call. This one
    precomputes every window of ``[first, last]`` (local dates) once; outside
    that span it falls back to the base implementation. Same answers, to the
    microsecond.
    """

    MAX_DAYS = 3660

    def __init__(self, base: BusinessCalendar, first: date, last: date) -> None:
        super().__init__(base.tz, base.workdays, base.opens, base.closes, base.country, base.subdivision,
                         base.extra_holidays)
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._before: list[int] = []
        total = 0
        day = first
        while day <= last:
            if self.is_business_day(day):
                start = _micros(datetime.combine(day, self.opens, tzinfo=self.zone))
                end = _micros(datetime.combine(day, self.closes, tzinfo=self.zone))
                if end > start:
                    self._starts.append(start)
                    self._ends.append(end)
                    self._before.append(total)
                    total += end - start
            day += timedelta(days=1)
        self._lo = _micros(datetime.combine(first, time(0), tzinfo=self.zone))
        self._hi = _micros(datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.zone))

    @classmethod
    def over(cls, base: BusinessCalendar, earliest: datetime, latest: datetime) -> BusinessCalendar:
        """``base`` sped up for instants between ``earliest`` and ``latest`` (``base`` itself for huge spans)."""
        first = earliest.astimezone(base.zone).date() - timedelta(days=1)
        last = latest.astimezone(base.zone).date() + timedelta(days=1)
        if (last - first).days > cls.MAX_DAYS:
            return base
        return cls(base, first, last)

    def _elapsed(self, at: int) -> int:
        i = bisect.bisect_right(self._starts, at) - 1
        return 0 if i < 0 else self._before[i] + min(at, self._ends[i]) - self._starts[i]

    def between(self, a: datetime, b: datetime) -> timedelta:
        if a.tzinfo is None or b.tzinfo is None:
            return super().between(a, b)  # raises the base calendar's error
        start, stop = _micros(a), _micros(b)
        if stop <= start:
            return timedelta(0)
        if start < self._lo or stop > self._hi:
            return super().between(a, b)
        return timedelta(microseconds=self._elapsed(stop) - self._elapsed(start))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)
