"""Where tickets live on the analysts' platforms, and deliveries already handled.

Adapters record the thread they opened for a ticket (a Slack message ts, a
Telegram forum topic or root message) and every message they post in it, so an
analyst's reply in the thread, or a reply to one of those messages, finds its
ticket. ``mark_processed`` makes any platform delivery (update id, event id)
count once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.store.db import Database
from core.store.orm import ProcessedUpdate, ThreadMessage, Ticket, TicketThread


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ThreadRef:
    ticket_id: int
    number: str
    platform: str
    chat: str
    thread_ref: str
    root_message_id: str | None


def save_thread(db: Database, ticket_id: int, platform: str, chat: str, thread_ref: str,
                root_message_id: str | None = None) -> None:
    """Record (or update) the ticket's thread on ``platform``."""
    with db.session() as session:
        row = session.scalar(select(TicketThread).where(TicketThread.ticket_id == ticket_id,
                                                        TicketThread.platform == platform))
        if row is None:
            session.add(TicketThread(ticket_id=ticket_id, platform=platform, chat=str(chat),
                                     thread_ref=str(thread_ref), root_message_id=root_message_id,
                                     created_at=_now()))
        else:
            row.chat, row.thread_ref = str(chat), str(thread_ref)
            row.root_message_id = root_message_id or row.root_message_id
        try:
            session.commit()
        except IntegrityError:
            session.rollback()


def _ref(row: TicketThread, number: str) -> ThreadRef:
    return ThreadRef(row.ticket_id, number, row.platform, row.chat, row.thread_ref,
                     row.root_message_id)


def thread_for(db: Database, ticket_id: int, platform: str) -> ThreadRef | None:
    with db.session() as session:
        row = session.scalar(select(TicketThread).where(TicketThread.ticket_id == ticket_id,
                                                        TicketThread.platform == platform))
        if row is None:
            return None
        number = session.scalar(select(Ticket.number).where(Ticket.id == ticket_id)) or ""
        return _ref(row, number)


def ticket_for_thread(db: Database, platform: str, chat: str, thread_ref: str) -> ThreadRef | None:
    with db.session() as session:
        row = session.scalar(select(TicketThread).where(
            TicketThread.platform == platform, TicketThread.chat == str(chat),
            TicketThread.thread_ref == str(thread_ref)))
        if row is None:
            return None
        number = session.scalar(select(Ticket.number).where(Ticket.id == row.ticket_id)) or ""
        return _ref(row, number)


def remember_message(db: Database, ticket_id: int, platform: str, chat: str, message_id: str) -> None:
    """A message the bot (or an analyst) posted in a ticket's thread."""
    with db.session() as session:
        session.add(ThreadMessage(ticket_id=ticket_id, platform=platform, chat=str(chat),
                                  message_id=str(message_id), created_at=_now()))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()


def ticket_for_message(db: Database, platform: str, chat: str, message_id: str) -> str | None:
    """The number of the ticket a thread message belongs to, if the bot knows it."""
    with db.session() as session:
        ticket_id = session.scalar(select(ThreadMessage.ticket_id).where(
            ThreadMessage.platform == platform, ThreadMessage.chat == str(chat),
            ThreadMessage.message_id == str(message_id)))
        if ticket_id is None:
            root = session.scalar(select(TicketThread.ticket_id).where(
                TicketThread.platform == platform, TicketThread.chat == str(chat),
                TicketThread.root_message_id == str(message_id)))
            ticket_id = root
        if ticket_id is None:
            return None
        return session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))


def mark_processed(db: Database, platform: str, key: str) -> bool:
    """True the first time ``key`` is seen on ``platform``; False for a repeat delivery."""
    with db.session() as session:
        session.add(ProcessedUpdate(platform=platform, update_key=str(key)[:140], created_at=_now()))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True
