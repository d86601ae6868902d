"""LGPD: what is stored about a contact (export) and forgetting it (erase).

``export_contact`` gathers every row about a person: the contact, their chat
identities and conversations, the tickets they opened with every public
message, their FAQ questions. ``erase_contact`` anonymizes in one unit of work:
name and e-mail (the e-mail becomes ``apagado-ID@anonimo.invalid``, the contact
inactive), chat identities (external id and display name), the texts they wrote
(ticket subjects and descriptions, their messages and attachment metadata,
rating comments, the text in their events), the questions put to the FAQ from
their chats, their conversations and the outbox rows to or about them. Ticket
numbers, statuses, times, hours, amounts and scores stay, so a past month's
billing and SLA reports give the same totals before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.model import AuthorKind, Visibility
from core.store.orm import (
    AuditEntry,
    ChatIdentity,
    Contact,
    Conversation,
    FaqQuestion,
    Invite,
    Message,
    OutboxMessage,
    Ticket,
    TicketEvent,
)

if TYPE_CHECKING:
    from core.desk import HelpDesk
    from core.store.db import UnitOfWork

ERASED = "[apagado]"
TEXT_KEYS = ("body", "comment", "reason", "text", "description", "subject", "name", "email")


@dataclass
class Erasure:
    """What an erasure changed (or, with ``dry_run``, would change): counts per kind of row."""

    contact_id: int
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def audit(session: Session, at: datetime, action: str, contact_id: int | None, **detail: Any) -> None:
    """One row of the audit log (``core.retention.audit_entries`` reads them): ids and counts only."""
    session.add(AuditEntry(at=at, action=action, contact_id=contact_id, detail=detail))


def _contact(session: Session, email: str) -> Contact:
    contact = session.scalar(select(Contact).where(Contact.email == email.strip().lower()))
    if contact is None:
        raise NotFound("contact.not_found", email=email)
    return contact


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_contact(desk: HelpDesk, email: str, *, uow: UnitOfWork | None = None) -> dict[str, Any]:
    """Everything stored about the contact ``email``, as plain JSON-ready data."""
    with desk.work(uow) as uow:
        session = uow.session
        contact = _contact(session, email)
        identities = list(session.scalars(select(ChatIdentity).where(ChatIdentity.contact_id == contact.id)))
        chats = [(i.platform, i.external_id) for i in identities]
        tickets = list(session.scalars(select(Ticket).where(Ticket.requester_id == contact.id).order_by(Ticket.id)))
        audit(session, desk.clock(), "contact.export", contact.id)
        return {
            "contact": {"id": contact.id, "name": contact.name, "email": contact.email, "role": contact.role,
                        "organization": contact.organization.slug, "active": contact.active,
                        "created_at": _when(contact.created_at)},
            "chat_identities": [{"platform": i.platform, "external_id": i.external_id,
                                 "display_name": i.display_name, "locale": i.locale} for i in identities],
            "conversations": [{"platform": c.platform, "chat_id": c.chat_id, "state": c.state, "locale": c.locale}
                              for c in _conversations(session, chats)],
            "tickets": [_ticket(session, t) for t in tickets],
            "faq_questions": [{"at": _when(q.created_at), "platform": q.platform, "text": q.text,
                               "decision": q.decision, "entry_id": q.entry_id, "feedback": q.feedback}
                              for q in _faq_questions(session, chats)],
        }


def _ticket(session: Session, ticket: Ticket) -> dict[str, Any]:
    messages = session.scalars(select(Message).where(Message.ticket_id == ticket.id,
                                                     Message.visibility == Visibility.PUBLIC.value)
                               .order_by(Message.id))
    return {"number": ticket.number, "subject": ticket.subject, "description": ticket.description,
            "status": ticket.status, "module": ticket.module, "criticality": ticket.criticality,
            "created_at": _when(ticket.created_at), "closed_at": _when(ticket.closed_at),
            "satisfaction": ticket.satisfaction, "satisfaction_comment": ticket.satisfaction_comment,
            "messages": [{"at": _when(m.created_at), "author": m.author_kind, "body": m.body,
                          "attachments": m.attachments} for m in messages]}


def _conversations(session: Session, chats: list[tuple[str, str]]) -> list[Conversation]:
    if not chats:
        return []
    return list(session.scalars(select(Conversation).where(or_(
        *((Conversation.platform == p) & (Conversation.user_id == u) for p, u in chats)))))


def _faq_questions(session: Session, chats: list[tuple[str, str]]) -> list[FaqQuestion]:
    if not chats:
        return []
    return list(session.scalars(select(FaqQuestion).where(or_(
        *((FaqQuestion.platform == p) & (FaqQuestion.user_id == u) for p, u in chats))).order_by(FaqQuestion.id)))


def erase_contact(desk: HelpDesk, email: str, *, dry_run: bool = False,
                  uow: UnitOfWork | None = None) -> Erasure:
    """Anonymize the contact ``email`` and what they wrote; ``dry_run`` counts and changes nothing."""
    with desk.work(uow) as uow:
        session = uow.session
        contact = _contact(session, email)
        done = Erasure(contact.id)
        savepoint = session.begin_nested()  # a dry run rolls back to here, not the caller's work
        identities = list(session.scalars(select(ChatIdentity).where(ChatIdentity.contact_id == contact.id)))
        chats = [(i.platform, i.external_id) for i in identities]
        ticket_ids = list(session.scalars(select(Ticket.id).where(Ticket.requester_id == contact.id)))
        done.add("contact", 1)
        done.add("chat_identities", len(identities))
        _erase_texts(session, contact, ticket_ids, done)
        pseudonyms = {(i.platform, i.external_id): f"apagado:{i.id}" for i in identities}
        for question in _faq_questions(session, chats):
            done.add("faq_questions", 1)
            question.text, question.user_id = ERASED, pseudonyms[(question.platform, question.user_id)]
        conversations = _conversations(session, chats)
        done.add("conversations", len(conversations))
        outbox = select(OutboxMessage.id).where(or_(
            OutboxMessage.ticket_id.in_(ticket_ids),
            *((OutboxMessage.platform == p) & (OutboxMessage.address == u) for p, u in chats)))
        outbox_ids = list(session.scalars(outbox))
        done.add("outbox", len(outbox_ids))
        if dry_run:
            savepoint.rollback()
            return done
        for conversation in conversations:
            session.delete(conversation)
        if outbox_ids:
            session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(outbox_ids)))
        for invite in session.scalars(select(Invite).where(Invite.contact_id == contact.id)):
            invite.used_by = None
        for identity in identities:
            identity.external_id, identity.display_name = pseudonyms[(identity.platform, identity.external_id)], None
        contact.name, contact.email, contact.active = ERASED, f"apagado-{contact.id}@anonimo.invalid", False
        audit(session, desk.clock(), "contact.erase", contact.id, counts=done.counts)
        savepoint.commit()
        return done


def _erase_texts(session: Session, contact: Contact, ticket_ids: list[int], done: Erasure) -> None:
    """The texts the contact wrote: in their tickets, their messages (anywhere) and their events."""
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))):
        done.add("tickets", 1)
        ticket.subject, ticket.description = ERASED, ERASED
        ticket.satisfaction_comment, ticket.origin_chat = None, None
    written = select(Message).where(or_(Message.contact_id == contact.id, Message.ticket_id.in_(ticket_ids)
                                        & (Message.author_kind == AuthorKind.CLIENT.value)))
    for message in session.scalars(written):
        done.add("messages", 1)
        message.body, message.attachments = ERASED, []
        message.platform_chat, message.platform_message_id = None, None
    events = select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids))
    for event in session.scalars(events):
        detail = dict(event.detail or {})
        if any(k in detail for k in TEXT_KEYS):
            done.add("events", 1)
            event.detail = {k: v for k, v in detail.items() if k not in TEXT_KEYS}
