"""The manager's dashboard: one month's figures in one pass, each chart's table ready to draw or download.

``dashboard_report`` reads, for a chosen month (São Paulo calendar):

- tickets opened and closed per day;
- first-response and resolution within target per plan (%) and the median
  times, with the month's breaches (the clocks ``sla_report`` measures);
- the backlog now (active tickets) by level and by module;
- the FAQ's deflection and "helpful" rate and the CSAT distribution
  (``kb_report`` without its gaps, which the FAQ gaps page groups).

``local_days``, ``per_day``, ``per_plan``, ``breach_counts`` and ``backlog_by``
are the plain rules (no database); ``dashboard_tables`` turns a ``Dashboard`` into one
table per chart (stable column keys, what the CSV downloads write).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.billing import BILLING_TZ, month_bounds, parse_month
from core.business_calendar import BusinessCalendar
from core.model import ACTIVE_STATUSES, Level, Plan
from core.reports.faq import KbReport, kb_report
from core.reports.sla import SlaBreach, SlaGroup, month_clocks, sla_breaches, sla_group
from core.reports.sla_clocks import FIRST_RESPONSE, RESOLUTION, MeasuredTicket
from core.sla import DEFAULT_POLICY, SlaPolicy
from core.store.db import UnitOfWork
from core.store.orm import Ticket

if TYPE_CHECKING:
    from core.desk import HelpDesk

ALL = "ALL"
TARGETS = (FIRST_RESPONSE, RESOLUTION)
Table = tuple[tuple[str, ...], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class DayCount:
    """Tickets opened and closed on one local day."""

    day: date
    opened: int
    closed: int


@dataclass(frozen=True)
class Dashboard:
    """One month of the help desk, as the manager's dashboard draws it."""

    month: str
    start: datetime
    end: datetime
    now: datetime
    days: tuple[DayCount, ...]
    plans: tuple[SlaGroup, ...]
    breaches: tuple[SlaBreach, ...]
    backlog_by_level: tuple[tuple[str, int], ...]
    backlog_by_module: tuple[tuple[str, int], ...]
    kb: KbReport

    @property
    def opened(self) -> int:
        return sum(d.opened for d in self.days)

    @property
    def closed(self) -> int:
        return sum(d.closed for d in self.days)

    @property
    def backlog(self) -> int:
        return sum(n for _, n in self.backlog_by_level)

    def csat(self) -> tuple[tuple[int, int], ...]:
        """(score, ratings) for scores 1 to 5."""
        return tuple((score, self.kb.satisfaction_distribution.get(str(score), 0)) for score in range(1, 6))

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "measured_at": self.now.isoformat(),
            "tables": {name: {"columns": list(cols), "rows": [list(r) for r in rows]}
                       for name, (cols, rows) in dashboard_tables(self).items()},
        }


def dashboard_report(desk: HelpDesk, month: str, calendar: BusinessCalendar | None = None,
                     policy: SlaPolicy | None = None, *, uow: UnitOfWork | None = None) -> Dashboard:
    """The dashboard of ``month`` ("YYYY-MM"; ``report.bad_month`` otherwise): see the module's docstring."""
    month = parse_month(month)
    start, end = month_bounds(month)
    days = local_days(start, end)
    now = desk.clock()
    with desk.work(uow) as uow:
        session = uow.session
        measured, alerts = month_clocks(session, start, end, calendar or BusinessCalendar(),
                                        policy or DEFAULT_POLICY, now)
        opened = _counts_before(session, Ticket.created_at, start, end, days)
        closed = _counts_before(session, Ticket.closed_at, start, end, days)
        backlog = [(str(level), str(module), int(n)) for level, module, n in session.execute(
            select(Ticket.level, Ticket.module, func.count())
            .where(Ticket.status.in_([s.value for s in ACTIVE_STATUSES]))
            .group_by(Ticket.level, Ticket.module))]
        kb = kb_report(desk, month, top=0, uow=uow)
    return Dashboard(
        month=month, start=start, end=end, now=now, days=per_day([d for d, _ in days], opened, closed),
        plans=per_plan(measured), breaches=sla_breaches(measured, alerts),
        backlog_by_level=backlog_by(backlog, 0, order=[lv.value for lv in Level]),
        backlog_by_module=backlog_by(backlog, 1), kb=kb,
    )


def local_days(start: datetime, end: datetime) -> tuple[tuple[date, datetime], ...]:
    """Each local (São Paulo) day of ``[start, end)`` with the UTC instant it starts."""
    days = []
    day = start.astimezone(BILLING_TZ).date()
    while (moment := datetime(day.year, day.month, day.day, tzinfo=BILLING_TZ).astimezone(UTC)) < end:
        days.append((day, max(moment, start)))
        day += timedelta(days=1)
    return tuple(days)


def per_day(days: Sequence[date], before: Sequence[int], closed_before: Sequence[int]) -> tuple[DayCount, ...]:
    """Tickets opened and closed each day, from running counts: ``before[i]`` is how many were
    opened from the month's start until the end of ``days[i]`` (likewise ``closed_before``)."""
    def daily(running: Sequence[int]) -> list[int]:
        return [n - (running[i - 1] if i else 0) for i, n in enumerate(running)]

    return tuple(DayCount(day, o, c) for day, o, c in zip(days, daily(before), daily(closed_before), strict=True))


def _counts_before(session: Session, column: Any, start: datetime, end: datetime,
                   days: Sequence[tuple[date, datetime]]) -> list[int]:
    """For each day, how many rows have ``column`` in ``[start, end of that day)``: one indexed range scan."""
    ends = [moment for _, moment in days[1:]] + [end]
    row = session.execute(select(*(func.count(case((column < moment, 1))) for moment in ends))
                          .where(column >= start, column < end)).one()
    return [int(n) for n in row]


def per_plan(measured: Sequence[MeasuredTicket]) -> tuple[SlaGroup, ...]:
    """The SLA figures per plan (criticality "ALL"; plans without tickets left out), then all plans together."""
    groups = [sla_group(plan.value, ALL, items, None) for plan in Plan
              if (items := [m for m in measured if m.plan == plan.value])]
    return (*groups, sla_group(ALL, ALL, measured, None))


def breach_counts(breaches: Iterable[SlaBreach]) -> dict[str, dict[str, int]]:
    """Breaches per plan (every plan, in order) and per target: ``{plan: {target: n}}``."""
    counts: dict[str, dict[str, int]] = {plan.value: dict.fromkeys(TARGETS, 0) for plan in Plan}
    for breach in breaches:
        counts.setdefault(breach.plan, dict.fromkeys(TARGETS, 0))
        counts[breach.plan][breach.target] = counts[breach.plan].get(breach.target, 0) + 1
    return counts


def backlog_by(rows: Iterable[tuple[str, str, int]], index: int,
               order: Sequence[str] = ()) -> tuple[tuple[str, int], ...]:
    """Active tickets summed by ``rows``' column ``index`` (0: level, 1: module).

    Keys in ``order`` come first (even with 0), then the others by count, largest first.
    """
    sums: Counter[str] = Counter()
    for level, module, count in rows:
        sums[module if index else level] += count
    known = [(key, sums.get(key, 0)) for key in order]
    rest = sorted(((k, n) for k, n in sums.items() if k not in order), key=lambda kv: (-kv[1], kv[0]))
    return (*known, *rest)


def dashboard_tables(d: Dashboard) -> dict[str, Table]:
    """One table per chart: ``{name: (column keys, rows)}`` (what each chart's CSV download writes)."""
    kb = d.kb
    sla_columns = ("plan", "tickets", "first_response_measured", "first_response_within", "first_response_pct",
                   "median_first_response_minutes", "resolution_measured", "resolution_within", "resolution_pct",
                   "median_resolution_minutes")
    return {
        "daily": (("day", "opened", "closed"), [(x.day.isoformat(), x.opened, x.closed) for x in d.days]),
        "sla": (sla_columns, [
            (g.plan, g.tickets, g.first_response_measured, g.first_response_within, g.first_response_pct,
             g.median_first_response_minutes, g.resolution_measured, g.resolution_within, g.resolution_pct,
             g.median_resolution_minutes) for g in d.plans]),
        "breach_counts": (("plan", *TARGETS), [(plan, *(n[t] for t in TARGETS))
                                               for plan, n in breach_counts(d.breaches).items()]),
        "breaches": (("number", "organization", "plan", "criticality", "target", "elapsed_minutes",
                      "target_minutes", "sources"),
                     [(b.number, b.organization, b.plan, b.criticality, b.target, b.elapsed_minutes,
                       b.target_minutes, " ".join(b.sources)) for b in d.breaches]),
        "backlog_level": (("level", "tickets"), list(d.backlog_by_level)),
        "backlog_module": (("module", "tickets"), list(d.backlog_by_module)),
        "faq": (("indicator", "value"), [
            ("questions", kb.questions), ("answered", kb.decisions.get("answer", 0)),
            ("suggested", kb.decisions.get("suggest", 0)), ("unanswered", kb.decisions.get("none", 0)),
            ("deflected", kb.deflected), ("deflection_pct", kb.deflection_pct),
            ("helpful", kb.feedback.get("helpful", 0)), ("unhelpful", kb.feedback.get("unhelpful", 0)),
            ("none_fit", kb.feedback.get("none_fit", 0)), ("helpful_pct", kb.helpful_pct)]),
        "csat": (("score", "ratings"), list(d.csat())),
    }
