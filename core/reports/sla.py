"""The monthly SLA report: first-response and resolution compliance per plan and criticality.

``sla_report`` measures the clocks of the tickets created in a month and
reads the breaches the SLA alerts recorded; ``sla_groups``, ``sla_group`` and
``sla_breaches`` are the plain rules that turn measured tickets into the
report's groups, totals and breaches (no database needed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.billing import month_bounds, parse_month
from core.business_calendar import BusinessCalendar
from core.model import Criticality, Plan
from core.reports.common import TIMEZONE_NAME, in_minutes, median_minutes, pct
from core.reports.sla_clocks import ALERT_BREACH, FIRST_RESPONSE, RESOLUTION, MeasuredTicket, measure
from core.sla import DEFAULT_POLICY, SlaPolicy, SlaStatus
from core.store.db import UnitOfWork
from core.store.orm import Organization, SlaAlert, Ticket

if TYPE_CHECKING:
    from core.desk import HelpDesk


@dataclass(frozen=True)
class SlaGroup:
    """One plan x criticality of the month (or all of them: plan and criticality "ALL")."""

    plan: str
    criticality: str
    tickets: int
    first_response_target_minutes: float | None
    first_response_measured: int
    first_response_within: int
    median_first_response_minutes: float | None
    resolution_target_minutes: float | None
    resolution_measured: int
    resolution_within: int
    median_resolution_minutes: float | None

    @property
    def first_response_pct(self) -> float | None:
        return pct(self.first_response_within, self.first_response_measured)

    @property
    def resolution_pct(self) -> float | None:
        return pct(self.resolution_within, self.resolution_measured)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan, "criticality": self.criticality, "tickets": self.tickets,
            "first_response": {
                "target_minutes": self.first_response_target_minutes, "measured": self.first_response_measured,
                "within_target": self.first_response_within, "pct_within_target": self.first_response_pct,
                "median_minutes": self.median_first_response_minutes,
            },
            "resolution": {
                "target_minutes": self.resolution_target_minutes, "measured": self.resolution_measured,
                "within_target": self.resolution_within, "pct_within_target": self.resolution_pct,
                "median_minutes": self.median_resolution_minutes,
            },
        }


@dataclass(frozen=True)
class SlaBreach:
    """A target a ticket missed: recorded by the SLA alerts, measured by this report, or both."""

    number: str
    organization: str
    plan: str
    criticality: str
    target: str
    elapsed_minutes: float | None
    target_minutes: float | None
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "organization": self.organization, "plan": self.plan,
            "criticality": self.criticality, "target": self.target, "elapsed_minutes": self.elapsed_minutes,
            "target_minutes": self.target_minutes, "sources": list(self.sources),
        }


@dataclass(frozen=True)
class SlaReport:
    """SLA compliance of the tickets created in one month."""

    month: str
    start: datetime
    end: datetime
    now: datetime
    groups: tuple[SlaGroup, ...]
    totals: SlaGroup
    breaches: tuple[SlaBreach, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "timezone": TIMEZONE_NAME, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "measured_at": self.now.isoformat(),
            "groups": [g.to_dict() for g in self.groups], "totals": self.totals.to_dict(),
            "breaches": [b.to_dict() for b in self.breaches],
        }


def sla_report(desk: HelpDesk, month: str, calendar: BusinessCalendar | None = None,
               policy: SlaPolicy | None = None, *, uow: UnitOfWork | None = None) -> SlaReport:
    """First-response and resolution compliance of the tickets created in ``month``, per plan and criticality.

    A clock is *measured* once it has a verdict: the first response was given
    (or the ticket closed without one after its target passed), the ticket was
    closed, or the target is already breached; a still-running clock within
    its target is not counted yet. "Within" is measured and not breached.
    Medians are business time: first response over answered tickets,
    resolution over closed ones. Breaches are those the SLA alerts recorded
    (``SlaAlert`` level "breach") together with those measured here.
    """
    month = parse_month(month)
    start, end = month_bounds(month)
    calendar = calendar or BusinessCalendar()
    policy = policy or DEFAULT_POLICY
    now = desk.clock()
    with desk.work(uow) as uow:
        measured, alerts = month_clocks(uow.session, start, end, calendar, policy, now)
    totals = sla_group("ALL", "ALL", measured, None)
    return SlaReport(month, start, end, now, sla_groups(measured, policy), totals, sla_breaches(measured, alerts))


def month_clocks(session: Session, start: datetime, end: datetime, calendar: BusinessCalendar,
                 policy: SlaPolicy, now: datetime) -> tuple[list[MeasuredTicket], list[Any]]:
    """The clocks of the tickets created in ``[start, end)`` and their recorded breaches (ticket id, target)."""
    # "Any organization" lets the planner walk ix_tickets_organization (organization_id, created_at)
    # for the month instead of scanning every ticket event ever recorded.
    in_month = (Ticket.organization_id.in_(select(Organization.id)), Ticket.created_at >= start,
                Ticket.created_at < end)
    measured = measure(session, in_month, calendar, policy, now)
    alerts = session.execute(
        select(SlaAlert.ticket_id, SlaAlert.target).join(Ticket, Ticket.id == SlaAlert.ticket_id)
        .where(*in_month, SlaAlert.level == ALERT_BREACH)
    ).all()
    return measured, list(alerts)


def sla_groups(measured: Sequence[MeasuredTicket], policy: SlaPolicy) -> tuple[SlaGroup, ...]:
    """One group per plan x criticality that has tickets: plans in order, the highest criticality first."""
    groups = []
    by_group: dict[tuple[str, str], list[MeasuredTicket]] = defaultdict(list)
    for item in measured:
        by_group[(item.plan, item.criticality)].append(item)
    for plan in Plan:
        for criticality in reversed(Criticality):
            items = by_group.get((plan.value, criticality.value))
            if items:
                groups.append(sla_group(plan.value, criticality.value, items, policy))
    return tuple(groups)


def sla_group(plan: str, criticality: str, items: Sequence[MeasuredTicket], policy: SlaPolicy | None) -> SlaGroup:
    """The figures of ``items``; the targets are ``policy``'s for the plan and criticality (none without it)."""
    target = policy.target(plan, criticality) if policy is not None else None
    first_measured = [i.status for i in items if i.status.first_response_met is not None
                      or i.status.first_response_breached]
    resolution_measured = [i.status for i in items if i.status.resolution_met is not None
                           or i.status.resolution_breached]
    answered = [i.status.first_response_elapsed for i in items if i.status.first_response_met is not None]
    resolved = [i.status.resolution_elapsed for i in items if i.status.resolution_met is not None]
    return SlaGroup(
        plan=plan, criticality=criticality, tickets=len(items),
        first_response_target_minutes=in_minutes(target.first_response) if target else None,
        first_response_measured=len(first_measured),
        first_response_within=sum(1 for s in first_measured if not s.first_response_breached),
        median_first_response_minutes=median_minutes(answered),
        resolution_target_minutes=in_minutes(target.resolution) if target else None,
        resolution_measured=len(resolution_measured),
        resolution_within=sum(1 for s in resolution_measured if not s.resolution_breached),
        median_resolution_minutes=median_minutes(resolved),
    )


def sla_breaches(measured: Sequence[MeasuredTicket], alerts: Iterable[Any]) -> tuple[SlaBreach, ...]:
    """The missed targets of ``measured``: measured here, or recorded in ``alerts`` (ticket id, target) pairs."""
    by_id = {item.ticket_id: item for item in measured}
    found: dict[tuple[int, str], set[str]] = defaultdict(set)
    for item in measured:
        if item.status.first_response_breached:
            found[(item.ticket_id, FIRST_RESPONSE)].add("measured")
        if item.status.resolution_breached:
            found[(item.ticket_id, RESOLUTION)].add("measured")
    for ticket_id, target in alerts:
        if ticket_id in by_id:
            found[(ticket_id, str(target))].add("alert")
    breaches = []
    for (ticket_id, target), sources in found.items():
        item = by_id[ticket_id]
        elapsed, limit = _clock(item.status, target)
        breaches.append(SlaBreach(item.number, item.organization, item.plan, item.criticality, target,
                                  in_minutes(elapsed), in_minutes(limit), tuple(sorted(sources))))
    return tuple(sorted(breaches, key=lambda b: (b.number, b.target)))


def _clock(status: SlaStatus, target: str) -> tuple[timedelta | None, timedelta | None]:
    if target == FIRST_RESPONSE:
        return status.first_response_elapsed, status.first_response_target
    if target == RESOLUTION:
        return status.resolution_elapsed, status.resolution_target
    return None, None
