"""Opening a ticket: who may open, the number, the first message, routing and the analysts' ping."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select

from core import model
from core.errors import InvalidInput
from core.model import Actor, AuthorKind, Criticality, Level, PlatformRef, TicketStatus, Visibility
from core.routing import route_new_ticket
from core.store.db import UnitOfWork
from core.store.orm import Message, Ticket
from core.tickets.recording import TicketRecording
from core.views import TicketView

log = logging.getLogger(__name__)


class Opening(TicketRecording):
    """A contact opens a ticket (from the chat, the CLI or the web)."""

    def check_may_open(self, contact_id: int, *, uow: UnitOfWork | None = None) -> None:
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact(session, contact_id)
            model.check_may_open_tickets(contact.organization, contact)

    def open_ticket(self, *, contact_id: int, subject: str, module: str, criticality: str,
                    description: str = "", origin_platform: str | None = None,
                    origin_chat: str | None = None,
                    attachments: Iterable[model.Attachment] = (),
                    ref: PlatformRef | None = None,
                    requested_analyst_id: int | None = None,
                    uow: UnitOfWork | None = None) -> TicketView:
        """Open a ticket for a contact allowed by the plan; pings the analysts."""
        crit = model.parse_enum(Criticality, criticality, "ticket.bad_criticality")
        module_name = model.match_module(module, self.modules)
        subject = " ".join(subject.split())[:200]
        if not subject:
            raise InvalidInput("ticket.empty_subject")
        description = description.strip()
        with self.work(uow) as uow:
            session = uow.session
            if ref is not None and self._seen(session, ref):
                existing = session.scalar(select(Message).where(
                    Message.platform == ref.platform, Message.platform_chat == ref.chat,
                    Message.platform_message_id == ref.message_id))
                assert existing is not None
                return TicketView.of(existing.ticket)
            contact = self._contact(session, contact_id)
            model.check_may_open_tickets(contact.organization, contact)
            now = self.clock()
            ticket = Ticket(
                number=self._next_number(session), organization_id=contact.organization_id,
                requester_id=contact.id, subject=subject, description=description,
                module=module_name, criticality=crit.value, status=TicketStatus.OPEN.value,
                level=Level.N1.value, origin_platform=origin_platform, origin_chat=origin_chat,
                created_at=now, last_client_activity_at=now,
                requested_analyst_id=requested_analyst_id,
            )
            session.add(ticket)
            session.flush()
            self._add_message(session, ticket, author_kind=AuthorKind.CLIENT,
                              body=description or subject, visibility=Visibility.PUBLIC,
                              contact_id=contact.id, attachments=attachments, ref=ref)
            event = self._event(session, ticket, "opened", Actor.contact(contact.id),
                                to_status=TicketStatus.OPEN.value)
            mentions = route_new_ticket(session, ticket)
            for hook in self.hooks:
                hook.ticket_opened(session, ticket, event)
            self._notify_analysts(session, ticket, event, "ticket_opened", {"mention_ids": mentions})
            view = self._view(session, ticket)
        log.info("ticket opened", extra={"ticket": view.number, "platform": origin_platform or "cli"})
        return view
