"""Business time: when the support team works, and arithmetic on working hours.

A ``BusinessCalendar`` knows the team's time zone, working weekdays, opening
and closing wall-clock times and holidays (national ones from the ``holidays``
package, the state's too when a subdivision is given, plus any extra dates).
Every business day has one window ``[opening, closing)``; business time is the
real time elapsed inside those windows.

Conventions (the SLA clocks in ``core/sla.py`` rely on them):

- Inputs are timezone-aware datetimes in any zone; naive ones raise
  ``ValueError``. Every datetime returned is aware and in UTC.
- Arithmetic runs on local wall-clock days: each day's opening and closing are
  placed on the calendar's zone with ``zoneinfo`` and converted to UTC, so a
  zone with daylight saving time gets windows of the right real length (the
  day the clocks change, a 08:00-18:00 window spanning the change lasts 9 or
  11 real hours). Brazil has had no DST since 2019; the code does not assume it.
- A window is half-open: the closing instant itself is closed.
- ``add(start, d)`` with ``d > 0`` is the *earliest* instant at which ``d`` of
  business time has elapsed since ``start``; it is either inside a window or
  exactly a closing instant ("due Friday at 18:00", not "Monday at 08:00").
  ``add(start, 0)`` is ``next_open(start)``: the moment the clock would start.
  Hence ``between(start, add(start, d)) == d`` for every ``d >= 0``.

Holidays in the ``holidays`` package (v0.109) for Brazil: the national
"public" category has New Year, Good Friday, Tiradentes (21/04), Labour Day,
Independence (07/09), Aparecida (12/10), All Souls (02/11), Republic (15/11),
Black Awareness (20/11, national since 2024) and Christmas. Carnival (Monday
and Tuesday), Ash Wednesday and Corpus Christi are *not* national holidays
there: the package lists them in its "optional" category (pontos facultativos),
which this calendar does not use. A team that closes on them passes those dates
in ``extra_holidays``. With ``subdivision="SP"`` the state adds 09/07
(Revolução Constitucionalista).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WEEKDAYS: frozenset[int] = frozenset(range(5))
"""Monday (0) to Friday (4), ``date.weekday()`` numbering."""

# A calendar that finds no business day in this many days is misconfigured
# (e.g. every workday listed as a holiday); refuse instead of looping forever.
_MAX_CLOSED_DAYS = 800
# Days whose window is remembered (about twenty years); the cache is simply emptied when full.
_WINDOW_CACHE_SIZE = 8192

_WEEKDAY_NAMES = {
    "pt-BR": (
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

_Window = tuple[datetime, datetime]


def _locale(value: str | None) -> str:
    """pt-BR unless the locale names English ("en", "en_US", "en-GB")."""
    if value and value.replace("_", "-").lower().startswith("en"):
        return "en"
    return "pt-BR"


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()}: pass a timezone-aware datetime")
    return dt.astimezone(UTC)


class BusinessCalendar:
    """The support team's working hours, in one time zone, with holidays."""

    def __init__(
        self,
        tz: str = "America/Sao_Paulo",
        workdays: frozenset[int] = WEEKDAYS,
        opens: time = time(8, 0),
        closes: time = time(18, 0),
        country: str = "BR",
        subdivision: str | None = None,
        extra_holidays: Iterable[date] = (),
    ) -> None:
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        workdays = frozenset(workdays)
        if not workdays or not workdays <= frozenset(range(7)):
            raise ValueError(f"workdays must be a non-empty set of weekdays 0 (Monday) .. 6 (Sunday), got {workdays}")
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError("opens and closes are wall-clock times of the calendar's zone: pass naive times")
        if not opens < closes:
            raise ValueError(f"opens ({opens}) must be before closes ({closes})")
        extra = frozenset(extra_holidays)
        if any(isinstance(day, datetime) for day in extra):
            raise ValueError("extra_holidays takes dates, not datetimes")
        try:
            holidays.country_holidays(country, subdiv=subdivision, years=())
        except NotImplementedError as exc:
            raise ValueError(f"no holidays known for country {country!r} subdivision {subdivision!r}: {exc}") from exc
        self.tz = tz
        self.workdays = workdays
        self.opens = opens
        self.closes = closes
        self.country = country
        self.subdivision = subdivision
        self.extra_holidays = extra
        self._holidays_by_year: dict[int, frozenset[date]] = {}
        self._windows: dict[date, _Window | None] = {}

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(tz={self.tz!r}, workdays={sorted(self.workdays)}, opens={self.opens}, "
            f"closes={self.closes}, country={self.country!r}, subdivision={self.subdivision!r})"
        )

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def day_length(self) -> timedelta:
        """The nominal length of a business day, ``closes - opens`` (10h by default)."""
        anchor = date(2000, 1, 1)
        return datetime.combine(anchor, self.closes) - datetime.combine(anchor, self.opens)

    # --- days ----------------------------------------------------------------

    def holidays_of(self, year: int) -> frozenset[date]:
        """The year's holidays: the package's national (and state) ones plus the extra dates."""
        cached = self._holidays_by_year.get(year)
        if cached is None:
            found = holidays.country_holidays(self.country, subdiv=self.subdivision, years=year)
            extra = {day for day in self.extra_holidays if day.year == year}
            cached = frozenset(found.keys()) | extra
            self._holidays_by_year[year] = cached
        return cached

    def is_business_day(self, d: date) -> bool:
        """A working weekday that is not a holiday. An aware datetime is read on the calendar's zone."""
        if isinstance(d, datetime):
            d = self._local_date(d)
        return d.weekday() in self.workdays and d not in self.holidays_of(d.year)

    def _local_date(self, dt: datetime) -> date:
        return _as_utc(dt).astimezone(self._zone).date()

    def _window(self, day: date) -> _Window | None:
        """The day's ``[opening, closing)`` in UTC, or None when the team does not work."""
        try:
            return self._windows[day]
        except KeyError:
            pass
        window: _Window | None = None
        if self.is_business_day(day):
            start = datetime.combine(day, self.opens, tzinfo=self._zone).astimezone(UTC)
            end = datetime.combine(day, self.closes, tzinfo=self._zone).astimezone(UTC)
            if end > start:  # a DST jump could only swallow a window of under an hour
                window = (start, end)
        if len(self._windows) >= _WINDOW_CACHE_SIZE:
            self._windows.clear()
        self._windows[day] = window
        return window

    def _first_window_after(self, day: date) -> tuple[date, _Window]:
        for _ in range(_MAX_CLOSED_DAYS):
            day += timedelta(days=1)
            window = self._window(day)
            if window is not None:
                return day, window
        raise ValueError(f"{self!r} has no business day in the {_MAX_CLOSED_DAYS} days after {day}")

    # --- instants ------------------------------------------------------------

    def is_open(self, dt: datetime) -> bool:
        """True inside a window; the closing instant itself is closed."""
        at = _as_utc(dt)
        window = self._window(self._local_date(at))
        return window is not None and window[0] <= at < window[1]

    def next_open(self, dt: datetime) -> datetime:
        """``dt`` itself (in UTC) when open, otherwise the next opening instant."""
        at = _as_utc(dt)
        day = self._local_date(at)
        window = self._window(day)
        if window is not None and at < window[1]:
            return max(at, window[0])
        return self._first_window_after(day)[1][0]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which ``duration`` of business time has elapsed since ``start``.

        ``add(start, timedelta(0)) == next_open(start)``. For a positive duration
        the result is open or exactly a closing instant. Loops once per business
        day crossed, never per minute.
        """
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        at = self.next_open(start)
        if not duration:
            return at
        day = self._local_date(at)
        window = self._window(day)
        assert window is not None  # next_open returns an open instant
        end = window[1]
        remaining = duration
        while remaining > end - at:
            remaining -= end - at
            day, (at, end) = self._first_window_after(day)
        return at + remaining

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time inside ``[a, b)``; zero when ``b <= a``."""
        start, stop = _as_utc(a), _as_utc(b)
        total = timedelta(0)
        if stop <= start:
            return total
        day, last = self._local_date(start), self._local_date(stop)
        while day <= last:
            window = self._window(day)
            if window is not None:
                lo, hi = max(start, window[0]), min(stop, window[1])
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    # --- what clients read ---------------------------------------------------

    def describe_next_open(self, now: datetime, locale: str = "pt-BR") -> str:
        """When the team is back, e.g. "amanhã às 08:00" / "tomorrow at 08:00".

        When the team is working at ``now`` this is ``now`` itself ("hoje às 14:37").
        """
        return self.format_local(self.next_open(now), now, locale)

    def format_local(self, dt: datetime, now: datetime, locale: str = "pt-BR") -> str:
        """``dt`` as a client reads it on the calendar's zone, relative to ``now``.

        pt-BR: "hoje às 14:30", "amanhã às 09:00", "ontem às 17:00",
        "sexta-feira, 28/11, às 10:00"; en: "today at 14:30", "tomorrow at 09:00",
        "yesterday at 17:00", "Friday, 11/28, at 10:00". The year is added
        ("01/01/2026") when it differs from ``now``'s.
        """
        loc = _locale(locale)
        local = _as_utc(dt).astimezone(self._zone)
        today = self._local_date(now)
        clock = f"{local.hour:02d}:{local.minute:02d}"
        offset = (local.date() - today).days
        english = loc == "en"
        if offset == 0:
            return f"today at {clock}" if english else f"hoje às {clock}"
        if offset == 1:
            return f"tomorrow at {clock}" if english else f"amanhã às {clock}"
        if offset == -1:
            return f"yesterday at {clock}" if english else f"ontem às {clock}"
        weekday = _WEEKDAY_NAMES[loc][local.weekday()]
        day_month = f"{local.month:02d}/{local.day:02d}" if english else f"{local.day:02d}/{local.month:02d}"
        if local.year != today.year:
            day_month += f"/{local.year}"
        return f"{weekday}, {day_month}, at {clock}" if english else f"{weekday}, {day_month}, às {clock}"
