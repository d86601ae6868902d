"""Both SLA clocks of many tickets at once: what the SLA report and the SLA sweep share.

``measure`` reads the tickets matching a filter and their status history in
two queries, whatever their count, and evaluates each ticket's first-response
and resolution clocks (``core.sla.evaluate``) on a ``PrefixCalendar``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.business_calendar import BusinessCalendar
from core.reports.prefix_calendar import PrefixCalendar
from core.sla import SlaPolicy, SlaStatus, evaluate
from core.store.orm import Organization, Ticket, TicketEvent

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
ALERT_WARNING = "warning"
ALERT_BREACH = "breach"


@dataclass(frozen=True)
class MeasuredTicket:
    """What one ticket's SLA clocks said."""

    ticket_id: int
    number: str
    organization: str
    plan: str
    criticality: str
    status: SlaStatus


def measure(session: Session, where: Sequence[Any], calendar: BusinessCalendar, policy: SlaPolicy,
            now: datetime) -> list[MeasuredTicket]:
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
        measured.append(MeasuredTicket(tid, number, slug, plan, criticality, status))
    return measured
