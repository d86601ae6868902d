"""What the ticket use cases share: events, outbox rows, the message history, the number.

Every change to a ticket records a ``TicketEvent`` and, in the same
transaction, the outbox rows that tell the analysts, the client and the
e-mail copy; the message history stores each platform message once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import model
from core.errors import NotFound
from core.model import Actor, AuthorKind, PlatformRef, TicketStatus, Visibility
from core.outbox import ANALYSTS, CLIENT, EMAIL, enqueue
from core.store.db import UnitOfWork
from core.store.orm import Contact, Message, Ticket, TicketEvent, TicketSequence
from core.usecases import UseCases, active_analyst, contact_by_id, ticket_by_number
from core.views import MessageOutcome, TicketView


class TicketRecording(UseCases):
    """Shared steps of the ticket use cases (each runs inside the caller's session)."""

    _ticket = staticmethod(ticket_by_number)
    _contact = staticmethod(contact_by_id)
    _analyst = staticmethod(active_analyst)

    def _ticket_for_contact(self, session: Session, number: str, contact: Contact,
                            *, lock: bool = False) -> Ticket:
        ticket = self._ticket(session, number, lock=lock)
        if ticket.organization_id != contact.organization_id:
            # Same answer as a missing ticket: never reveal another organization's numbers.
            raise NotFound("ticket.not_found", number=ticket.number)
        return ticket

    def _event(self, session: Session, ticket: Ticket, kind: str, actor: Actor, *,
               from_status: str | None = None, to_status: str | None = None,
               **detail: Any) -> TicketEvent:
        event = TicketEvent(
            ticket_id=ticket.id, kind=kind, from_status=from_status, to_status=to_status,
            actor_kind=actor.kind.value, actor_id=actor.id, detail=detail,
            created_at=self.clock(),
        )
        session.add(event)
        session.flush()
        return event

    def _notify_analysts(self, session: Session, ticket: Ticket, event: TicketEvent,
                         kind: str, payload: dict[str, Any]) -> None:
        for desk in self.analyst_desks:
            enqueue(
                session, key=f"ev{event.id}:{desk}:{kind}", platform=desk, audience=ANALYSTS,
                kind=kind, stream=f"{desk}:ticket:{ticket.id}", ticket_id=ticket.id,
                payload={"number": ticket.number, **payload}, now=self.clock(),
            )

    def _notify_client(self, session: Session, ticket: Ticket, event: TicketEvent,
                       kind: str, payload: dict[str, Any]) -> None:
        if not ticket.origin_platform or not ticket.origin_chat:
            return
        enqueue(
            session, key=f"ev{event.id}:client:{kind}", platform=ticket.origin_platform,
            audience=CLIENT, address=ticket.origin_chat, kind=kind,
            stream=f"{ticket.origin_platform}:chat:{ticket.origin_chat}", ticket_id=ticket.id,
            payload={"number": ticket.number, **payload}, now=self.clock(),
        )

    def _notify_email(self, session: Session, ticket: Ticket, event: TicketEvent, kind: str,
                      payload: dict[str, Any]) -> None:
        """An e-mail copy to the requester (when configured and the organization wants it)."""
        if not self.email_copies or not ticket.organization.email_copies or not ticket.requester.email:
            return
        enqueue(
            session, key=f"ev{event.id}:email:{kind}", platform="email", audience=EMAIL,
            address=ticket.requester.email, kind=kind, stream=f"email:{ticket.requester.email}",
            ticket_id=ticket.id, payload={"number": ticket.number, **payload}, now=self.clock(),
        )

    def _change_status(self, session: Session, ticket: Ticket, target: str, actor: Actor,
                       kind: str, **detail: Any) -> TicketEvent:
        previous = ticket.status
        ticket.status = target
        if target == TicketStatus.CLOSED:
            ticket.closed_at = self.clock()
        elif previous == TicketStatus.CLOSED:
            ticket.closed_at = None
            # One rating per closing: the next closing is rated afresh (the "rated" events keep the history).
            ticket.satisfaction, ticket.satisfaction_comment = None, None
        event = self._event(session, ticket, kind, actor, from_status=previous,
                            to_status=target, **detail)
        for hook in self.hooks:
            hook.status_changed(session, ticket, previous, event)
        return event

    def _add_message(self, session: Session, ticket: Ticket, *, author_kind: AuthorKind,
                     body: str, visibility: Visibility, contact_id: int | None = None,
                     analyst_id: int | None = None, attachments: Iterable[model.Attachment] = (),
                     ref: PlatformRef | None = None) -> Message:
        message = Message(
            ticket_id=ticket.id, author_kind=author_kind.value, contact_id=contact_id,
            analyst_id=analyst_id, body=body, visibility=visibility.value,
            attachments=[a.to_dict() for a in attachments],
            platform=ref.platform if ref else None, platform_chat=ref.chat if ref else None,
            platform_message_id=ref.message_id if ref else None, created_at=self.clock(),
        )
        session.add(message)
        session.flush()
        return message

    @staticmethod
    def _seen(session: Session, ref: PlatformRef | None) -> bool:
        if ref is None:
            return False
        found = session.scalar(
            select(Message.id).where(
                Message.platform == ref.platform,
                Message.platform_chat == ref.chat,
                Message.platform_message_id == ref.message_id,
            )
        )
        return found is not None

    def _view(self, session: Session, ticket: Ticket, *, with_messages: bool = False,
              include_internal: bool = True) -> TicketView:
        session.refresh(ticket)
        return TicketView.of(ticket, with_messages=with_messages,
                             include_internal=include_internal)

    def _next_number(self, session: Session) -> str:
        year = self.clock().year
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        statement = (
            upsert(TicketSequence)
            .values(year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[TicketSequence.year],
                set_={"last_value": TicketSequence.last_value + 1},
            )
            .returning(TicketSequence.last_value)
        )
        sequence = int(session.execute(statement).scalar_one())
        return model.format_ticket_number(year, sequence)

    def _deduplicated(self, number: str, ref: PlatformRef | None, uow: UnitOfWork | None,
                      call: Callable[[], MessageOutcome]) -> MessageOutcome:
        """Run ``call``; if the same platform message raced in elsewhere, report a repeat.

        On the caller's unit of work the race surfaces to the caller, whose transaction
        is spoiled by the failed insert and must be rolled back as a whole.
        """
        if uow is not None:
            return call()
        try:
            return call()
        except IntegrityError:
            if ref is None:
                raise
            with self.work(None) as own:
                session = own.session
                if not self._seen(session, ref):
                    raise
                ticket = self._ticket(session, number)
                return MessageOutcome(TicketView.of(ticket), None, duplicate=True)


def ref_dict(ref: PlatformRef | None) -> dict[str, str] | None:
    if ref is None:
        return None
    return {"platform": ref.platform, "chat": ref.chat, "message_id": ref.message_id}
