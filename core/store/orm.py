"""SQLAlchemy 2.x typed mappings of the help desk's tables.

Rows carry the attributes the rules in ``core/model.py`` read; the rules
themselves stay in plain Python. Timestamps are stored in UTC and always come
back time-zone aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    plan: Mapped[str] = mapped_column(String(10))
    billing_mode: Mapped[str] = mapped_column(String(12))
    acceptance_signed_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    hourly_rate_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    contract_minutes_month: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    email_copies: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime]

    contacts: Mapped[list[Contact]] = relationship(back_populates="organization")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    ticket_designee: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship(back_populates="contacts")


class Analyst(Base):
    __tablename__ = "analysts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    level: Mapped[str] = mapped_column(String(2))
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    manager: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]


class ChatIdentity(Base):
    """A platform account (Telegram user id, Slack user id) linked to a person."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]


class TicketSequence(Base):
    """The last ticket number handed out per year (one atomic upsert per ticket)."""

    __tablename__ = "ticket_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "status", "level", "assignee_id", "created_at"),
        Index("ix_tickets_requester", "requester_id", "status", "created_at"),
        Index("ix_tickets_organization", "organization_id", "created_at"),
        Index("ix_tickets_created", "created_at"),
        Index("ix_tickets_closed", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    module: Mapped[str] = mapped_column(String(60))
    criticality: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(2))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"))
    origin_platform: Mapped[str | None] = mapped_column(String(20))
    origin_chat: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    last_client_activity_at: Mapped[datetime | None]
    last_analyst_activity_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    forwarded_area: Mapped[str | None] = mapped_column(String(60))
    routed_to_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"))
    requested_analyst_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"))
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship()
    requester: Mapped[Contact] = relationship()
    assignee: Mapped[Analyst | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="Message.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )


class Message(Base):
    """One entry of a ticket's append-only history."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("platform", "platform_chat", "platform_message_id"),
        Index("ix_messages_ticket", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    author_kind: Mapped[str] = mapped_column(String(10))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    platform: Mapped[str | None] = mapped_column(String(20))
    platform_chat: Mapped[str | None] = mapped_column(String(100))
    platform_message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    contact: Mapped[Contact | None] = relationship()
    analyst: Mapped[Analyst | None] = relationship()


class TicketEvent(Base):
    """Who changed what and when: status, assignment, escalation, forwarding."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="events")


__all__ = [
    "Analyst",
    "Base",
    "ChatIdentity",
    "Contact",
    "Message",
    "Organization",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
]


class TicketThread(Base):
    """Where a ticket's conversation lives on an analysts' platform.

    Written by the adapter that posted the ticket (a Slack message ts, a
    Telegram forum topic or the bot's root message), read to relay into it.
    """

    __tablename__ = "ticket_threads"
    __table_args__ = (
        UniqueConstraint("ticket_id", "platform"),
        Index("ix_ticket_threads_lookup", "platform", "chat", "thread_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    platform: Mapped[str] = mapped_column(String(20))
    chat: Mapped[str] = mapped_column(String(100))
    thread_ref: Mapped[str] = mapped_column(String(100))
    root_message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class ThreadMessage(Base):
    """A message the bot posted in a ticket's thread (replies to it land on the ticket)."""

    __tablename__ = "thread_messages"
    __table_args__ = (UniqueConstraint("platform", "chat", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A notification waiting for (or done with) delivery; see ``core/outbox.py``."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at", "id"),
        Index("ix_outbox_stream", "stream", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    stream: Mapped[str] = mapped_column(String(160))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="PENDING")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class Invite(Base):
    """A one-time, expiring code that links a chat account to a contact (hash only)."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(140))
    created_at: Mapped[datetime]


class WebSignIn(Base):
    """A one-time, expiring sign-in link to the web workspace, for an analyst or a contact (hash only)."""

    __tablename__ = "web_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Conversation(Base):
    """Where a chat user is in the dialog; kept here so restarts and workers continue it."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str | None] = mapped_column(String(10))
    window_started_at: Mapped[datetime | None]
    window_count: Mapped[int] = mapped_column(Integer, default=0)
    flood_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Platform deliveries already handled (update ids, event ids): each is handled once."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("platform", "update_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(140))
    created_at: Mapped[datetime]


class FaqQuestion(Base):
    """Every question put to the FAQ, the decision, what was shown and the feedback."""

    __tablename__ = "faq_questions"
    __table_args__ = (Index("ix_faq_questions_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    locale: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10))
    entry_id: Mapped[str | None] = mapped_column(String(80))
    suggested: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float | None]
    feedback: Mapped[str | None] = mapped_column(String(12))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime]


class SlaAlert(Base):
    """A warning (80%) or a breach of a ticket's SLA target, recorded once each."""

    __tablename__ = "sla_alerts"
    __table_args__ = (UniqueConstraint("ticket_id", "target", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    target: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]


class TimeEntry(Base):
    """Hours an analyst logged on a ticket (stored in minutes)."""

    __tablename__ = "time_entries"
    __table_args__ = (Index("ix_time_entries_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    analyst_id: Mapped[int] = mapped_column(ForeignKey("analysts.id"))
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    client_cause: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class BillingApproval(Base):
    """SaaS: the client's decision on billing hours whose cause was on their side."""

    __tablename__ = "billing_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("analysts.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    decided_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who asked what of people's data (exports, erasures, retention runs): ids and counts, never the data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
