"""SLA targets per plan and criticality, and the clocks that measure a ticket against them.

Two clocks, both counted in business time on a ``BusinessCalendar``:

- First response: from the ticket's creation until the first public analyst
  reply (``first_response_at``). It never pauses (a ticket cannot wait for the
  client before the analysts said something). If the ticket is closed without
  any analyst reply, it stops at the closing.
- Resolution: runs while the ticket is OPEN, pauses while it is ANSWERED
  (waiting for the client) or FORWARDED (another department has it), stops
  when CLOSED and resumes if the ticket is reopened. It is read from the
  ticket's status history: ``(at, status)`` transitions in chronological
  order, the first one being the creation (OPEN).

A target is met when the elapsed business time is at most the target, and
breached once it is over; a clock warns once it consumed ``warn_at`` (80% by
default) of its target. Everything here is pure: ``now`` is always a parameter.

Targets can be overridden from a YAML file (see ``load_policy``). Durations
there are written "30m", "2h", "1h30m" or "3d"; a day ("d") is one *business*
day, i.e. the calendar's ``closes - opens`` (10h for 08:00-18:00), not 24h.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from core.business_calendar import BusinessCalendar
from core.model import Criticality, Plan, TicketStatus

DEFAULT_WARN_AT = 0.8
DEFAULT_DAY_LENGTH = timedelta(hours=10)
"""What "1d" means in a policy file unless the caller passes its calendar's ``day_length``."""

StatusHistory = Sequence[tuple[datetime, str]]
"""A ticket's status transitions ``(at, status)``, oldest first; the first is the creation."""


@dataclass(frozen=True)
class SlaTarget:
    """How much business time the team has to answer first and to resolve."""

    first_response: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        if self.first_response <= timedelta(0) or self.resolution <= timedelta(0):
            raise ValueError(f"SLA targets must be positive, got {self.first_response} and {self.resolution}")
        if self.first_response > self.resolution:
            raise ValueError(
                f"first response target ({format_duration(self.first_response)}) is longer than "
                f"the resolution target ({format_duration(self.resolution)})"
            )


@dataclass(frozen=True)
class SlaPolicy:
    """One ``SlaTarget`` for every plan x criticality, and when to warn."""

    targets: Mapping[tuple[Plan, Criticality], SlaTarget]
    warn_at: float = DEFAULT_WARN_AT

    def __post_init__(self) -> None:
        targets = {(Plan(plan), Criticality(crit)): target for (plan, crit), target in self.targets.items()}
        missing = [f"{p.value}/{c.value}" for p in Plan for c in Criticality if (p, c) not in targets]
        if missing:
            raise ValueError(f"SLA policy has no target for {', '.join(missing)}")
        if isinstance(self.warn_at, bool) or not 0 < self.warn_at <= 1:
            raise ValueError(f"warn_at must be a fraction in (0, 1], got {self.warn_at!r}")
        object.__setattr__(self, "targets", MappingProxyType(targets))

    def target(self, plan: Plan | str, criticality: Criticality | str) -> SlaTarget:
        return self.targets[(Plan(plan), Criticality(criticality))]


def _hours(*values: float) -> tuple[timedelta, ...]:
    return tuple(timedelta(hours=v) for v in values)


# Business hours, in the order CRITICA, ALTA, MEDIA, BAIXA.
_DEFAULT_FIRST_RESPONSE = {
    Plan.VIP: _hours(0.5, 1, 2, 4),
    Plan.OURO: _hours(1, 2, 4, 8),
    Plan.PRATA: _hours(2, 4, 8, 16),
}
_DEFAULT_RESOLUTION = {
    Plan.VIP: _hours(4, 8, 16, 40),
    Plan.OURO: _hours(8, 16, 24, 60),
    Plan.PRATA: _hours(16, 24, 40, 80),
}
_BY_URGENCY = (Criticality.CRITICA, Criticality.ALTA, Criticality.MEDIA, Criticality.BAIXA)

DEFAULT_POLICY = SlaPolicy(
    {
        (plan, crit): SlaTarget(_DEFAULT_FIRST_RESPONSE[plan][i], _DEFAULT_RESOLUTION[plan][i])
        for plan in Plan
        for i, crit in enumerate(_BY_URGENCY)
    }
)
"""VIP is stricter than Ouro, Ouro than Prata; CRITICA than ALTA than MEDIA than BAIXA."""


# --- durations and policy files ---------------------------------------------

_DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)


def parse_duration(text: str, day_length: timedelta = DEFAULT_DAY_LENGTH) -> timedelta:
    """Read "30m", "2h", "1h30m", "3d" (business days of ``day_length``) or "1d4h" as a positive timedelta."""
    match = _DURATION_RE.match(text)
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not a duration like '30m', '2h', '1h30m' or '3d'")
    days, hours, minutes = (int(group or 0) for group in match.groups())
    value = days * day_length + timedelta(hours=hours, minutes=minutes)
    if value <= timedelta(0):
        raise ValueError(f"{text!r} is not a positive duration")
    return value


def format_duration(value: timedelta) -> str:
    """A duration in hours and minutes, the way ``parse_duration`` reads it: "30m", "2h", "1h30m"."""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes}m"


E = TypeVar("E", Plan, Criticality)


def _member(enum: type[E], key: object, where: str) -> E:
    folded = unicodedata.normalize("NFKD", str(key)).encode("ascii", "ignore").decode().strip().upper()
    try:
        return enum(folded)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValueError(f"{where}: unknown {enum.__name__.lower()} {key!r} (expected one of {allowed})") from None


def _mapping(value: object, where: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _duration(value: object, where: str, day_length: timedelta) -> timedelta:
    if not isinstance(value, str):
        raise ValueError(f"{where}: write the duration as text with a unit, like '30m', '2h' or '3d', got {value!r}")
    try:
        return parse_duration(value, day_length)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def policy_from_mapping(
    data: object,
    *,
    day_length: timedelta = DEFAULT_DAY_LENGTH,
    base: SlaPolicy = DEFAULT_POLICY,
    source: str = "SLA policy",
) -> SlaPolicy:
    """``base`` with the overrides in ``data`` (the parsed YAML of ``load_policy``)."""
    if data is None:
        return base
    root = _mapping(data, source)
    unknown = set(root) - {"warn_at", "targets"}
    if unknown:
        raise ValueError(f"{source}: unknown keys {sorted(map(str, unknown))} (expected 'warn_at' and/or 'targets')")
    warn_at = root.get("warn_at", base.warn_at)
    if isinstance(warn_at, bool) or not isinstance(warn_at, int | float) or not 0 < warn_at <= 1:
        raise ValueError(f"{source}: warn_at must be a number in (0, 1], like 0.8, got {warn_at!r}")
    targets = dict(base.targets)
    for plan_key, by_criticality in _mapping(root.get("targets") or {}, f"{source}: targets").items():
        plan = _member(Plan, plan_key, f"{source}: targets")
        where_plan = f"{source}: targets.{plan_key}"
        for crit_key, entry in _mapping(by_criticality or {}, where_plan).items():
            crit = _member(Criticality, crit_key, where_plan)
            where = f"{where_plan}.{crit_key}"
            fields = _mapping(entry or {}, where)
            extra = set(fields) - {"first_response", "resolution"}
            if extra:
                names = sorted(map(str, extra))
                raise ValueError(f"{where}: unknown keys {names} (expected first_response, resolution)")
            old = targets[(plan, crit)]
            first, resolution = old.first_response, old.resolution
            if "first_response" in fields:
                first = _duration(fields["first_response"], f"{where}.first_response", day_length)
            if "resolution" in fields:
                resolution = _duration(fields["resolution"], f"{where}.resolution", day_length)
            try:
                targets[(plan, crit)] = SlaTarget(first, resolution)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
    return SlaPolicy(targets, float(warn_at))


def load_policy(
    path: str | Path,
    *,
    day_length: timedelta = DEFAULT_DAY_LENGTH,
    base: SlaPolicy = DEFAULT_POLICY,
) -> SlaPolicy:
    """``base`` (the defaults) with the overrides of a YAML file; a partial file changes only what it names.

    Format::

        warn_at: 0.8
        targets:
          VIP:
            CRITICA: {first_response: "30m", resolution: "4h"}
          PRATA:
            BAIXA: {resolution: "10d"}

    Plans and criticalities are matched ignoring case and accents ("Média").
    "d" is a business day of ``day_length``: pass ``calendar.day_length``.
    Malformed files raise ``ValueError`` naming the file and the entry.
    """
    import yaml  # only this loader reads YAML; the rest of the module is standard library

    source = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML: {exc}") from None
    return policy_from_mapping(data, day_length=day_length, base=base, source=source)


# --- the clocks ---------------------------------------------------------------


@dataclass(frozen=True)
class SlaStatus:
    """Where a ticket stands against its target at ``now``.

    ``*_due`` is the instant the target is (or was) reached if the clock keeps
    running; it is None when the clock is not running (first response given,
    resolution paused or closed). ``*_met`` is None until the clock has stopped
    for good. ``*_fraction`` is elapsed / target (over 1.0 once breached);
    ``*_warn`` is ``fraction >= warn_at`` (so it stays true once breached).
    """

    first_response_target: timedelta
    first_response_elapsed: timedelta
    first_response_due: datetime | None
    first_response_met: bool | None
    first_response_fraction: float
    first_response_breached: bool
    first_response_warn: bool
    resolution_target: timedelta
    resolution_elapsed: timedelta
    resolution_due: datetime | None
    resolution_met: bool | None
    resolution_fraction: float
    resolution_breached: bool
    resolution_warn: bool
    resolution_running: bool

    @property
    def first_response_remaining(self) -> timedelta:
        return max(self.first_response_target - self.first_response_elapsed, timedelta(0))

    @property
    def resolution_remaining(self) -> timedelta:
        return max(self.resolution_target - self.resolution_elapsed, timedelta(0))


def _require_aware(*values: datetime | None) -> None:
    for value in values:
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware datetime")


def _open_stretches(history: StatusHistory, until: datetime) -> tuple[list[tuple[datetime, datetime]], bool]:
    """The ``[start, end)`` stretches spent OPEN up to ``until``, and whether it is OPEN at ``until``."""
    entries = [(at, TicketStatus(status)) for at, status in history]
    _require_aware(until, *(at for at, _ in entries))
    for (earlier, _), (later, _) in pairwise(entries):
        if later < earlier:
            raise ValueError(f"status history is not chronological: {later.isoformat()} after {earlier.isoformat()}")
    stretches: list[tuple[datetime, datetime]] = []
    current: TicketStatus | None = None
    for i, (at, status) in enumerate(entries):
        if at > until:
            break
        current = status
        if status == TicketStatus.OPEN:
            end = min(entries[i + 1][0], until) if i + 1 < len(entries) else until
            if end > at:
                stretches.append((at, end))
    return stretches, current == TicketStatus.OPEN


def running_time(history: StatusHistory, now: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time the ticket spent OPEN up to ``now`` (the resolution clock)."""
    stretches, _ = _open_stretches(history, now)
    return sum((calendar.between(start, end) for start, end in stretches), timedelta(0))


def _crossing(
    stretches: list[tuple[datetime, datetime]], target: timedelta, now: datetime, calendar: BusinessCalendar
) -> datetime:
    """When the running clock reaches ``target``: in the past if already breached, else ``now`` + what remains."""
    used = timedelta(0)
    for start, end in stretches:
        span = calendar.between(start, end)
        if used + span >= target:
            return calendar.add(start, target - used)
        used += span
    return calendar.add(now, target - used)


def evaluate(
    history: StatusHistory,
    created_at: datetime,
    first_response_at: datetime | None,
    closed_at: datetime | None,
    target: SlaTarget,
    calendar: BusinessCalendar,
    now: datetime,
    warn_at: float = DEFAULT_WARN_AT,
) -> SlaStatus:
    """Both clocks of a ticket at ``now``. An empty ``history`` means "OPEN since ``created_at``"."""
    _require_aware(created_at, first_response_at, closed_at, now)
    closed = closed_at is not None and closed_at <= now
    # First response: never pauses; stops at the reply, or at the closing if nobody replied.
    answered = first_response_at is not None and first_response_at <= now
    first_end = now
    if first_response_at is not None and answered:
        first_end = first_response_at
    elif closed_at is not None and closed:
        first_end = closed_at
    first_elapsed = calendar.between(created_at, first_end)
    first_fraction = first_elapsed / target.first_response
    first_running = not answered and not closed

    # Resolution: only OPEN time counts; closed_at is authoritative for the stop.
    until = closed_at if closed_at is not None and closed else now
    stretches, running = _open_stretches(history or [(created_at, TicketStatus.OPEN)], until)
    running = running and not closed
    res_elapsed = sum((calendar.between(start, end) for start, end in stretches), timedelta(0))
    res_fraction = res_elapsed / target.resolution

    return SlaStatus(
        first_response_target=target.first_response,
        first_response_elapsed=first_elapsed,
        first_response_due=calendar.add(created_at, target.first_response) if first_running else None,
        first_response_met=first_elapsed <= target.first_response if answered else None,
        first_response_fraction=first_fraction,
        first_response_breached=first_elapsed > target.first_response,
        first_response_warn=first_fraction >= warn_at,
        resolution_target=target.resolution,
        resolution_elapsed=res_elapsed,
        resolution_due=_crossing(stretches, target.resolution, now, calendar) if running else None,
        resolution_met=res_elapsed <= target.resolution if closed else None,
        resolution_fraction=res_fraction,
        resolution_breached=res_elapsed > target.resolution,
        resolution_warn=res_fraction >= warn_at,
        resolution_running=running,
    )


def due_at_open(created_at: datetime, target: SlaTarget, calendar: BusinessCalendar) -> tuple[datetime, datetime]:
    """``(first_response_due, resolution_due)`` for a ticket opened at ``created_at``, to tell the client."""
    return calendar.add(created_at, target.first_response), calendar.add(created_at, target.resolution)
