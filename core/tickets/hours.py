"""Hours on a ticket: analysts log them, SaaS clients approve client-cause ones, what a ticket costs.

The rules (what is billable, what it costs) are plain functions in
``core.billing``; these use cases load the rows, apply them and record the
ticket event and the outbox rows in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.billing import (
    MAX_NOTE_CHARS,
    ApprovalStatus,
    EntryCharge,
    amount_cents,
    billable_minutes,
    check_minutes,
    format_minutes,
    month_bounds,
    month_of,
    parse_hours,
    work_entry,
)
from core.errors import InvalidInput, InvalidTransition, NotFound
from core.i18n import translate
from core.model import Actor, BillingMode
from core.store.db import UnitOfWork
from core.store.orm import Analyst, BillingApproval, Contact, Organization, Ticket, TimeEntry
from core.tickets.recording import TicketRecording
from core.usecases import organization_by_slug


@dataclass(frozen=True)
class TimeEntryView:
    """One logged stretch of work, as the edges show it."""

    id: int
    number: str
    analyst: str
    analyst_name: str
    minutes: int
    note: str | None
    client_cause: bool
    created_at: datetime
    approval: str | None = None
    charge: str | None = None
    billable_minutes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "analyst": self.analyst, "minutes": self.minutes,
            "hours": format_minutes(self.minutes), "note": self.note, "client_cause": self.client_cause,
            "created_at": self.created_at.isoformat(), "approval": self.approval, "charge": self.charge,
            "billable_minutes": self.billable_minutes,
        }


@dataclass(frozen=True)
class TicketHours:
    """A ticket's hours and what they cost, month by month of its organization's bill."""

    number: str
    organization: str
    billing_mode: str
    hourly_rate_cents: int
    approval: str | None
    entries: tuple[TimeEntryView, ...] = field(default=())
    logged_minutes: int = 0
    billable_minutes: int = 0
    pending_minutes: int = 0
    amount_cents: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "organization": self.organization, "billing_mode": self.billing_mode,
            "hourly_rate_cents": self.hourly_rate_cents, "approval": self.approval,
            "logged_minutes": self.logged_minutes, "billable_minutes": self.billable_minutes,
            "pending_minutes": self.pending_minutes, "amount_cents": self.amount_cents,
            "entries": [e.to_dict() for e in self.entries],
        }


class HoursActions(TicketRecording):
    """Logging hours, the SaaS client's approval, a ticket's hours and an organization's terms."""

    def log_hours(self, number: str, analyst_id: int, text_or_minutes: str | int, note: str | None = None,
                  client_cause: bool = False, *, uow: UnitOfWork | None = None) -> TimeEntryView:
        """An analyst logs time on a ticket (closed tickets too: hours count either way).

        On a SaaS organization, client-cause hours need the client's approval: the
        first such entry of a ticket opens a PENDING ``BillingApproval`` (the note
        is the reason the client reads, so it is required) and asks the client in
        the chat the ticket came from, telling the analysts too. While it is still
        pending, later client-cause entries send the client the updated total.
        """
        minutes = parse_hours(text_or_minutes) if isinstance(text_or_minutes, str) \
            else check_minutes(text_or_minutes)
        clean_note = " ".join((note or "").split())[:MAX_NOTE_CHARS] or None
        if uow is not None:
            return self._log_hours(number, analyst_id, minutes, clean_note, client_cause, uow)
        try:
            return self._log_hours(number, analyst_id, minutes, clean_note, client_cause, None)
        except IntegrityError:
            # Another analyst opened the ticket's approval at the same moment: log against it.
            return self._log_hours(number, analyst_id, minutes, clean_note, client_cause, None)

    def _log_hours(self, number: str, analyst_id: int, minutes: int, note: str | None,
                   client_cause: bool, uow: UnitOfWork | None) -> TimeEntryView:
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number, lock=True)
            org = ticket.organization
            approval = session.scalar(select(BillingApproval).where(BillingApproval.ticket_id == ticket.id))
            asks_client = client_cause and org.billing_mode == BillingMode.SAAS
            if asks_client and approval is None and not note:
                raise InvalidInput("billing.cause_needs_note")
            now = self.clock()
            entry = TimeEntry(ticket_id=ticket.id, analyst_id=analyst.id, minutes=minutes, note=note,
                              client_cause=client_cause, created_at=now)
            session.add(entry)
            session.flush()
            event = self._event(session, ticket, "hours_logged", Actor.analyst(analyst.id),
                                entry_id=entry.id, minutes=minutes, client_cause=client_cause)
            if asks_client and approval is None:
                approval = BillingApproval(ticket_id=ticket.id, status=ApprovalStatus.PENDING.value,
                                           reason=note, requested_by_id=analyst.id, requested_at=now)
                session.add(approval)
                session.flush()
            if asks_client and approval is not None and approval.status == ApprovalStatus.PENDING:
                pending = _client_cause_minutes(session, ticket.id)
                payload = {"minutes": pending, "reason": approval.reason or note or "",
                           "amount_cents": amount_cents(pending, org.hourly_rate_cents)}
                # Opened outside a chat (CLI): no client message; the analysts were told and ask.
                self._notify_client(session, ticket, event, "billing_approval", payload)
                self._notify_analysts(session, ticket, event, "billing_requested",
                                      {**payload, "analyst": analyst.name})
            return _entry_view(entry, ticket, analyst, approval.status if approval else None)

    def decide_approval(self, number: str, contact_id: int, approve: bool, *,
                        uow: UnitOfWork | None = None) -> str:
        """The client approves or declines billing a SaaS ticket's client-cause hours; returns the new status.

        Any active contact of the ticket's organization may decide; a contact of
        another organization gets the same answer as for a missing ticket. Only a
        PENDING approval can be decided, once.
        """
        with self.work(uow) as uow:
            session = uow.session
            contact = session.get(Contact, contact_id)
            if contact is None or not contact.active:
                raise NotFound("contact.not_found", email=str(contact_id))
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            approval = session.scalar(select(BillingApproval).where(BillingApproval.ticket_id == ticket.id))
            if approval is None:
                raise NotFound("billing.no_approval", number=ticket.number)
            if approval.status != ApprovalStatus.PENDING:
                raise InvalidTransition("billing.already_decided", number=ticket.number,
                                        status=_approval_label(approval.status))
            status = ApprovalStatus.APPROVED if approve else ApprovalStatus.DECLINED
            result = session.execute(
                update(BillingApproval)
                .where(BillingApproval.id == approval.id,
                       BillingApproval.status == ApprovalStatus.PENDING.value)
                .values(status=status.value, decided_by_id=contact.id, decided_at=self.clock())
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:  # decided by someone else in the meantime; nothing written
                current = session.scalar(select(BillingApproval.status)
                                         .where(BillingApproval.ticket_id == ticket.id)
                                         .execution_options(populate_existing=True))
                raise InvalidTransition("billing.already_decided", number=ticket.number,
                                        status=_approval_label(current or ApprovalStatus.APPROVED))
            event = self._event(session, ticket, "billing_decided", Actor.contact(contact.id),
                                status=status.value)
            self._notify_analysts(session, ticket, event, "billing_decided",
                                  {"status": status.value, "contact": contact.name,
                                   "minutes": _client_cause_minutes(session, ticket.id)})
            return status.value

    def ticket_hours(self, number: str, *, uow: UnitOfWork | None = None) -> TicketHours:
        """Every entry of a ticket with its charge; contract allowances are spent across the organization's month."""
        with self.work(uow) as uow:
            session = uow.session
            ticket = self._ticket(session, number)
            org = ticket.organization
            rows = session.execute(
                select(TimeEntry, Analyst).join(Analyst, Analyst.id == TimeEntry.analyst_id)
                .where(TimeEntry.ticket_id == ticket.id).order_by(TimeEntry.created_at, TimeEntry.id)
            ).all()
            approval = session.scalar(select(BillingApproval.status)
                                      .where(BillingApproval.ticket_id == ticket.id))
            approvals = {ticket.id: approval} if approval else {}
            charges: dict[int, EntryCharge] = {}
            amount = 0
            for month in sorted({month_of(entry.created_at) for entry, _ in rows}):
                start, end = month_bounds(month)
                query = select(TimeEntry).where(TimeEntry.created_at >= start, TimeEntry.created_at < end)
                if org.billing_mode == BillingMode.CONTRACT:  # the allowance is shared by the month's tickets
                    query = query.join(Ticket, Ticket.id == TimeEntry.ticket_id) \
                        .where(Ticket.organization_id == org.id)
                else:
                    query = query.where(TimeEntry.ticket_id == ticket.id)
                outcome = billable_minutes(org.billing_mode, (work_entry(e) for e in session.scalars(query)),
                                           org.contract_minutes_month, approvals).for_ticket(ticket.id)
                charges.update({c.entry.id: c for c in outcome.charges})
                amount += amount_cents(outcome.billable_minutes, org.hourly_rate_cents)
            views = tuple(
                _entry_view(entry, ticket, analyst, approval, charges.get(entry.id)) for entry, analyst in rows
            )
            return TicketHours(
                number=ticket.number, organization=org.slug, billing_mode=org.billing_mode,
                hourly_rate_cents=org.hourly_rate_cents, approval=approval, entries=views,
                logged_minutes=sum(v.minutes for v in views),
                billable_minutes=sum(c.billable_minutes for c in charges.values()),
                pending_minutes=sum(c.pending_minutes for c in charges.values()),
                amount_cents=amount,
            )

    def set_billing_terms(self, org_slug: str, *, hourly_rate_cents: int | None = None,
                          contract_minutes_month: int | None = None,
                          uow: UnitOfWork | None = None) -> dict[str, Any]:
        """Set an organization's hourly rate and contracted minutes per month (administration)."""
        for value in (hourly_rate_cents, contract_minutes_month):
            if value is not None and (isinstance(value, bool) or value < 0):
                raise InvalidInput("billing.bad_rate", value=str(value))
        with self.work(uow) as uow:
            org = organization_by_slug(uow.session, org_slug)
            if hourly_rate_cents is not None:
                org.hourly_rate_cents = hourly_rate_cents
            if contract_minutes_month is not None:
                org.contract_minutes_month = contract_minutes_month
            return _terms(org)


def _terms(org: Organization) -> dict[str, Any]:
    return {"slug": org.slug, "billing_mode": org.billing_mode, "hourly_rate_cents": org.hourly_rate_cents,
            "contract_minutes_month": org.contract_minutes_month}


def _approval_label(status: str) -> str:
    return translate(f"billing.approval.{status}")


def _client_cause_minutes(session: Session, ticket_id: int) -> int:
    return int(session.scalar(
        select(func.coalesce(func.sum(TimeEntry.minutes), 0))
        .where(TimeEntry.ticket_id == ticket_id, TimeEntry.client_cause.is_(True))
    ) or 0)


def _entry_view(entry: Any, ticket: Ticket, analyst: Analyst, approval: str | None,
                charge: EntryCharge | None = None) -> TimeEntryView:
    return TimeEntryView(
        id=entry.id, number=ticket.number, analyst=analyst.email, analyst_name=analyst.name,
        minutes=entry.minutes, note=entry.note, client_cause=bool(entry.client_cause),
        created_at=entry.created_at, approval=approval,
        charge=charge.charge.value if charge else None,
        billable_minutes=charge.billable_minutes if charge else None,
    )
