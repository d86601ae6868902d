"""Read models handed to the edges: plain frozen dataclasses, never ORM rows.

Their ``to_dict`` output is the stable JSON the CLI prints with ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.store import orm


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class OrganizationView:
    id: int
    name: str
    slug: str
    plan: str
    billing_mode: str
    acceptance_signed_on: date | None
    active: bool
    email_copies: bool = True
    hourly_rate_cents: int = 0
    contract_minutes_month: int = 0

    @classmethod
    def of(cls, row: orm.Organization) -> OrganizationView:
        return cls(row.id, row.name, row.slug, row.plan, row.billing_mode,
                   row.acceptance_signed_on, row.active, bool(row.email_copies),
                   int(row.hourly_rate_cents or 0), int(row.contract_minutes_month or 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "slug": self.slug, "plan": self.plan,
            "billing_mode": self.billing_mode,
            "acceptance_signed_on": self.acceptance_signed_on.isoformat()
            if self.acceptance_signed_on else None,
            "active": self.active,
        }


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    email: str
    role: str
    ticket_designee: bool
    active: bool
    organization_slug: str
    organization_id: int

    @classmethod
    def of(cls, row: orm.Contact) -> ContactView:
        return cls(row.id, row.name, row.email, row.role, row.ticket_designee, row.active,
                   row.organization.slug, row.organization_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "email": self.email, "role": self.role,
            "ticket_designee": self.ticket_designee, "active": self.active,
            "organization": self.organization_slug,
        }


@dataclass(frozen=True)
class AnalystView:
    id: int
    name: str
    email: str
    level: str
    specialties: tuple[str, ...]
    active: bool
    manager: bool = False

    @classmethod
    def of(cls, row: orm.Analyst) -> AnalystView:
        return cls(row.id, row.name, row.email, row.level, tuple(row.specialties or ()), row.active,
                   bool(row.manager))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "email": self.email, "level": self.level,
            "specialties": list(self.specialties), "active": self.active, "manager": self.manager,
        }


@dataclass(frozen=True)
class MessageView:
    id: int
    author_kind: str
    author: str | None
    author_name: str | None
    body: str
    visibility: str
    attachments: tuple[dict[str, Any], ...]
    created_at: datetime

    @classmethod
    def of(cls, row: orm.Message) -> MessageView:
        if row.contact is not None:
            author, name = row.contact.email, row.contact.name
        elif row.analyst is not None:
            author, name = row.analyst.email, row.analyst.name
        else:
            author, name = None, None
        return cls(row.id, row.author_kind, author, name, row.body, row.visibility,
                   tuple(row.attachments or ()), row.created_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "author_kind": self.author_kind, "author": self.author, "body": self.body,
            "visibility": self.visibility, "attachments": list(self.attachments),
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    status: str
    organization: str
    organization_name: str
    plan: str
    requester: str
    requester_name: str
    requester_id: int
    subject: str
    description: str
    module: str
    criticality: str
    level: str
    assignee: str | None
    assignee_name: str | None
    origin_platform: str | None
    origin_chat: str | None
    created_at: datetime
    first_response_at: datetime | None
    last_client_activity_at: datetime | None
    last_analyst_activity_at: datetime | None
    closed_at: datetime | None
    forwarded_area: str | None
    satisfaction: int | None
    messages: tuple[MessageView, ...] = field(default=())
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None

    @classmethod
    def of(cls, row: orm.Ticket, *, with_messages: bool = False,
           include_internal: bool = True) -> TicketView:
        messages: tuple[MessageView, ...] = ()
        if with_messages:
            messages = tuple(
                MessageView.of(m) for m in row.messages
                if include_internal or m.visibility == "PUBLIC"
            )
        return cls(
            id=row.id, number=row.number, status=row.status,
            organization=row.organization.slug, organization_name=row.organization.name,
            plan=row.organization.plan, requester=row.requester.email,
            requester_name=row.requester.name, requester_id=row.requester_id,
            subject=row.subject, description=row.description, module=row.module,
            criticality=row.criticality, level=row.level,
            assignee=row.assignee.email if row.assignee else None,
            assignee_name=row.assignee.name if row.assignee else None,
            origin_platform=row.origin_platform, origin_chat=row.origin_chat,
            created_at=row.created_at, first_response_at=row.first_response_at,
            last_client_activity_at=row.last_client_activity_at,
            last_analyst_activity_at=row.last_analyst_activity_at,
            closed_at=row.closed_at, forwarded_area=row.forwarded_area,
            satisfaction=row.satisfaction, messages=messages,
            first_response_due_at=row.first_response_due_at, resolution_due_at=row.resolution_due_at,
        )

    def to_dict(self, *, with_messages: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number, "status": self.status, "organization": self.organization,
            "requester": self.requester, "subject": self.subject, "description": self.description,
            "module": self.module, "criticality": self.criticality, "level": self.level,
            "assignee": self.assignee, "plan": self.plan,
            "created_at": _iso(self.created_at),
            "first_response_at": _iso(self.first_response_at),
            "closed_at": _iso(self.closed_at), "forwarded_area": self.forwarded_area,
            "satisfaction": self.satisfaction,
        }
        if with_messages:
            data["messages"] = [m.to_dict() for m in self.messages]
        return data


@dataclass(frozen=True)
class MessageOutcome:
    """The result of adding a message: the ticket after it, and whether it was a repeat."""

    ticket: TicketView
    message_id: int | None
    duplicate: bool = False


@dataclass(frozen=True)
class ChatIdentityView:
    """A chat account and whom it belongs to (a contact or an analyst)."""

    platform: str
    external_id: str
    contact_id: int | None
    analyst_id: int | None
    display_name: str | None
    locale: str | None

    @classmethod
    def of(cls, row: orm.ChatIdentity) -> ChatIdentityView:
        return cls(row.platform, row.external_id, row.contact_id, row.analyst_id,
                   row.display_name, row.locale)
