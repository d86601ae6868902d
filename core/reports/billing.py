"""The monthly bill: each organization's logged, billable and pending hours and amounts.

``billing_report`` reads the month's time entries and billing approvals;
``bill_organizations`` applies the billing rules of ``core.billing`` to them
(no database needed) and returns one ``OrganizationBilling`` per organization
with a ``TicketBilling`` line per ticket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.billing import (
    ApprovalStatus,
    BillingOutcome,
    EntryCharge,
    WorkEntry,
    amount_cents,
    billable_minutes,
    month_bounds,
    parse_month,
)
from core.errors import NotFound
from core.reports.common import TIMEZONE_NAME
from core.store.db import UnitOfWork
from core.store.orm import BillingApproval, Organization, Ticket, TimeEntry

if TYPE_CHECKING:
    from core.desk import HelpDesk

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


def billing_report(desk: HelpDesk, month: str, org_slug: str | None = None, *,
                   uow: UnitOfWork | None = None) -> BillingReport:
    """Each organization's logged, billable and pending minutes and amounts in ``month``.

    Entries belong to the month they were logged in (São Paulo time), whatever
    the ticket's status. Organizations without hours in the month are left out,
    except the one asked for with ``org_slug``.
    """
    month = parse_month(month)
    start, end = month_bounds(month)
    with desk.work(uow) as uow:
        session = uow.session
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
        lines = bill_organizations(orgs, by_org, tickets, approvals, keep_idle=org_slug is not None)
    return BillingReport(month, start, end, lines)


def bill_organizations(orgs: Mapping[int, Organization], entries: Mapping[int, Sequence[WorkEntry]],
                       tickets: Mapping[int, tuple[str, str, str]], approvals: Mapping[int, str], *,
                       keep_idle: bool = False) -> tuple[OrganizationBilling, ...]:
    """The bill of each organization (by slug) from its month's entries (by organization id).

    ``tickets`` gives each ticket's (number, subject, status) and ``approvals``
    its ``BillingApproval`` status; organizations without entries are left
    out unless ``keep_idle``.
    """
    lines = []
    for org_id, org in sorted(orgs.items(), key=lambda item: item[1].slug):
        if org_id not in entries and not keep_idle:
            continue
        outcome = billable_minutes(org.billing_mode, entries.get(org_id, []), org.contract_minutes_month,
                                   approvals)
        lines.append(_org_billing(org, outcome, tickets, approvals))
    return tuple(lines)


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


def _org_billing(org: Organization, outcome: BillingOutcome, tickets: Mapping[int, tuple[str, str, str]],
                 approvals: Mapping[int, str]) -> OrganizationBilling:
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
