"""Support hours and what they cost: the billing rules of the seeds, and the use cases that log hours.

The seeds name three commercial conditions (``BillingMode``):

- ON_DEMAND (avulso): every logged minute is billed at the hourly rate.
- CONTRACT (contratante): the minutes count against the organization's
  contracted minutes of the month (``contract_minutes_month``), in the order
  they were logged; only the excess is billed at the rate.
- SAAS: support is part of the monthly fee. Hours whose cause is on the
  client's side (``client_cause``: their database, server, customizations)
  may be billed, but only after the client approved it: one
  ``BillingApproval`` per ticket, PENDING until the client decides.

Hours count whether or not the ticket is closed. Months are calendar months
in America/Sao_Paulo; money is integer cents, each ticket's amount rounded
half up to the cent and an organization's amount the sum of its tickets'.

The first half of this module is pure (``parse_hours``, ``billable_minutes``,
``amount_cents``...); the second half holds the use cases, each one
transaction over a ``HelpDesk``'s database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import InvalidInput, InvalidTransition, NotFound
from core.i18n import translate
from core.model import BillingMode
from core.outbox import ANALYSTS, CLIENT, enqueue
from core.services import active_analyst, ticket_by_number
from core.store.orm import (
    Analyst,
    BillingApproval,
    Contact,
    Organization,
    Ticket,
    TicketEvent,
    TimeEntry,
)

if TYPE_CHECKING:
    from core.services import HelpDesk

BILLING_TZ = ZoneInfo("America/Sao_Paulo")
MAX_ENTRY_MINUTES = 24 * 60
MAX_NOTE_CHARS = 2000


class ApprovalStatus(StrEnum):
    """The client's answer to a SaaS charge request."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


class Charge(StrEnum):
    """What happened to one time entry on the bill."""

    BILLED = "billed"  # charged at the hourly rate (wholly, or its excess over the contract)
    CONTRACT = "contract"  # wholly covered by the contracted minutes of the month
    INCLUDED = "included"  # SaaS: part of the monthly fee
    PENDING = "pending"  # SaaS client-cause hours waiting for the client's approval
    DECLINED = "declined"  # SaaS client-cause hours the client did not approve


# --- values typed by people ------------------------------------------------

_DECIMAL_HOURS = re.compile(r"^(\d+(?:[.,]\d+)?|[.,]\d+)\s*(?:h|hs|hrs?|horas?)?$")
_HOURS_MINUTES = re.compile(r"^(\d+)\s*(?:h|hs|hrs?|horas?|:)\s*(\d{1,2})\s*(?:m|min|mins|minutos?)?$")
_MINUTES = re.compile(r"^(\d+)\s*(?:m|min|mins|minutos?)$")


def parse_hours(text: str) -> int:
    """Minutes from what an analyst types: "1.5", "1,5", "1h30", "1:30", "90m", "0.25", "2h".

    A bare number is hours. The result is rounded to the minute and must be
    more than zero and at most 24 hours (one entry per stretch of work);
    anything else raises ``InvalidInput("billing.bad_hours")``.
    """
    value = " ".join(str(text).split()).lower()
    minutes: int | None = None
    if match := _MINUTES.match(value):
        minutes = int(match.group(1))
    elif match := _HOURS_MINUTES.match(value):
        hours, extra = int(match.group(1)), int(match.group(2))
        minutes = hours * 60 + extra if extra < 60 else None
    elif match := _DECIMAL_HOURS.match(value):
        try:
            hours_decimal = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex admits only digits
            hours_decimal = Decimal(-1)
        minutes = int((hours_decimal * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if minutes is None:
        raise InvalidInput("billing.bad_hours", value=str(text).strip()[:40])
    return check_minutes(minutes, shown=str(text).strip()[:40])


def check_minutes(minutes: int, *, shown: str | None = None) -> int:
    """``minutes`` when it is a valid entry (1 minute to 24 hours), else ``billing.bad_hours``."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_ENTRY_MINUTES:
        raise InvalidInput("billing.bad_hours", value=shown if shown is not None else str(minutes))
    return minutes


def parse_money(text: str) -> int:
    """Cents from "150", "150,00", "150.5", "R$ 1.234,56" (the last separator with 1-2 digits is decimal)."""
    raw = str(text).strip().upper().removeprefix("R$").strip().replace(" ", "")
    match = re.match(r"^(\d{1,3}(?:[.,]\d{3})*|\d+)(?:[.,](\d{1,2}))?$", raw)
    if not match:
        raise InvalidInput("billing.bad_rate", value=str(text).strip()[:40])
    whole = int(re.sub(r"[.,]", "", match.group(1)))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    return whole * 100 + cents


def format_minutes(minutes: int) -> str:
    """Minutes the way the team writes hours: "45min", "2h", "1h30"."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours}h{rest:02d}"
    return f"{sign}{hours}h" if hours else f"{sign}{rest}min"


def format_cents(cents: int, locale: str = "pt-BR") -> str:
    """Money for people: "R$ 1.234,56" (pt-BR) or "R$1,234.56" (en)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}"
    if locale.lower().startswith("en"):
        return f"{sign}R${grouped}.{rest:02d}"
    return f"{sign}R$ {grouped.replace(',', '.')},{rest:02d}"


# --- months ------------------------------------------------------------------

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str) -> str:
    """A month typed as "YYYY-MM" ("2026-3" is accepted), normalized; ``report.bad_month`` otherwise."""
    match = _MONTH_RE.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise InvalidInput("report.bad_month", value=str(text).strip()[:20])
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def month_bounds(month: str, tz: ZoneInfo = BILLING_TZ) -> tuple[datetime, datetime]:
    """``[start, end)`` of a "YYYY-MM" month on ``tz``'s wall clock, as UTC instants."""
    year, number = (int(part) for part in parse_month(month).split("-"))
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_of(moment: datetime, tz: ZoneInfo = BILLING_TZ) -> str:
    """The "YYYY-MM" month ``moment`` falls in on ``tz``'s wall clock."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to month_of")
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


# --- the rules -------------------------------------------------------------------


@dataclass(frozen=True)
class WorkEntry:
    """One time entry as the billing rules read it."""

    id: int
    ticket_id: int
    minutes: int
    logged_at: datetime
    client_cause: bool = False


@dataclass(frozen=True)
class EntryCharge:
    """How one entry lands on the bill: billed, covered by the contract, pending or not charged."""

    entry: WorkEntry
    charge: Charge
    billable_minutes: int = 0
    contract_minutes: int = 0
    pending_minutes: int = 0


@dataclass(frozen=True)
class BillingOutcome:
    """The charges of a set of entries of one organization, in the order they were logged."""

    charges: tuple[EntryCharge, ...] = ()

    @property
    def logged_minutes(self) -> int:
        return sum(c.entry.minutes for c in self.charges)

    @property
    def billable_minutes(self) -> int:
        return sum(c.billable_minutes for c in self.charges)

    @property
    def contract_minutes(self) -> int:
        return sum(c.contract_minutes for c in self.charges)

    @property
    def pending_minutes(self) -> int:
        return sum(c.pending_minutes for c in self.charges)

    def for_ticket(self, ticket_id: int) -> BillingOutcome:
        return BillingOutcome(tuple(c for c in self.charges if c.entry.ticket_id == ticket_id))


def billable_minutes(
    mode: BillingMode | str,
    entries: Iterable[WorkEntry],
    contract_minutes_month: int = 0,
    approvals: Mapping[int, ApprovalStatus | str] | None = None,
) -> BillingOutcome:
    """The charge of each of one organization's ``entries`` under its billing ``mode``.

    ``approvals`` maps a ticket id to its ``BillingApproval`` status (SaaS).
    CONTRACT spends ``contract_minutes_month`` per São Paulo calendar month,
    entry by entry in chronological order (ties by id); an entry that crosses
    the allowance is split. SaaS client-cause hours without any approval on
    record count as pending: they cannot be billed before the client agrees.
    """
    billing_mode = BillingMode(mode)
    ordered = sorted(entries, key=lambda e: (e.logged_at, e.id))
    if billing_mode == BillingMode.ON_DEMAND:
        return BillingOutcome(tuple(EntryCharge(e, Charge.BILLED, billable_minutes=e.minutes) for e in ordered))
    if billing_mode == BillingMode.CONTRACT:
        return _contract(ordered, max(0, contract_minutes_month))
    return _saas(ordered, approvals or {})


def _contract(entries: list[WorkEntry], allowance: int) -> BillingOutcome:
    left: dict[str, int] = {}
    charges = []
    for entry in entries:
        month = month_of(entry.logged_at)
        remaining = left.get(month, allowance)
        covered = min(remaining, entry.minutes)
        left[month] = remaining - covered
        excess = entry.minutes - covered
        charge = Charge.BILLED if excess else Charge.CONTRACT
        charges.append(EntryCharge(entry, charge, billable_minutes=excess, contract_minutes=covered))
    return BillingOutcome(tuple(charges))


def _saas(entries: list[WorkEntry], approvals: Mapping[int, ApprovalStatus | str]) -> BillingOutcome:
    charges = []
    for entry in entries:
        if not entry.client_cause:
            charges.append(EntryCharge(entry, Charge.INCLUDED))
            continue
        status = ApprovalStatus(approvals.get(entry.ticket_id, ApprovalStatus.PENDING))
        if status == ApprovalStatus.APPROVED:
            charges.append(EntryCharge(entry, Charge.BILLED, billable_minutes=entry.minutes))
        elif status == ApprovalStatus.DECLINED:
            charges.append(EntryCharge(entry, Charge.DECLINED))
        else:
            charges.append(EntryCharge(entry, Charge.PENDING, pending_minutes=entry.minutes))
    return BillingOutcome(tuple(charges))


def amount_cents(minutes: int, hourly_rate_cents: int) -> int:
    """``minutes`` at ``hourly_rate_cents`` per hour, rounded half up to the cent."""
    whole, rest = divmod(minutes * hourly_rate_cents, 60)
    return whole + (1 if 2 * rest >= 60 else 0)


# --- read models ---------------------------------------------------------------


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


# --- use cases -------------------------------------------------------------------


def log_hours(
    desk: HelpDesk,
    number: str,
    analyst_id: int,
    text_or_minutes: str | int,
    note: str | None = None,
    client_cause: bool = False,
) -> TimeEntryView:
    """An analyst logs time on a ticket (closed tickets too: hours count either way).

    On a SaaS organization, client-cause hours need the client's approval: the
    first such entry of a ticket opens a PENDING ``BillingApproval`` (the note
    is the reason the client reads, so it is required) and asks the client in
    the chat the ticket came from, telling the analysts too. While it is still
    pending, later client-cause entries send the client the updated total.
    """
    minutes = parse_hours(text_or_minutes) if isinstance(text_or_minutes, str) else check_minutes(text_or_minutes)
    clean_note = " ".join((note or "").split())[:MAX_NOTE_CHARS] or None
    try:
        return _log_hours(desk, number, analyst_id, minutes, clean_note, client_cause)
    except IntegrityError:
        # Another analyst opened the ticket's approval at the same moment: log against it.
        return _log_hours(desk, number, analyst_id, minutes, clean_note, client_cause)


def _log_hours(desk: HelpDesk, number: str, analyst_id: int, minutes: int, note: str | None,
               client_cause: bool) -> TimeEntryView:
    with desk.db.session() as session:
        analyst = active_analyst(session, analyst_id)
        ticket = ticket_by_number(session, number, lock=True)
        org = ticket.organization
        approval = session.scalar(select(BillingApproval).where(BillingApproval.ticket_id == ticket.id))
        asks_client = client_cause and org.billing_mode == BillingMode.SAAS
        if asks_client and approval is None and not note:
            raise InvalidInput("billing.cause_needs_note")
        now = desk.clock()
        entry = TimeEntry(ticket_id=ticket.id, analyst_id=analyst.id, minutes=minutes, note=note,
                          client_cause=client_cause, created_at=now)
        session.add(entry)
        session.flush()
        event = _event(session, ticket, "hours_logged", "ANALYST", analyst.id, now,
                       entry_id=entry.id, minutes=minutes, client_cause=client_cause)
        if asks_client and approval is None:
            approval = BillingApproval(ticket_id=ticket.id, status=ApprovalStatus.PENDING.value, reason=note,
                                       requested_by_id=analyst.id, requested_at=now)
            session.add(approval)
            session.flush()
        if asks_client and approval is not None and approval.status == ApprovalStatus.PENDING:
            pending = _client_cause_minutes(session, ticket.id)
            payload = {"minutes": pending, "reason": approval.reason or note or "",
                       "amount_cents": amount_cents(pending, org.hourly_rate_cents)}
            _notify_client(desk, session, ticket, event, "billing_approval", payload)
            _notify_analysts(desk, session, ticket, event, "billing_requested",
                             {**payload, "analyst": analyst.name})
        view = _entry_view(entry, ticket, analyst, approval.status if approval else None)
        _commit(desk, session)
        return view


def decide_approval(desk: HelpDesk, number: str, contact_id: int, approve: bool) -> str:
    """The client approves or declines billing a SaaS ticket's client-cause hours; returns the new status.

    Any active contact of the ticket's organization may decide; a contact of
    another organization gets the same answer as for a missing ticket. Only a
    PENDING approval can be decided, once.
    """
    with desk.db.session() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or not contact.active:
            raise NotFound("contact.not_found", email=str(contact_id))
        ticket = ticket_by_number(session, number, lock=True)
        if ticket.organization_id != contact.organization_id:
            raise NotFound("ticket.not_found", number=ticket.number)
        approval = session.scalar(select(BillingApproval).where(BillingApproval.ticket_id == ticket.id))
        if approval is None:
            raise NotFound("billing.no_approval", number=ticket.number)
        if approval.status != ApprovalStatus.PENDING:
            raise InvalidTransition("billing.already_decided", number=ticket.number,
                                    status=_approval_label(approval.status))
        status = ApprovalStatus.APPROVED if approve else ApprovalStatus.DECLINED
        now = desk.clock()
        result = session.execute(
            update(BillingApproval)
            .where(BillingApproval.id == approval.id, BillingApproval.status == ApprovalStatus.PENDING.value)
            .values(status=status.value, decided_by_id=contact.id, decided_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:  # decided by someone else in the meantime
            session.rollback()
            current = session.scalar(select(BillingApproval.status).where(BillingApproval.ticket_id == ticket.id))
            raise InvalidTransition("billing.already_decided", number=ticket.number,
                                    status=_approval_label(current or ApprovalStatus.APPROVED))
        event = _event(session, ticket, "billing_decided", "CONTACT", contact.id, now, status=status.value)
        _notify_analysts(desk, session, ticket, event, "billing_decided",
                         {"status": status.value, "contact": contact.name,
                          "minutes": _client_cause_minutes(session, ticket.id)})
        _commit(desk, session)
        return status.value


def ticket_hours(desk: HelpDesk, number: str) -> TicketHours:
    """Every entry of a ticket with its charge; contract allowances are spent across the organization's month."""
    with desk.db.session() as session:
        ticket = ticket_by_number(session, number)
        org = ticket.organization
        rows = session.execute(
            select(TimeEntry, Analyst).join(Analyst, Analyst.id == TimeEntry.analyst_id)
            .where(TimeEntry.ticket_id == ticket.id).order_by(TimeEntry.created_at, TimeEntry.id)
        ).all()
        approval = session.scalar(select(BillingApproval.status).where(BillingApproval.ticket_id == ticket.id))
        approvals = {ticket.id: approval} if approval else {}
        charges: dict[int, EntryCharge] = {}
        amount = 0
        for month in sorted({month_of(entry.created_at) for entry, _ in rows}):
            start, end = month_bounds(month)
            query = select(TimeEntry).where(TimeEntry.created_at >= start, TimeEntry.created_at < end)
            if org.billing_mode == BillingMode.CONTRACT:  # the allowance is shared by the month's tickets
                query = query.join(Ticket, Ticket.id == TimeEntry.ticket_id).where(Ticket.organization_id == org.id)
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


def set_billing_terms(desk: HelpDesk, org_slug: str, *, hourly_rate_cents: int | None = None,
                      contract_minutes_month: int | None = None) -> dict[str, Any]:
    """Set an organization's hourly rate and contracted minutes per month (administration)."""
    for value in (hourly_rate_cents, contract_minutes_month):
        if value is not None and (isinstance(value, bool) or value < 0):
            raise InvalidInput("billing.bad_rate", value=str(value))
    with desk.db.session() as session:
        org = session.scalar(select(Organization).where(Organization.slug == org_slug.strip().lower()))
        if org is None:
            raise NotFound("org.not_found", slug=org_slug)
        if hourly_rate_cents is not None:
            org.hourly_rate_cents = hourly_rate_cents
        if contract_minutes_month is not None:
            org.contract_minutes_month = contract_minutes_month
        terms = _terms(org)
        _commit(desk, session)
        return terms


def work_entry(row: Any) -> WorkEntry:
    """A ``TimeEntry`` row (or any object with its attributes) as the rules read it."""
    return WorkEntry(id=row.id, ticket_id=row.ticket_id, minutes=row.minutes, logged_at=row.created_at,
                     client_cause=bool(row.client_cause))


# --- plumbing ------------------------------------------------------------------


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


def _event(session: Session, ticket: Ticket, kind: str, actor_kind: str, actor_id: int, now: datetime,
           **detail: Any) -> TicketEvent:

    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor_kind=actor_kind, actor_id=actor_id,
                        detail=detail, created_at=now)
    session.add(event)
    session.flush()
    return event


def _notify_client(desk: HelpDesk, session: Session, ticket: Ticket, event: TicketEvent, kind: str,
                   payload: dict[str, Any]) -> None:

    if not ticket.origin_platform or not ticket.origin_chat:
        return  # opened outside a chat (CLI): the analysts were told and ask the client themselves
    enqueue(session, key=f"ev{event.id}:client:{kind}", platform=ticket.origin_platform, audience=CLIENT,
            address=ticket.origin_chat, kind=kind, stream=f"{ticket.origin_platform}:chat:{ticket.origin_chat}",
            ticket_id=ticket.id, payload={"number": ticket.number, **payload}, now=desk.clock())


def _notify_analysts(desk: HelpDesk, session: Session, ticket: Ticket, event: TicketEvent, kind: str,
                     payload: dict[str, Any]) -> None:

    for platform in desk.analyst_desks:
        enqueue(session, key=f"ev{event.id}:{platform}:{kind}", platform=platform, audience=ANALYSTS,
                kind=kind, stream=f"{platform}:ticket:{ticket.id}", ticket_id=ticket.id,
                payload={"number": ticket.number, **payload}, now=desk.clock())


def _commit(desk: HelpDesk, session: Session) -> None:
    session.commit()
    if desk.after_commit is not None:
        desk.after_commit()


def _entry_view(entry: Any, ticket: Ticket, analyst: Analyst, approval: str | None,
                charge: EntryCharge | None = None) -> TimeEntryView:
    return TimeEntryView(
        id=entry.id, number=ticket.number, analyst=analyst.email, analyst_name=analyst.name,
        minutes=entry.minutes, note=entry.note, client_cause=bool(entry.client_cause),
        created_at=entry.created_at, approval=approval,
        charge=charge.charge.value if charge else None,
        billable_minutes=charge.billable_minutes if charge else None,
    )


__all__ = [
    "MAX_ENTRY_MINUTES",
    "ApprovalStatus",
    "BillingOutcome",
    "Charge",
    "EntryCharge",
    "TicketHours",
    "TimeEntryView",
    "WorkEntry",
    "amount_cents",
    "billable_minutes",
    "check_minutes",
    "decide_approval",
    "format_cents",
    "format_minutes",
    "log_hours",
    "month_bounds",
    "month_of",
    "parse_hours",
    "parse_money",
    "parse_month",
    "set_billing_terms",
    "ticket_hours",
]
