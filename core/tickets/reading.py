"""Reading tickets: one ticket as an actor may see it, a contact's list, the analysts' queue, events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import selectinload

from core import model
from core.errors import InvalidInput
from core.model import Actor, ActorKind, Criticality, Level, Plan, TicketStatus
from core.store.db import UnitOfWork
from core.store.orm import Analyst, Organization, Ticket
from core.tickets.recording import TicketRecording
from core.usecases import organization_by_slug
from core.views import TicketView

_TICKET_LOAD = (
    selectinload(Ticket.organization),
    selectinload(Ticket.requester),
    selectinload(Ticket.assignee),
)


QUEUE_STATUSES = (TicketStatus.OPEN.value, TicketStatus.ANSWERED.value)
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page asks for; empty values do not filter. ``status`` empty: open and answered."""

    status: str = ""
    level: str = ""
    module: str = ""
    assignee: str = ""  # an analyst's e-mail
    plan: str = ""
    criticality: str = ""
    mine_of: int | None = None  # an analyst id: only tickets assigned to them
    unassigned: bool = False
    breached: bool = False
    order: Literal["activity", "deadline"] = "activity"
    offset: int = 0
    limit: int = 25


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue and how many tickets match in all."""

    tickets: tuple[TicketView, ...]
    total: int
    offset: int
    limit: int


class TicketReading(TicketRecording):
    """Read models of tickets; nothing here writes."""

    def get_ticket(self, number: str, actor: Actor, *, with_messages: bool = True,
                   uow: UnitOfWork | None = None) -> TicketView:
        """A ticket as ``actor`` may see it (contacts: own organization, public messages)."""
        with self.work(uow) as uow:
            session = uow.session
            if actor.kind == ActorKind.CONTACT:
                assert actor.id is not None
                contact = self._contact(session, actor.id)
                ticket = self._ticket_for_contact(session, number, contact)
                return TicketView.of(ticket, with_messages=with_messages, include_internal=False)
            if actor.kind == ActorKind.ANALYST:
                assert actor.id is not None
                self._analyst(session, actor.id)
            ticket = self._ticket(session, number)
            return TicketView.of(ticket, with_messages=with_messages)

    def contact_tickets(self, contact_id: int, *, active_only: bool = False,
                        limit: int = 50, uow: UnitOfWork | None = None) -> list[TicketView]:
        """A contact's own tickets, newest first."""
        with self.work(uow) as uow:
            session = uow.session
            query = (select(Ticket).options(*_TICKET_LOAD)
                     .where(Ticket.requester_id == contact_id)
                     .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
            if active_only:
                query = query.where(Ticket.status.in_([s.value for s in model.ACTIVE_STATUSES]))
            return [TicketView.of(t) for t in session.scalars(query)]

    def analyst_queue(self, analyst_id: int | None = None, *, limit: int = 50,
                      offset: int = 0, uow: UnitOfWork | None = None) -> list[TicketView]:
        """Open work: the analyst's own tickets and the unassigned ones at their level."""
        with self.work(uow) as uow:
            session = uow.session
            query = (select(Ticket).options(*_TICKET_LOAD)
                     .where(Ticket.status.in_([TicketStatus.OPEN.value,
                                               TicketStatus.ANSWERED.value]))
                     .order_by(Ticket.created_at, Ticket.id).limit(limit).offset(offset))
            if analyst_id is not None:
                analyst = self._analyst(session, analyst_id)
                query = query.where(or_(
                    Ticket.assignee_id == analyst.id,
                    (Ticket.assignee_id.is_(None)) & (Ticket.level == analyst.level),
                ))
            return [TicketView.of(t) for t in session.scalars(query)]

    def list_tickets(self, *, status: str | None = None, org_slug: str | None = None,
                     limit: int = 500, uow: UnitOfWork | None = None) -> list[TicketView]:
        with self.work(uow) as uow:
            session = uow.session
            query = (select(Ticket).options(*_TICKET_LOAD)
                     .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
            if status:
                query = query.where(Ticket.status == model.parse_enum(
                    TicketStatus, status, "ticket.bad_status").value)
            if org_slug:
                org = organization_by_slug(session, org_slug)
                query = query.where(Ticket.organization_id == org.id)
            return [TicketView.of(t) for t in session.scalars(query)]

    def ticket_events(self, number: str, *, uow: UnitOfWork | None = None) -> list[dict[str, Any]]:
        with self.work(uow) as uow:
            session = uow.session
            ticket = self._ticket(session, number)
            return [
                {"kind": e.kind, "from_status": e.from_status, "to_status": e.to_status,
                 "actor_kind": e.actor_kind, "actor_id": e.actor_id, "detail": e.detail,
                 "created_at": e.created_at.isoformat()}
                for e in ticket.events
            ]

    def queue_page(self, filters: QueueFilters, *, uow: UnitOfWork | None = None) -> QueuePage:
        """The queue as the web page shows it: filtered, ordered (latest activity or nearest deadline), paged.

        "Breached" uses the due times the SLA service stores on each ticket: a first
        response still missing past its due time, or a running resolution clock past its own.
        """
        limit = max(1, min(filters.limit, MAX_PAGE_SIZE))
        offset = max(0, filters.offset)
        now = self.clock()
        with self.work(uow) as uow:
            session = uow.session
            where: list[ColumnElement[bool]] = []
            if filters.status:
                where.append(Ticket.status == model.parse_enum(TicketStatus, filters.status,
                                                               "ticket.bad_status").value)
            else:
                where.append(Ticket.status.in_(QUEUE_STATUSES))
            if filters.level:
                where.append(Ticket.level == model.parse_enum(Level, filters.level, "analyst.bad_level").value)
            if filters.criticality:
                where.append(Ticket.criticality == model.parse_enum(
                    Criticality, filters.criticality, "ticket.bad_criticality").value)
            if filters.module:
                where.append(Ticket.module == model.match_module(filters.module, self.modules))
            if filters.plan:
                plan = model.parse_enum(Plan, filters.plan, "org.bad_plan").value
                where.append(Ticket.organization_id.in_(select(Organization.id).where(Organization.plan == plan)))
            if filters.assignee:
                analyst_id = session.scalar(select(Analyst.id).where(Analyst.email == filters.assignee.strip().lower()))
                if analyst_id is None:
                    raise InvalidInput("queue.unknown_assignee", email=filters.assignee[:100])
                where.append(Ticket.assignee_id == analyst_id)
            if filters.mine_of is not None:
                where.append(Ticket.assignee_id == filters.mine_of)
            if filters.unassigned:
                where.append(Ticket.assignee_id.is_(None))
            if filters.breached:
                where.append(or_((Ticket.first_response_at.is_(None)) & (Ticket.first_response_due_at < now),
                                 Ticket.resolution_due_at < now))
            total = session.scalar(select(func.count(Ticket.id)).where(*where)) or 0
            query = select(Ticket).options(*_TICKET_LOAD).where(*where)
            if filters.order == "deadline":
                due = case((Ticket.first_response_at.is_(None), Ticket.first_response_due_at),
                           else_=Ticket.resolution_due_at)
                query = query.order_by(due.is_(None), due, Ticket.id)
            else:
                query = query.order_by(_latest_activity(session.get_bind().dialect.name).desc(), Ticket.id.desc())
            rows = session.scalars(query.limit(limit).offset(offset))
            return QueuePage(tuple(TicketView.of(t) for t in rows), total, offset, limit)


def _latest_activity(dialect: str) -> ColumnElement[Any]:
    """The latest of opening, the client's and the analysts' last activity (SQL ``greatest`` / ``max``)."""
    parts = (Ticket.created_at, func.coalesce(Ticket.last_client_activity_at, Ticket.created_at),
             func.coalesce(Ticket.last_analyst_activity_at, Ticket.created_at))
    return func.greatest(*parts) if dialect == "postgresql" else func.max(*parts)
