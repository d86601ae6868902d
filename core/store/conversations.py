"""Where each chat user is in the dialog, and which platform deliveries were already handled.

A chat turn runs on one unit of work: ``begin_turn`` skips a delivery handled
before, and otherwise takes the user's ``conversations`` row for the rest of the
transaction (created on first contact); ``mark_processed`` records the delivery
in the same transaction, so a redelivery after the commit is skipped and one
racing it fails on the unique key.

Two workers may get the same delivery at once. On PostgreSQL the row is locked
``FOR UPDATE``: the second worker waits, then sees the first one's commit. On
SQLite the turn's transaction began with ``BEGIN IMMEDIATE``, which already
serializes writers before the first read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.store.orm import Conversation, ProcessedUpdate


def already_processed(session: Session, platform: str, key: str) -> bool:
    """True when this platform's delivery ``key`` was handled and committed."""
    return session.scalar(select(ProcessedUpdate.id).where(
        ProcessedUpdate.platform == platform, ProcessedUpdate.update_key == key)) is not None


def mark_processed(session: Session, platform: str, key: str, now: datetime) -> None:
    """Record the delivery as handled, in the caller's transaction."""
    session.add(ProcessedUpdate(platform=platform, update_key=key, created_at=now))


def lock_conversation(session: Session, platform: str, user_id: str, chat_id: str,
                      now: datetime) -> Conversation:
    """The user's conversation row, locked until the transaction ends; created on first contact.

    Two first messages of a new user may race to create it: the loser's insert
    is undone (a savepoint, the rest of the transaction stays) and it takes the
    winner's row.
    """
    query = _conversation_query(session, platform, user_id)
    conversation = session.scalar(query)
    if conversation is not None:
        return conversation
    conversation = Conversation(platform=platform, user_id=user_id, chat_id=chat_id, state={},
                                window_count=0, flood_warned=False, updated_at=now)
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        existing = session.scalar(query)
        assert existing is not None, "the conversation that won the race is gone"
        return existing
    return conversation


def begin_turn(session: Session, *, platform: str, user_id: str, chat_id: str,
               update_key: str | None, now: datetime) -> Conversation | None:
    """The locked conversation row for one delivery; None when that delivery was already handled.

    Checked twice on PostgreSQL: before taking the lock, and after it, in case the
    same delivery finished on another worker while this one waited for the lock.
    """
    if update_key and already_processed(session, platform, update_key):
        return None
    conversation = lock_conversation(session, platform, user_id, chat_id, now)
    if update_key and _locks_rows(session) and already_processed(session, platform, update_key):
        return None
    return conversation


def _conversation_query(session: Session, platform: str, user_id: str) -> Select[tuple[Conversation]]:
    query = select(Conversation).where(Conversation.platform == platform,
                                       Conversation.user_id == user_id)
    return query.with_for_update() if _locks_rows(session) else query


def _locks_rows(session: Session) -> bool:
    """PostgreSQL locks single rows; SQLite's transaction holds the whole database instead."""
    return session.get_bind().dialect.name == "postgresql"
