"""The analysts' side of a ticket: public replies, internal notes, claiming, escalating, closing, forwarding."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from core import model
from core.errors import Conflict, InvalidInput
from core.model import Action, Actor, AuthorKind, PlatformRef, Visibility
from core.routing import escalation_mentions
from core.store.db import UnitOfWork
from core.store.orm import Ticket
from core.tickets.recording import TicketRecording, ref_dict
from core.views import MessageOutcome, TicketView


class AnalystActions(TicketRecording):
    """What an analyst does to a ticket."""

    def analyst_reply(self, number: str, analyst_id: int, body: str, *,
                      attachments: Iterable[model.Attachment] = (),
                      ref: PlatformRef | None = None, uow: UnitOfWork | None = None) -> MessageOutcome:
        return self._deduplicated(number, ref, uow, lambda: self._analyst_reply(
            number, analyst_id, body, attachments=attachments, ref=ref, uow=uow))

    def _analyst_reply(self, number: str, analyst_id: int, body: str, *,
                      attachments: Iterable[model.Attachment] = (),
                      ref: PlatformRef | None = None, uow: UnitOfWork | None = None) -> MessageOutcome:
        """A public reply: ANSWERED, relayed to the client."""
        attachments = tuple(attachments)
        text = model.clean_body(body) if (body.strip() or not attachments) else ""
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number, lock=True)
            if self._seen(session, ref):
                return MessageOutcome(self._view(session, ticket), None, duplicate=True)
            target = model.next_status(ticket, Action.ANALYST_REPLY)
            message = self._add_message(session, ticket, author_kind=AuthorKind.ANALYST,
                                        body=text, visibility=Visibility.PUBLIC,
                                        analyst_id=analyst.id, attachments=attachments, ref=ref)
            now = self.clock()
            ticket.last_analyst_activity_at = now
            if ticket.first_response_at is None:
                ticket.first_response_at = now
            actor = Actor.analyst(analyst.id)
            if target != ticket.status:
                event = self._change_status(session, ticket, target, actor, "analyst_reply",
                                            message_id=message.id)
            else:
                event = self._event(session, ticket, "analyst_reply", actor,
                                    message_id=message.id)
            self._notify_client(session, ticket, event, "analyst_reply",
                                {"message_id": message.id})
            self._notify_email(session, ticket, event, "email_analyst_reply", {"message_id": message.id})
            self._notify_analysts(session, ticket, event, "analyst_reply",
                                  {"message_id": message.id, "ref": ref_dict(ref)})
            view = self._view(session, ticket)
            return MessageOutcome(view, message.id)

    def internal_note(self, number: str, analyst_id: int, body: str, *,
                      ref: PlatformRef | None = None, uow: UnitOfWork | None = None) -> MessageOutcome:
        return self._deduplicated(number, ref, uow, lambda: self._internal_note(
            number, analyst_id, body, ref=ref, uow=uow))

    def _internal_note(self, number: str, analyst_id: int, body: str, *,
                       ref: PlatformRef | None = None, uow: UnitOfWork | None = None) -> MessageOutcome:
        """An internal note: never changes the status, never reaches the client."""
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number)
            if self._seen(session, ref):
                return MessageOutcome(self._view(session, ticket), None, duplicate=True)
            message = self._add_message(session, ticket, author_kind=AuthorKind.ANALYST,
                                        body=model.clean_body(body),
                                        visibility=Visibility.INTERNAL, analyst_id=analyst.id,
                                        ref=ref)
            self._event(session, ticket, "note", Actor.analyst(analyst.id), message_id=message.id)
            view = self._view(session, ticket)
            return MessageOutcome(view, message.id)

    def claim(self, number: str, analyst_id: int, *, uow: UnitOfWork | None = None) -> TicketView:
        """Assign the ticket to the analyst; of two simultaneous claims exactly one wins."""
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number)
            if not model.check_claim(ticket, analyst.id):
                return self._view(session, ticket)
            result = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None))
                .values(assignee_id=analyst.id)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:  # nothing written yet: the refusal leaves no trace
                raise Conflict("ticket.already_claimed", number=ticket.number)
            session.refresh(ticket)
            event = self._event(session, ticket, "claimed", Actor.analyst(analyst.id),
                                analyst=analyst.email)
            self._notify_analysts(session, ticket, event, "ticket_updated",
                                  {"change": "claimed", "analyst": analyst.name})
            view = self._view(session, ticket)
            return view

    def escalate(self, number: str, analyst_id: int, reason: str, *, uow: UnitOfWork | None = None) -> TicketView:
        """N1 -> N2 with a reason; the client is told."""
        reason = model.clean_body(reason) if reason.strip() else ""
        if not reason:
            raise InvalidInput("ticket.escalate_needs_reason")
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number, lock=True)
            new_level = model.check_escalate(ticket)
            ticket.level = new_level.value
            ticket.assignee_id = None
            event = self._event(session, ticket, "escalated", Actor.analyst(analyst.id),
                                reason=reason, to_level=new_level.value)
            self._add_message(session, ticket, author_kind=AuthorKind.ANALYST,
                              body=reason, visibility=Visibility.INTERNAL, analyst_id=analyst.id)
            for hook in self.hooks:
                hook.escalated(session, ticket, event)
            self._notify_analysts(session, ticket, event, "ticket_updated",
                                  {"change": "escalated", "analyst": analyst.name,
                                   "reason": reason, "mention_ids": escalation_mentions(session, ticket)})
            self._notify_client(session, ticket, event, "escalated", {})
            view = self._view(session, ticket)
            return view

    def close_by_analyst(self, number: str, analyst_id: int, *, uow: UnitOfWork | None = None) -> TicketView:
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number, lock=True)
            target = model.next_status(ticket, Action.CLOSE)
            event = self._change_status(session, ticket, target, Actor.analyst(analyst.id),
                                        "closed_by_analyst")
            self._notify_analysts(session, ticket, event, "status_changed",
                                  {"status": target.value, "by": "analyst",
                                   "analyst": analyst.name})
            self._notify_client(session, ticket, event, "closed_by_analyst", {})
            self._notify_email(session, ticket, event, "email_closed", {"by": "analyst"})
            view = self._view(session, ticket)
            return view

    def forward(self, number: str, analyst_id: int, area: str, *, uow: UnitOfWork | None = None) -> TicketView:
        """Out of support's scope: FORWARDED to another area; the client is told which."""
        area = " ".join(area.split())
        if not area:
            raise InvalidInput("ticket.forward_needs_area")
        with self.work(uow) as uow:
            session = uow.session
            analyst = self._analyst(session, analyst_id)
            ticket = self._ticket(session, number, lock=True)
            target = model.next_status(ticket, Action.FORWARD)
            ticket.forwarded_area = area[:60]
            event = self._change_status(session, ticket, target, Actor.analyst(analyst.id),
                                        "forwarded", area=area)
            self._notify_analysts(session, ticket, event, "status_changed",
                                  {"status": target.value, "by": "analyst", "area": area,
                                   "analyst": analyst.name})
            self._notify_client(session, ticket, event, "forwarded", {"area": area})
            view = self._view(session, ticket)
            return view
