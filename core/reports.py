"""Monthly reports for the support manager: billing, SLA compliance and the FAQ's gaps.

Each report is one read-only pass over the store that returns plain frozen
dataclasses; ``to_dict()`` gives the stable keys the CLI prints with
``--json`` (the CLI draws the tables). Months are calendar months on the
America/Sao_Paulo wall clock ("2026-03" runs from 03-01 00:00 to 04-01 00:00
local time). ``sla_sweep_snapshot`` is the SLA pass over every active ticket
that a scheduler can reuse to raise alerts.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.billing import (
    BILLING_TZ,
    ApprovalStatus,
    BillingOutcome,
    EntryCharge,
    WorkEntry,
    amount_cents,
    billable_minutes,
    month_bounds,
    parse_month,
)
from core.business_calendar import BusinessCalendar
from core.errors import NotFound
from core.model import ACTIVE_STATUSES, Criticality, Plan
from core.sla import DEFAULT_POLICY, SlaPolicy, SlaStatus, evaluate
from core.store.orm import (
    BillingApproval,
    FaqQuestion,
    Organization,
    SlaAlert,
    Ticket,
    TicketEvent,
    TimeEntry,
)

if TYPE_CHECKING:
    from core.services import HelpDesk

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
ALERT_WARNING = "warning"
ALERT_BREACH = "breach"
TIMEZONE_NAME = "America/Sao_Paulo"


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _median_minutes(values: Sequence[timedelta]) -> float | None:
    if not values:
        return None
    return round(statistics.median(v.total_seconds() for v in values) / 60, 1)


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def _period(month: str | None) -> tuple[datetime, datetime] | None:
    return None if month is None else month_bounds(month)


# --- billing -------------------------------------------------------------------


@dataclass(frozen=True)
class TicketBilling:
    """One ticket's line on an organization's monthly bill."""

    number: str
    subject: str
    status: str
    approval: str | None
    logged_minutes: int
    billable_minutes: int
    contract_minutes: int
    pending_minutes: int
    amount_cents: int
    pending_amount_cents: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "subject": self.subject, "status": self.status, "approval": self.approval,
            "logged_minutes": self.logged_minutes, "billable_minutes": self.billable_minutes,
            "contract_minutes": self.contract_minutes, "pending_minutes": self.pending_minutes,
            "amount_cents": self.amount_cents, "pending_amount_cents": self.pending_amount_cents,
        }


@dataclass(frozen=True)
class OrganizationBilling:
    """One organization's month: its terms, its tickets and the sums (the amount is the sum of the lines)."""

    slug: str
    name: str
    billing_mode: str
    hourly_rate_cents: int
    contract_minutes_month: int
    tickets: tuple[TicketBilling, ...] = ()

    def _sum(self, attribute: str) -> int:
        return sum(int(getattr(t, attribute)) for t in self.tickets)

    @property
    def pending_approvals(self) -> int:
        return sum(1 for t in self.tickets if t.approval == ApprovalStatus.PENDING and t.pending_minutes)

    def totals(self) -> dict[str, int]:
        return {
            "logged_minutes": self._sum("logged_minutes"), "billable_minutes": self._sum("billable_minutes"),
            "contract_minutes": self._sum("contract_minutes"), "pending_minutes": self._sum("pending_minutes"),
            "amount_cents": self._sum("amount_cents"), "pending_amount_cents": self._sum("pending_amount_cents"),
            "pending_approvals": self.pending_approvals,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug, "name": self.name, "billing_mode": self.billing_mode,
            "hourly_rate_cents": self.hourly_rate_cents, "contract_minutes_month": self.contract_minutes_month,
            **self.totals(), "tickets": [t.to_dict() for t in self.tickets],
        }


@dataclass(frozen=True)
class BillingReport:
    """Hours and amounts of one month, per organization and per ticket."""

    month: str
    start: datetime
    end: datetime
    organizations: tuple[OrganizationBilling, ...] = ()

    def totals(self) -> dict[str, int]:
        keys = ("logged_minutes", "billable_minutes", "contract_minutes", "pending_minutes", "amount_cents",
                "pending_amount_cents", "pending_approvals")
        sums = dict.fromkeys(keys, 0)
        for org in self.organizations:
            for key, value in org.totals().items():
                sums[key] += value
        return sums

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per organization and ticket (what ``--csv`` writes)."""
        return [
            {"month": self.month, "organization": org.slug, "billing_mode": org.billing_mode,
             "hourly_rate_cents": org.hourly_rate_cents, **ticket.to_dict()}
            for org in self.organizations for ticket in org.tickets
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "timezone": TIMEZONE_NAME, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "organizations": [o.to_dict() for o in self.organizations],
            "totals": self.totals(),
        }


CSV_COLUMNS = (
    "month", "organization", "billing_mode", "hourly_rate_cents", "number", "subject", "status", "approval",
    "logged_minutes", "billable_minutes", "contract_minutes", "pending_minutes", "amount_cents",
    "pending_amount_cents",
)


def billing_report(desk: HelpDesk, month: str, org_slug: str | None = None) -> BillingReport:
    """Each organization's logged, billable and pending minutes and amounts in ``month``.

    Entries belong to the month they were logged in (São Paulo time), whatever
    the ticket's status. Organizations without hours in the month are left out,
    except the one asked for with ``org_slug``.
    """
    month = parse_month(month)
    start, end = month_bounds(month)
    with desk.db.session() as session:
        orgs = _organizations(session, org_slug)
        query = (
            select(TimeEntry.id, TimeEntry.ticket_id, TimeEntry.minutes, TimeEntry.created_at,
                   TimeEntry.client_cause, Ticket.number, Ticket.subject, Ticket.status, Ticket.organization_id)
            .join(Ticket, Ticket.id == TimeEntry.ticket_id)
            .where(TimeEntry.created_at >= start, TimeEntry.created_at < end)
        )
        if org_slug is not None:
            query = query.where(Ticket.organization_id.in_(list(orgs)))
        by_org: dict[int, list[WorkEntry]] = defaultdict(list)
        tickets: dict[int, tuple[str, str, str]] = {}
        for entry_id, ticket_id, minutes, at, cause, number, subject, status, org_id in session.execute(query):
            by_org[org_id].append(WorkEntry(entry_id, ticket_id, minutes, at, bool(cause)))
            tickets[ticket_id] = (number, subject, status)
        approvals = _approvals(session, start, end)
        lines = []
        for org_id, org in sorted(orgs.items(), key=lambda item: item[1].slug):
            if org_id not in by_org and org_slug is None:
                continue
            outcome = billable_minutes(org.billing_mode, by_org.get(org_id, []), org.contract_minutes_month,
                                       approvals)
            lines.append(_org_billing(org, outcome, tickets, approvals))
    return BillingReport(month, start, end, tuple(lines))


def _organizations(session: Session, org_slug: str | None) -> dict[int, Organization]:
    query = select(Organization)
    if org_slug is not None:
        query = query.where(Organization.slug == org_slug.strip().lower())
    orgs = {org.id: org for org in session.scalars(query)}
    if org_slug is not None and not orgs:
        raise NotFound("org.not_found", slug=org_slug)
    return orgs


def _approvals(session: Session, start: datetime, end: datetime) -> dict[int, str]:
    with_hours = select(TimeEntry.ticket_id).where(TimeEntry.created_at >= start, TimeEntry.created_at < end)
    rows = session.execute(
        select(BillingApproval.ticket_id, BillingApproval.status).where(BillingApproval.ticket_id.in_(with_hours))
    )
    return {ticket_id: status for ticket_id, status in rows}


def _org_billing(org: Organization, outcome: BillingOutcome, tickets: dict[int, tuple[str, str, str]],
                 approvals: dict[int, str]) -> OrganizationBilling:
    by_ticket: dict[int, list[EntryCharge]] = defaultdict(list)
    for charge in outcome.charges:
        by_ticket[charge.entry.ticket_id].append(charge)
    lines = []
    for ticket_id in sorted(by_ticket, key=lambda tid: tickets[tid][0]):
        mine = BillingOutcome(tuple(by_ticket[ticket_id]))
        number, subject, status = tickets[ticket_id]
        lines.append(TicketBilling(
            number=number, subject=subject, status=status, approval=approvals.get(ticket_id),
            logged_minutes=mine.logged_minutes, billable_minutes=mine.billable_minutes,
            contract_minutes=mine.contract_minutes, pending_minutes=mine.pending_minutes,
            amount_cents=amount_cents(mine.billable_minutes, org.hourly_rate_cents),
            pending_amount_cents=amount_cents(mine.pending_minutes, org.hourly_rate_cents),
        ))
    return OrganizationBilling(org.slug, org.name, org.billing_mode, org.hourly_rate_cents,
                               org.contract_minutes_month, tuple(lines))


# --- SLA -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Measured:
    """What one ticket's SLA clocks said."""

    ticket_id: int
    number: str
    organization: str
    plan: str
    criticality: str
    status: SlaStatus


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
        return _pct(self.first_response_within, self.first_response_measured)

    @property
    def resolution_pct(self) -> float | None:
        return _pct(self.resolution_within, self.resolution_measured)

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
               policy: SlaPolicy | None = None) -> SlaReport:
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
    with desk.db.session() as session:
        # "Any organization" lets the planner walk ix_tickets_organization (organization_id, created_at)
        # for the month instead of scanning every ticket event ever recorded.
        in_month = (Ticket.organization_id.in_(select(Organization.id)), Ticket.created_at >= start,
                    Ticket.created_at < end)
        measured = _measure(session, in_month, calendar, policy, now)
        alerts = session.execute(
            select(SlaAlert.ticket_id, SlaAlert.target).join(Ticket, Ticket.id == SlaAlert.ticket_id)
            .where(*in_month, SlaAlert.level == ALERT_BREACH)
        ).all()
    groups = []
    by_group: dict[tuple[str, str], list[_Measured]] = defaultdict(list)
    for item in measured:
        by_group[(item.plan, item.criticality)].append(item)
    for plan in Plan:
        for criticality in reversed(Criticality):
            items = by_group.get((plan.value, criticality.value))
            if items:
                groups.append(_sla_group(plan.value, criticality.value, items, policy))
    totals = _sla_group("ALL", "ALL", measured, None)
    return SlaReport(month, start, end, now, tuple(groups), totals, _breaches(measured, alerts))


def _measure(session: Session, where: Sequence[Any], calendar: BusinessCalendar, policy: SlaPolicy,
             now: datetime) -> list[_Measured]:
    """Evaluate both clocks of every ticket matching ``where`` (two queries, whatever the count)."""
    connection = session.connection()  # plain rows: no ORM bookkeeping for tens of thousands of them
    tickets = connection.execute(
        select(Ticket.id, Ticket.number, Ticket.criticality, Ticket.created_at, Ticket.first_response_at,
               Ticket.closed_at, Organization.slug, Organization.plan)
        .join(Organization, Organization.id == Ticket.organization_id).where(*where)
    ).all()
    history: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
    events = connection.execute(
        select(TicketEvent.ticket_id, TicketEvent.created_at, TicketEvent.id, TicketEvent.to_status)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*where, TicketEvent.to_status.is_not(None))
    )
    for ticket_id, at, event_id, status in events:
        history[ticket_id].append((at, event_id, status))
    if tickets:
        calendar = PrefixCalendar.over(calendar, min(row[3] for row in tickets), now)
    measured = []
    for tid, number, criticality, created_at, first_response_at, closed_at, slug, plan in tickets:
        transitions = [(at, status) for at, _, status in sorted(history.get(tid, ()))]
        status = evaluate(transitions, created_at, first_response_at, closed_at, policy.target(plan, criticality),
                          calendar, now, policy.warn_at)
        measured.append(_Measured(tid, number, slug, plan, criticality, status))
    return measured


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


def _sla_group(plan: str, criticality: str, items: Sequence[_Measured], policy: SlaPolicy | None) -> SlaGroup:
    target = policy.target(plan, criticality) if policy is not None else None
    first_measured = [i.status for i in items if i.status.first_response_met is not None
                      or i.status.first_response_breached]
    resolution_measured = [i.status for i in items if i.status.resolution_met is not None
                           or i.status.resolution_breached]
    answered = [i.status.first_response_elapsed for i in items if i.status.first_response_met is not None]
    resolved = [i.status.resolution_elapsed for i in items if i.status.resolution_met is not None]
    return SlaGroup(
        plan=plan, criticality=criticality, tickets=len(items),
        first_response_target_minutes=_minutes(target.first_response) if target else None,
        first_response_measured=len(first_measured),
        first_response_within=sum(1 for s in first_measured if not s.first_response_breached),
        median_first_response_minutes=_median_minutes(answered),
        resolution_target_minutes=_minutes(target.resolution) if target else None,
        resolution_measured=len(resolution_measured),
        resolution_within=sum(1 for s in resolution_measured if not s.resolution_breached),
        median_resolution_minutes=_median_minutes(resolved),
    )


def _breaches(measured: Sequence[_Measured], alerts: Iterable[Any]) -> tuple[SlaBreach, ...]:
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
                                  _minutes(elapsed), _minutes(limit), tuple(sorted(sources))))
    return tuple(sorted(breaches, key=lambda b: (b.number, b.target)))


def _clock(status: SlaStatus, target: str) -> tuple[timedelta | None, timedelta | None]:
    if target == FIRST_RESPONSE:
        return status.first_response_elapsed, status.first_response_target
    if target == RESOLUTION:
        return status.resolution_elapsed, status.resolution_target
    return None, None


# --- the SLA sweep -------------------------------------------------------------------


@dataclass(frozen=True)
class SlaSnapshotItem:
    """One active ticket's clocks at the sweep."""

    ticket_id: int
    number: str
    organization: str
    plan: str
    criticality: str
    status: SlaStatus


@dataclass(frozen=True)
class SlaAlertDue:
    """A warning or breach the sweep found that no ``SlaAlert`` records yet."""

    ticket_id: int
    number: str
    target: str
    level: str


@dataclass(frozen=True)
class SlaSnapshot:
    """Every active ticket's SLA status at ``now``, and the alerts still to raise."""

    now: datetime
    items: tuple[SlaSnapshotItem, ...] = ()
    due: tuple[SlaAlertDue, ...] = ()

    @property
    def breached(self) -> int:
        return sum(1 for i in self.items if i.status.first_response_breached or i.status.resolution_breached)

    @property
    def warned(self) -> int:
        return sum(1 for i in self.items if i.status.first_response_warn or i.status.resolution_warn)


def sla_sweep_snapshot(desk: HelpDesk, now: datetime | None = None, calendar: BusinessCalendar | None = None,
                       policy: SlaPolicy | None = None) -> SlaSnapshot:
    """Both SLA clocks of every active ticket (OPEN, ANSWERED, FORWARDED) at ``now``, in three queries.

    ``due`` lists the warnings (``warn_at`` of the target used) and breaches
    that no ``SlaAlert`` row records yet, for a scheduler to record and
    announce in one transaction. A first-response clock that has stopped
    (the analysts answered) raises nothing new.
    """
    now = now or desk.clock()
    calendar = calendar or BusinessCalendar()
    policy = policy or DEFAULT_POLICY
    active = (Ticket.status.in_([s.value for s in ACTIVE_STATUSES]),)
    with desk.db.session() as session:
        measured = _measure(session, active, calendar, policy, now)
        recorded = {
            (ticket_id, target, level) for ticket_id, target, level in session.execute(
                select(SlaAlert.ticket_id, SlaAlert.target, SlaAlert.level)
                .join(Ticket, Ticket.id == SlaAlert.ticket_id).where(*active))
        }
    items = tuple(SlaSnapshotItem(m.ticket_id, m.number, m.organization, m.plan, m.criticality, m.status)
                  for m in measured)
    due = []
    for item in items:
        s = item.status
        first_running = s.first_response_met is None
        for target, warn, breached, running in (
            (FIRST_RESPONSE, s.first_response_warn, s.first_response_breached, first_running),
            (RESOLUTION, s.resolution_warn, s.resolution_breached, s.resolution_running),
        ):
            if not running:
                continue
            if breached and (item.ticket_id, target, ALERT_BREACH) not in recorded:
                due.append(SlaAlertDue(item.ticket_id, item.number, target, ALERT_BREACH))
            elif warn and not breached and (item.ticket_id, target, ALERT_WARNING) not in recorded:
                due.append(SlaAlertDue(item.ticket_id, item.number, target, ALERT_WARNING))
    return SlaSnapshot(now, items, tuple(due))


# --- the FAQ ---------------------------------------------------------------------------

HELPFUL = "helpful"
UNHELPFUL = "unhelpful"
NONE_FIT = "none_fit"
NEGATIVE_FEEDBACK = frozenset({UNHELPFUL, NONE_FIT})
DEFLECTION_WINDOW = timedelta(hours=24)
GAP_SIMILARITY = 75.0


@dataclass(frozen=True)
class FaqGap:
    """Similar questions the FAQ did not answer well: a candidate for a new entry."""

    count: int
    example: str
    variants: tuple[str, ...]
    unanswered: int
    unhelpful: int
    last_asked: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count, "example": self.example, "variants": list(self.variants),
            "unanswered": self.unanswered, "unhelpful": self.unhelpful, "last_asked": self.last_asked.isoformat(),
        }


@dataclass(frozen=True)
class KbReport:
    """How the FAQ served the clients, how they rated the support, and what to write next."""

    month: str | None
    questions: int
    decisions: dict[str, int]
    feedback: dict[str, int]
    deflected: int
    helpful_pct: float | None
    ratings: int
    satisfaction_average: float | None
    satisfaction_distribution: dict[str, int]
    gaps: tuple[FaqGap, ...] = field(default=())

    @property
    def deflection_pct(self) -> float | None:
        return _pct(self.deflected, self.questions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "questions": self.questions, "decisions": dict(self.decisions),
            "feedback": dict(self.feedback), "deflected": self.deflected, "deflection_pct": self.deflection_pct,
            "helpful_pct": self.helpful_pct,
            "satisfaction": {"ratings": self.ratings, "average": self.satisfaction_average,
                             "distribution": dict(self.satisfaction_distribution)},
            "gaps": [g.to_dict() for g in self.gaps],
        }


@dataclass(frozen=True)
class AskedQuestion:
    """One question put to the FAQ, as the KB report reads it."""

    id: int
    contact_id: int | None
    locale: str
    text: str
    decision: str
    feedback: str | None
    ticket_id: int | None
    created_at: datetime


def kb_report(desk: HelpDesk, month: str | None = None, *, top: int = 10,
              similarity: float = GAP_SIMILARITY) -> KbReport:
    """The FAQ's figures over all time, or over the questions asked in ``month``.

    - ``decisions``: how the matcher answered (answer / suggest / none).
    - ``feedback``: the clients' buttons (helpful, unhelpful, none_fit; ``no_feedback`` when none was pressed).
    - ``deflected``: questions the FAQ solved without a ticket. A question
      counts when the matcher answered or suggested, no ticket was opened from
      it, and either the client said it helped, or the client gave no negative
      feedback and (being a known contact) opened no ticket in the 24 hours
      after asking. An anonymous chat user cannot open tickets, so silence
      after an answer counts for them too. ``deflection_pct`` is over all questions.
    - ``helpful_pct``: helpful / (helpful + unhelpful).
    - satisfaction: the 1-5 ratings of the tickets closed in the month (all
      rated tickets without a month): count, average and distribution.
    - ``gaps``: questions the matcher could not answer (decision "none") or
      whose answer did not help (unhelpful / none_fit), normalized like the
      matcher does and grouped greedily by ``rapidfuzz`` token-sort similarity
      (>= ``similarity``), most frequent first: the ``top`` entries to write next.
    """
    period = _period(parse_month(month) if month is not None else None)
    with desk.db.session() as session:
        questions = _questions(session, period)
        opened = _tickets_opened(session, period)
        ratings = _ratings(session, period)
    decisions = Counter({"answer": 0, "suggest": 0, "none": 0})
    feedback = Counter({HELPFUL: 0, UNHELPFUL: 0, NONE_FIT: 0, "no_feedback": 0})
    for q in questions:
        decisions[q.decision] += 1
        feedback[q.feedback if q.feedback in (HELPFUL, UNHELPFUL, NONE_FIT) else "no_feedback"] += 1
    deflected = sum(1 for q in questions if _deflected(q, opened))
    total_ratings = sum(ratings.values())
    average = (round(sum(score * n for score, n in ratings.items()) / total_ratings, 2)
               if total_ratings else None)
    gaps = faq_gaps([q for q in questions if q.decision == "none" or q.feedback in NEGATIVE_FEEDBACK],
                    top=top, similarity=similarity)
    return KbReport(
        month=parse_month(month) if month is not None else None, questions=len(questions),
        decisions=dict(decisions), feedback=dict(feedback), deflected=deflected,
        helpful_pct=_pct(feedback[HELPFUL], feedback[HELPFUL] + feedback[UNHELPFUL]),
        ratings=total_ratings, satisfaction_average=average,
        satisfaction_distribution={str(score): ratings.get(score, 0) for score in range(1, 6)},
        gaps=gaps,
    )


def _questions(session: Session, period: tuple[datetime, datetime] | None) -> list[AskedQuestion]:
    query = select(FaqQuestion.id, FaqQuestion.contact_id, FaqQuestion.locale, FaqQuestion.text,
                   FaqQuestion.decision, FaqQuestion.feedback, FaqQuestion.ticket_id, FaqQuestion.created_at)
    if period is not None:
        query = query.where(FaqQuestion.created_at >= period[0], FaqQuestion.created_at < period[1])
    return [AskedQuestion(*row) for row in session.execute(query.order_by(FaqQuestion.id))]


def _tickets_opened(session: Session, period: tuple[datetime, datetime] | None) -> dict[int, list[datetime]]:
    """When each contact who asked the FAQ opened tickets (within the window after the period's questions)."""
    askers = select(FaqQuestion.contact_id).where(FaqQuestion.contact_id.is_not(None))
    query = select(Ticket.requester_id, Ticket.created_at)
    if period is not None:
        askers = askers.where(FaqQuestion.created_at >= period[0], FaqQuestion.created_at < period[1])
        query = query.where(Ticket.created_at >= period[0], Ticket.created_at < period[1] + DEFLECTION_WINDOW)
    opened: dict[int, list[datetime]] = defaultdict(list)
    for requester_id, created_at in session.execute(query.where(Ticket.requester_id.in_(askers.distinct()))):
        opened[requester_id].append(created_at)
    for moments in opened.values():
        moments.sort()
    return opened


def _ratings(session: Session, period: tuple[datetime, datetime] | None) -> dict[int, int]:
    query = select(Ticket.satisfaction, func.count()).where(Ticket.satisfaction.is_not(None))
    if period is not None:
        query = query.where(Ticket.closed_at >= period[0], Ticket.closed_at < period[1])
    return {int(score): int(n) for score, n in session.execute(query.group_by(Ticket.satisfaction))}


def _deflected(q: AskedQuestion, opened: dict[int, list[datetime]]) -> bool:
    if q.decision not in ("answer", "suggest") or q.ticket_id is not None:
        return False
    if q.feedback == HELPFUL:
        return True
    if q.feedback in NEGATIVE_FEEDBACK:
        return False
    if q.contact_id is None:
        return True
    moments = opened.get(q.contact_id, [])
    i = bisect.bisect_left(moments, q.created_at)
    return not (i < len(moments) and moments[i] < q.created_at + DEFLECTION_WINDOW)


def faq_gaps(questions: Sequence[AskedQuestion], *, top: int = 10,
             similarity: float = GAP_SIMILARITY) -> tuple[FaqGap, ...]:
    """Group unanswered/unhelpful questions by similarity of their normalized text; the biggest groups first.

    Identical normalized texts are counted once; then, from the most asked
    down, each text joins the most similar group whose founding text is at
    least ``similarity`` similar (``rapidfuzz`` token-sort ratio), or founds
    a new group. Only founders sharing a word stem (first 4 letters) with the
    text are compared, the most promising ``_CANDIDATES`` of them, so that
    tens of thousands of distinct questions group in about a second.
    """
    from knowledge_base.normalize import normalize

    by_text: dict[str, list[AskedQuestion]] = defaultdict(list)
    for q in questions:
        key = normalize(q.text, q.locale)
        if key:
            by_text[key].append(q)
    ordered = sorted(by_text, key=lambda k: (-len(by_text[k]), by_text[k][0].id))
    gaps = [_gap([q for key in group for q in by_text[key]]) for group in _greedy_groups(ordered, similarity)]
    gaps.sort(key=lambda g: (-g.count, -g.last_asked.timestamp()))
    return tuple(gaps[:top])


_STEM = 4
_CANDIDATES = 50
_POSTING_SCAN = 200


def _greedy_groups(keys: Sequence[str], similarity: float) -> list[list[str]]:
    from rapidfuzz import fuzz, process

    founders: list[str] = []
    members: list[list[str]] = []
    by_stem: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        stems = {word[:_STEM] for word in key.split()}
        shared: Counter[int] = Counter()
        for stem in stems:  # the earliest founders of a stem are the most asked ones
            shared.update(by_stem.get(stem, ())[:_POSTING_SCAN])
        candidates = [index for index, _ in shared.most_common(_CANDIDATES)]
        match = process.extractOne(key, [founders[i] for i in candidates], scorer=fuzz.token_sort_ratio,
                                   score_cutoff=similarity) if candidates else None
        if match is None:
            for stem in stems:
                by_stem[stem].append(len(founders))
            founders.append(key)
            members.append([key])
        else:
            members[candidates[match[2]]].append(key)
    return members


def _gap(questions: list[AskedQuestion]) -> FaqGap:
    texts = Counter(" ".join(q.text.split()) for q in questions)
    ranked = [text for text, _ in texts.most_common()]
    return FaqGap(
        count=len(questions), example=ranked[0], variants=tuple(ranked[1:4]),
        unanswered=sum(1 for q in questions if q.decision == "none"),
        unhelpful=sum(1 for q in questions if q.feedback in NEGATIVE_FEEDBACK),
        last_asked=max(q.created_at for q in questions),
    )


__all__ = [
    "ALERT_BREACH",
    "ALERT_WARNING",
    "BILLING_TZ",
    "CSV_COLUMNS",
    "FIRST_RESPONSE",
    "RESOLUTION",
    "AskedQuestion",
    "BillingReport",
    "FaqGap",
    "KbReport",
    "OrganizationBilling",
    "SlaBreach",
    "SlaGroup",
    "SlaReport",
    "SlaSnapshot",
    "TicketBilling",
    "billing_report",
    "faq_gaps",
    "kb_report",
    "sla_report",
    "sla_sweep_snapshot",
]
