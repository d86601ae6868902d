"""Who gets a ticket: routing by module specialty, and whom to ping on escalation.

A new ticket goes to the N1 analysts whose specialties include its module;
among them the least loaded (fewest active tickets assigned or routed to
them), ties broken round-robin (whoever was routed a ticket longest ago).
With no specialist, every active N1 analyst is pinged. A client may ask for
a specific analyst (the seeds allow it): then that analyst is pinged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.model import ACTIVE_STATUSES, Level
from core.store.orm import Analyst, Ticket


@dataclass(frozen=True)
class Candidate:
    """What the choice looks at, so the rule stays testable without a database."""

    analyst_id: int
    load: int
    last_routed_at: datetime | None


def pick_least_loaded(candidates: Sequence[Candidate]) -> int | None:
    """The least loaded candidate; ties go to whoever was routed to longest ago (never first)."""
    if not candidates:
        return None

    def key(c: Candidate) -> tuple[int, int, float, int]:
        never = c.last_routed_at is None
        return (c.load, 0 if never else 1, c.last_routed_at.timestamp() if c.last_routed_at else 0.0,
                c.analyst_id)

    return min(candidates, key=key).analyst_id


def _specialists(session: Session, level: Level, module: str) -> list[Analyst]:
    analysts = session.scalars(select(Analyst).where(Analyst.active.is_(True), Analyst.level == level.value)
                               .order_by(Analyst.id)).all()
    return [a for a in analysts if module in (a.specialties or [])]


def _candidates(session: Session, analysts: Sequence[Analyst]) -> list[Candidate]:
    result = []
    active = [s.value for s in ACTIVE_STATUSES]
    for analyst in analysts:
        load = session.scalar(select(func.count()).where(
            Ticket.status.in_(active),
            or_(Ticket.assignee_id == analyst.id,
                (Ticket.assignee_id.is_(None)) & (Ticket.routed_to_id == analyst.id)))) or 0
        last = session.scalar(select(func.max(Ticket.created_at)).where(Ticket.routed_to_id == analyst.id))
        result.append(Candidate(analyst.id, int(load), last))
    return result


def route_new_ticket(session: Session, ticket: Ticket) -> list[int]:
    """Set ``ticket.routed_to_id`` and return the analysts to mention in the ping."""
    if ticket.requested_analyst_id is not None:
        ticket.routed_to_id = ticket.requested_analyst_id
        return [ticket.requested_analyst_id]
    specialists = _specialists(session, Level.N1, ticket.module)
    if specialists:
        chosen = pick_least_loaded(_candidates(session, specialists))
        ticket.routed_to_id = chosen
        return [chosen] if chosen is not None else []
    everyone = session.scalars(select(Analyst.id).where(Analyst.active.is_(True),
                                                        Analyst.level == Level.N1.value)).all()
    return list(everyone)


def escalation_mentions(session: Session, ticket: Ticket) -> list[int]:
    """The N2 specialists in the ticket's module (all N2 when none)."""
    specialists = _specialists(session, Level.N2, ticket.module)
    if specialists:
        return [a.id for a in specialists]
    return list(session.scalars(select(Analyst.id).where(Analyst.active.is_(True),
                                                         Analyst.level == Level.N2.value)).all())
