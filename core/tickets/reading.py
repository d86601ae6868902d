"""Reading tickets: one ticket as an actor may see it, a contact's list, the analysts' queue, events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core import model
from core.model import Actor, ActorKind, TicketStatus
from core.store.db import UnitOfWork
from core.store.orm import Ticket
from core.tickets.recording import TicketRecording
from core.usecases import organization_by_slug
from core.views import TicketView

_TICKET_LOAD = (
    selectinload(Ticket.organization),
    selectinload(Ticket.requester),
    selectinload(Ticket.assignee),
)


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
