"""The client's side of a ticket: adding messages, accepting or rejecting the solution, reopening, rating."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from core import model
from core.errors import InvalidInput, InvalidTransition
from core.model import Action, Actor, AuthorKind, PlatformRef, TicketStatus, Visibility
from core.store.db import UnitOfWork
from core.store.orm import Contact, Ticket
from core.tickets.recording import TicketRecording
from core.views import MessageOutcome, TicketView


class ClientActions(TicketRecording):
    """What a contact does to a ticket of their organization."""

    def client_message(self, number: str, contact_id: int, body: str, *,
                      attachments: Iterable[model.Attachment] = (),
                      ref: PlatformRef | None = None, uow: UnitOfWork | None = None) -> MessageOutcome:
        return self._deduplicated(number, ref, uow, lambda: self._client_message(
            number, contact_id, body, attachments=attachments, ref=ref, uow=uow))

    def _client_message(self, number: str, contact_id: int, body: str, *,
                       attachments: Iterable[model.Attachment] = (),
                       ref: PlatformRef | None = None, uow: UnitOfWork | None = None) -> MessageOutcome:
        """A client adds to a ticket: stored once, status back to OPEN, relayed to analysts."""
        attachments = tuple(attachments)
        text = model.clean_body(body) if (body.strip() or not attachments) else ""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            if self._seen(session, ref):
                return MessageOutcome(self._view(session, ticket), None, duplicate=True)
            target = model.next_status(ticket, Action.CLIENT_MESSAGE)
            message = self._add_message(session, ticket, author_kind=AuthorKind.CLIENT,
                                        body=text, visibility=Visibility.PUBLIC,
                                        contact_id=contact.id, attachments=attachments, ref=ref)
            ticket.last_client_activity_at = self.clock()
            actor = Actor.contact(contact.id)
            if target != ticket.status:
                event = self._change_status(session, ticket, target, actor, "client_message",
                                            message_id=message.id)
            else:
                event = self._event(session, ticket, "client_message", actor,
                                    message_id=message.id)
            self._notify_analysts(session, ticket, event, "client_message",
                                  {"message_id": message.id})
            view = self._view(session, ticket)
            return MessageOutcome(view, message.id)

    def accept_solution(self, number: str, contact_id: int, *, uow: UnitOfWork | None = None) -> TicketView:
        """The client says it is solved: CLOSED."""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            target = model.next_status(ticket, Action.ACCEPT)
            event = self._change_status(session, ticket, target, Actor.contact(contact.id),
                                        "accepted")
            ticket.last_client_activity_at = self.clock()
            self._notify_email(session, ticket, event, "email_closed", {"by": "client"})
            self._notify_analysts(session, ticket, event, "status_changed",
                                  {"status": target.value, "by": "client"})
            view = self._view(session, ticket)
            return view

    def reject_solution(self, number: str, contact_id: int, body: str | None = None, *,
                        uow: UnitOfWork | None = None) -> TicketView:
        """The client says it is not solved yet: back to OPEN."""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            target = model.next_status(ticket, Action.REJECT)
            return self._back_to_analysts(session, ticket, contact, target, "rejected", body)

    def reopen(self, number: str, contact_id: int, body: str | None = None, *,
               uow: UnitOfWork | None = None) -> TicketView:
        """A CLOSED ticket reopens within the window; after it, a new ticket is needed."""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            model.check_may_open_tickets(contact.organization, contact)
            target = model.check_reopen(ticket, self.clock(), self.reopen_window)
            return self._back_to_analysts(session, ticket, contact, target, "reopened", body)

    def _back_to_analysts(self, session: Session, ticket: Ticket, contact: Contact, target: TicketStatus,
                          reason: str, body: str | None) -> TicketView:
        """Rejected or reopened: the ticket waits for the analysts again, with the client's words if any."""
        event = self._change_status(session, ticket, target, Actor.contact(contact.id), reason)
        ticket.last_client_activity_at = self.clock()
        if body and body.strip():
            self._add_message(session, ticket, author_kind=AuthorKind.CLIENT,
                              body=model.clean_body(body), visibility=Visibility.PUBLIC,
                              contact_id=contact.id)
        self._notify_analysts(session, ticket, event, "status_changed",
                              {"status": target.value, "by": "client", "reason": reason,
                               "body": (body or "").strip()})
        return self._view(session, ticket)

    def rate(self, number: str, contact_id: int, score: int, comment: str | None = None, *,
             uow: UnitOfWork | None = None) -> TicketView:
        """Satisfaction 1-5 (and a comment) on a closed ticket, once per closing: one notice."""
        if not 1 <= score <= 5:
            raise InvalidInput("rating.bad_score")
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact)
            try:
                model.check_rating(ticket.status, ticket.satisfaction is not None)
            except InvalidTransition as exc:
                raise InvalidTransition(exc.key, number=ticket.number) from None
            ticket.satisfaction = score
            text = (comment or "").strip()[:2000]
            ticket.satisfaction_comment = text or None
            event = self._event(session, ticket, "rated", Actor.contact(contact.id), score=score,
                                comment=text or None)
            self._notify_analysts(session, ticket, event, "rated", {"score": score, "comment": text[:500]})
            return self._view(session, ticket)

    def comment_rating(self, number: str, contact_id: int, comment: str, *,
                       uow: UnitOfWork | None = None) -> TicketView:
        """The comment that follows a score in the chat: kept with the rating, no second notice
        (the analysts were told the score; the comment is in the ticket and its events)."""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact)
            if ticket.status != TicketStatus.CLOSED or ticket.satisfaction is None:
                raise InvalidTransition("rating.not_closed", number=ticket.number)
            text = comment.strip()[:2000]
            if text:
                ticket.satisfaction_comment = text
                self._event(session, ticket, "rating_commented", Actor.contact(contact.id), comment=text)
            return self._view(session, ticket)
