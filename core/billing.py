"""Support hours and what they cost: the billing rules of the seeds.

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

This module is plain rules (``parse_hours``, ``billable_minutes``,
``amount_cents``...), tested without a database; the use cases that log hours
and decide approvals live in ``core.tickets.hours``, the monthly bill in
``core.reports.billing``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import InvalidInput
from core.model import BillingMode

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


def work_entry(row: Any) -> WorkEntry:
    """A ``TimeEntry`` row (or any object with its attributes) as the rules read it."""
    return WorkEntry(id=row.id, ticket_id=row.ticket_id, minutes=row.minutes, logged_at=row.created_at,
                     client_cause=bool(row.client_cause))
