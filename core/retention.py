"""Retention (``RETENTION_MONTHS``, off by default) and the audit log of what was done with people's data.

``run_retention`` anonymizes what people wrote longer ago than the retention
period: the texts of tickets closed before the cutoff (subject, description,
client and analyst messages, attachment metadata, rating comments, text in
events), FAQ questions asked before it, outbox rows created before it and
conversations idle since. Numbers, times, hours, amounts and scores stay.
Exports, erasures and retention runs each write one ``audit_log`` row (ids
and counts, never the data); ``audit_entries`` reads them back, newest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from core.model import TicketStatus
from core.privacy import ERASED, TEXT_KEYS, Erasure, audit
from core.store.orm import AuditEntry, Conversation, FaqQuestion, Message, OutboxMessage, Ticket, TicketEvent

if TYPE_CHECKING:
    from core.desk import HelpDesk
    from core.store.db import UnitOfWork

DAYS_PER_MONTH = 30


def audit_entries(desk: HelpDesk, limit: int = 50, *, uow: UnitOfWork | None = None) -> list[dict[str, Any]]:
    with desk.work(uow) as uow:
        rows = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return [{"at": r.at.isoformat(), "action": r.action, "contact_id": r.contact_id, "detail": r.detail}
                for r in rows]


def cutoff_for(now: datetime, months: int) -> datetime:
    return now - timedelta(days=DAYS_PER_MONTH * months)


def run_retention(desk: HelpDesk, months: int, *, dry_run: bool = False,
                  uow: UnitOfWork | None = None) -> Erasure:
    """Anonymize what is older than ``months`` (30-day months); ``dry_run`` counts only."""
    if months < 1:
        raise ValueError("months must be at least 1")
    with desk.work(uow) as uow:
        session = uow.session
        now = desk.clock()
        cutoff = cutoff_for(now, months)
        done = Erasure(contact_id=0)
        savepoint = session.begin_nested()
        old = list(session.scalars(select(Ticket).where(Ticket.status == TicketStatus.CLOSED.value,
                                                        Ticket.closed_at < cutoff, Ticket.subject != ERASED)))
        ids = [t.id for t in old]
        for ticket in old:
            done.add("tickets", 1)
            ticket.subject, ticket.description, ticket.satisfaction_comment = ERASED, ERASED, None
        for message in session.scalars(select(Message).where(Message.ticket_id.in_(ids))):
            done.add("messages", 1)
            message.body, message.attachments = ERASED, []
        for event in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(ids))):
            if any(k in (event.detail or {}) for k in TEXT_KEYS):
                event.detail = {k: v for k, v in event.detail.items() if k not in TEXT_KEYS}
        for question in session.scalars(select(FaqQuestion).where(FaqQuestion.created_at < cutoff,
                                                                  FaqQuestion.text != ERASED)):
            done.add("faq_questions", 1)
            question.text = ERASED
        stale = [select(OutboxMessage.id).where(OutboxMessage.created_at < cutoff,
                                                OutboxMessage.status != "PENDING"),
                 select(Conversation.id).where(Conversation.updated_at < cutoff)]
        done.add("outbox", len(list(session.scalars(stale[0]))))
        done.add("conversations", len(list(session.scalars(stale[1]))))
        if dry_run:
            savepoint.rollback()
            return done
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(stale[0])))
        session.execute(delete(Conversation).where(Conversation.id.in_(stale[1])))
        audit(session, now, "retention.run", None, months=months, cutoff=cutoff.isoformat(), counts=done.counts)
        savepoint.commit()
        return done
