"""Use cases of the help desk: each one is one unit of work.

``HelpDesk`` is built by the composition root with the database and the
policy knobs (reopen window, modules, where analysts work). Every method loads
what it needs, asks the rules in ``core/model.py``, changes the rows, records
the ticket event and the outbox notifications in the same transaction, and
returns a read model from ``core/views.py``. Domain errors pass through to
the edges untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core import model
from core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed, NotFound
from core.model import (
    Action,
    ActorKind,
    AuthorKind,
    BillingMode,
    ContactRole,
    Criticality,
    Level,
    Plan,
    TicketStatus,
    Visibility,
)
from core.outbox import ANALYSTS, CLIENT, EMAIL, enqueue
from core.store.db import Database
from core.store.orm import (
    Analyst,
    ChatIdentity,
    Contact,
    Message,
    Organization,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from core.views import (
    AnalystView,
    ContactView,
    MessageOutcome,
    OrganizationView,
    TicketView,
)

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PlatformRef:
    """Where a message came from, to store it once however often it is delivered."""

    platform: str
    chat: str
    message_id: str


@dataclass(frozen=True)
class Actor:
    """Who is acting: a contact, an analyst or the system/administrator."""

    kind: ActorKind
    id: int | None = None

    @classmethod
    def contact(cls, contact_id: int) -> Actor:
        return cls(ActorKind.CONTACT, contact_id)

    @classmethod
    def analyst(cls, analyst_id: int) -> Actor:
        return cls(ActorKind.ANALYST, analyst_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, None)


def ticket_by_number(session: Session, number: str, *, lock: bool = False) -> Ticket:
    """The ticket a person typed (any accepted form); row-locked on PostgreSQL when ``lock``."""
    normalized = model.parse_ticket_number(number)
    query = select(Ticket).where(Ticket.number == normalized)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Ticket)
    ticket = session.scalar(query)
    if ticket is None:
        raise NotFound("ticket.not_found", number=normalized)
    return ticket


def active_analyst(session: Session, analyst_id: int) -> Analyst:
    """The analyst, refused unless registered and active."""
    analyst = session.get(Analyst, analyst_id)
    if analyst is None or not analyst.active:
        raise NotAllowed("analyst.not_registered")
    return analyst


_TICKET_LOAD = (
    selectinload(Ticket.organization),
    selectinload(Ticket.requester),
    selectinload(Ticket.assignee),
)


class HelpDesk:
    """The help desk's use cases over one database."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        reopen_window: timedelta = model.DEFAULT_REOPEN_WINDOW,
        modules: Sequence[str] = model.DEFAULT_MODULES,
        analyst_desks: Sequence[str] = (),
        email_copies: bool = False,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.reopen_window = reopen_window
        self.modules = tuple(modules)
        self.analyst_desks = tuple(analyst_desks)
        self.email_copies = email_copies
        self.after_commit = after_commit
        self.hooks: list[TicketHook] = []

    # --- plumbing -----------------------------------------------------------

    def _commit(self, session: Session) -> None:
        session.commit()
        if self.after_commit is not None:
            self.after_commit()

    _ticket = staticmethod(ticket_by_number)

    def _ticket_for_contact(self, session: Session, number: str, contact: Contact,
                            *, lock: bool = False) -> Ticket:
        ticket = self._ticket(session, number, lock=lock)
        if ticket.organization_id != contact.organization_id:
            # Same answer as a missing ticket: never reveal another organization's numbers.
            raise NotFound("ticket.not_found", number=ticket.number)
        return ticket

    @staticmethod
    def _contact(session: Session, contact_id: int) -> Contact:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound("contact.not_found", email=str(contact_id))
        return contact

    _analyst = staticmethod(active_analyst)

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

    # --- administration ---------------------------------------------------

    def add_organization(self, *, name: str, slug: str, plan: str, billing_mode: str,
                         acceptance_signed_on: date | None = None,
                         active: bool = True) -> OrganizationView:
        plan_value = model.parse_enum(Plan, plan, "org.bad_plan")
        mode = model.parse_enum(BillingMode, billing_mode, "org.bad_billing_mode")
        slug = slug.strip().lower()
        if not slug or not name.strip():
            raise InvalidInput("org.bad_name")
        with self.db.session() as session:
            if session.scalar(select(Organization.id).where(Organization.slug == slug)):
                raise Conflict("org.exists", slug=slug)
            org = Organization(name=name.strip(), slug=slug, plan=plan_value.value,
                               billing_mode=mode.value, acceptance_signed_on=acceptance_signed_on,
                               active=active, created_at=self.clock())
            session.add(org)
            self._commit(session)
            return OrganizationView.of(org)

    def update_organization(self, slug: str, **changes: Any) -> OrganizationView:
        with self.db.session() as session:
            org = self._org(session, slug)
            for key, value in changes.items():
                if key == "plan":
                    value = model.parse_enum(Plan, value, "org.bad_plan").value
                elif key == "billing_mode":
                    value = model.parse_enum(BillingMode, value, "org.bad_billing_mode").value
                elif key not in {"acceptance_signed_on", "active", "name", "email_copies",
                                 "hourly_rate_cents", "contract_minutes_month"}:
                    raise InvalidInput("org.bad_field", field=key)
                setattr(org, key, value)
            self._commit(session)
            return OrganizationView.of(org)

    @staticmethod
    def _org(session: Session, slug: str) -> Organization:
        org = session.scalar(select(Organization).where(Organization.slug == slug.strip().lower()))
        if org is None:
            raise NotFound("org.not_found", slug=slug)
        return org

    def list_organizations(self) -> list[OrganizationView]:
        with self.db.session() as session:
            rows = session.scalars(select(Organization).order_by(Organization.slug))
            return [OrganizationView.of(r) for r in rows]

    def add_contact(self, *, org_slug: str, name: str, email: str, role: str = "OTHER",
                    ticket_designee: bool = False) -> ContactView:
        role_value = model.parse_enum(ContactRole, role, "contact.bad_role")
        email = _clean_email(email)
        with self.db.session() as session:
            org = self._org(session, org_slug)
            if session.scalar(select(Contact.id).where(Contact.email == email)):
                raise Conflict("contact.exists", email=email)
            if ticket_designee:
                model.check_designation(org.plan, role_value, self._designees(session, org.id))
            contact = Contact(organization=org, name=name.strip(), email=email,
                              role=role_value.value, ticket_designee=ticket_designee,
                              active=True, created_at=self.clock())
            session.add(contact)
            self._commit(session)
            return ContactView.of(contact)

    @staticmethod
    def _designees(session: Session, org_id: int) -> int:
        return int(session.scalar(
            select(func.count()).where(Contact.organization_id == org_id,
                                       Contact.ticket_designee.is_(True),
                                       Contact.active.is_(True))
        ) or 0)

    def designate_contact(self, email: str) -> ContactView:
        """Name the VIP organization's second contact allowed to open tickets."""
        with self.db.session() as session:
            contact = self._contact_by_email(session, email)
            if contact.ticket_designee:
                return ContactView.of(contact)
            model.check_designation(contact.organization.plan, contact.role,
                                    self._designees(session, contact.organization_id))
            contact.ticket_designee = True
            self._commit(session)
            return ContactView.of(contact)

    @staticmethod
    def _contact_by_email(session: Session, email: str) -> Contact:
        contact = session.scalar(select(Contact).where(Contact.email == _clean_email(email)))
        if contact is None:
            raise NotFound("contact.not_found", email=email)
        return contact

    def contact_by_email(self, email: str) -> ContactView:
        with self.db.session() as session:
            return ContactView.of(self._contact_by_email(session, email))

    def list_contacts(self, org_slug: str | None = None) -> list[ContactView]:
        with self.db.session() as session:
            query = select(Contact).join(Contact.organization).order_by(
                Organization.slug, Contact.email)
            if org_slug:
                query = query.where(Organization.slug == org_slug.strip().lower())
            return [ContactView.of(c) for c in session.scalars(query)]

    def add_analyst(self, *, name: str, email: str, level: str = "N1",
                    specialties: Sequence[str] = ()) -> AnalystView:
        level_value = model.parse_enum(Level, level, "analyst.bad_level")
        email = _clean_email(email)
        modules = [model.match_module(s, self.modules) for s in specialties if s.strip()]
        with self.db.session() as session:
            if session.scalar(select(Analyst.id).where(Analyst.email == email)):
                raise Conflict("analyst.exists", email=email)
            analyst = Analyst(name=name.strip(), email=email, level=level_value.value,
                              specialties=modules, active=True, created_at=self.clock())
            session.add(analyst)
            self._commit(session)
            return AnalystView.of(analyst)

    def analyst_by_email(self, email: str) -> AnalystView:
        with self.db.session() as session:
            analyst = session.scalar(select(Analyst).where(Analyst.email == _clean_email(email)))
            if analyst is None:
                raise NotFound("analyst.not_found", email=email)
            return AnalystView.of(analyst)

    def list_analysts(self) -> list[AnalystView]:
        with self.db.session() as session:
            rows = session.scalars(select(Analyst).order_by(Analyst.level, Analyst.email))
            return [AnalystView.of(a) for a in rows]

    # --- chat identities ------------------------------------------------------

    def identity(self, platform: str, external_id: str) -> ChatIdentityView | None:
        with self.db.session() as session:
            row = session.scalar(select(ChatIdentity).where(
                ChatIdentity.platform == platform, ChatIdentity.external_id == str(external_id)))
            return ChatIdentityView.of(row) if row else None

    def link_identity(self, platform: str, external_id: str, *, contact_id: int | None = None,
                      analyst_id: int | None = None, display_name: str | None = None,
                      locale: str | None = None, session: Session | None = None) -> None:
        """Link a platform account to a contact or an analyst (one of them)."""
        if (contact_id is None) == (analyst_id is None):
            raise InvalidInput("identity.one_target")
        own = session is None
        s = session or self.db.new_session()
        try:
            row = s.scalar(select(ChatIdentity).where(
                ChatIdentity.platform == platform, ChatIdentity.external_id == str(external_id)))
            if row is None:
                row = ChatIdentity(platform=platform, external_id=str(external_id),
                                   created_at=self.clock())
                s.add(row)
            row.contact_id, row.analyst_id = contact_id, analyst_id
            row.display_name = display_name or row.display_name
            row.locale = locale or row.locale
            if own:
                self._commit(s)
        finally:
            if own:
                s.close()

    def link_analyst(self, email: str, platform: str, external_id: str) -> None:
        analyst = self.analyst_by_email(email)
        self.link_identity(platform, external_id, analyst_id=analyst.id)

    # --- tickets: client side -------------------------------------------------

    def check_may_open(self, contact_id: int) -> None:
        with self.db.session() as session:
            contact = self._contact(session, contact_id)
            model.check_may_open_tickets(contact.organization, contact)

    def open_ticket(self, *, contact_id: int, subject: str, module: str, criticality: str,
                    description: str = "", origin_platform: str | None = None,
                    origin_chat: str | None = None,
                    attachments: Iterable[model.Attachment] = (),
                    ref: PlatformRef | None = None,
                    requested_analyst_id: int | None = None,
                    session: Session | None = None) -> TicketView:
        """Open a ticket for a contact allowed by the plan; pings the analysts."""
        crit = model.parse_enum(Criticality, criticality, "ticket.bad_criticality")
        module_name = model.match_module(module, self.modules)
        subject = " ".join(subject.split())[:200]
        if not subject:
            raise InvalidInput("ticket.empty_subject")
        description = description.strip()
        own = session is None
        s = session or self.db.new_session()
        try:
            if ref is not None and self._seen(s, ref):
                existing = s.scalar(select(Message).where(
                    Message.platform == ref.platform, Message.platform_chat == ref.chat,
                    Message.platform_message_id == ref.message_id))
                assert existing is not None
                return TicketView.of(existing.ticket)
            contact = self._contact(s, contact_id)
            model.check_may_open_tickets(contact.organization, contact)
            now = self.clock()
            ticket = Ticket(
                number=self._next_number(s), organization_id=contact.organization_id,
                requester_id=contact.id, subject=subject, description=description,
                module=module_name, criticality=crit.value, status=TicketStatus.OPEN.value,
                level=Level.N1.value, origin_platform=origin_platform, origin_chat=origin_chat,
                created_at=now, last_client_activity_at=now,
                requested_analyst_id=requested_analyst_id,
            )
            s.add(ticket)
            s.flush()
            self._add_message(s, ticket, author_kind=AuthorKind.CLIENT,
                              body=description or subject, visibility=Visibility.PUBLIC,
                              contact_id=contact.id, attachments=attachments, ref=ref)
            event = self._event(s, ticket, "opened", Actor.contact(contact.id),
                                to_status=TicketStatus.OPEN.value)
            from core.routing import route_new_ticket

            mentions = route_new_ticket(s, ticket)
            for hook in self.hooks:
                hook.ticket_opened(s, ticket, event)
            self._notify_analysts(s, ticket, event, "ticket_opened", {"mention_ids": mentions})
            view = self._view(s, ticket)
            if own:
                self._commit(s)
            log.info("ticket opened", extra={"ticket": ticket.number,
                                             "platform": origin_platform or "cli"})
            return view
        finally:
            if own:
                s.close()

    def client_message(self, number: str, contact_id: int, body: str, *,
                      attachments: Iterable[model.Attachment] = (),
                      ref: PlatformRef | None = None) -> MessageOutcome:
        return self._deduplicated(number, ref, lambda: self._client_message(
            number, contact_id, body, attachments=attachments, ref=ref))

    def _client_message(self, number: str, contact_id: int, body: str, *,
                       attachments: Iterable[model.Attachment] = (),
                       ref: PlatformRef | None = None) -> MessageOutcome:
        """A client adds to a ticket: stored once, status back to OPEN, relayed to analysts."""
        attachments = tuple(attachments)
        text = model.clean_body(body) if (body.strip() or not attachments) else ""
        with self.db.session() as session:
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
            return self._commit_outcome(session, view, message.id)

    def _commit_outcome(self, session: Session, view: TicketView, message_id: int) -> MessageOutcome:
        self._commit(session)
        return MessageOutcome(view, message_id)

    def _deduplicated(self, number: str, ref: PlatformRef | None,
                      call: Callable[[], MessageOutcome]) -> MessageOutcome:
        """Run ``call``; if the same platform message raced in elsewhere, report a repeat."""
        try:
            return call()
        except IntegrityError:
            if ref is None:
                raise
            with self.db.session() as session:
                if not self._seen(session, ref):
                    raise
                ticket = self._ticket(session, number)
                return MessageOutcome(TicketView.of(ticket), None, duplicate=True)

    def accept_solution(self, number: str, contact_id: int) -> TicketView:
        """The client says it is solved: CLOSED."""
        with self.db.session() as session:
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
            self._commit(session)
            return view

    def reject_solution(self, number: str, contact_id: int, body: str | None = None) -> TicketView:
        """The client says it is not solved yet: back to OPEN."""
        with self.db.session() as session:
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            target = model.next_status(ticket, Action.REJECT)
            actor = Actor.contact(contact.id)
            event = self._change_status(session, ticket, target, actor, "rejected")
            ticket.last_client_activity_at = self.clock()
            if body and body.strip():
                self._add_message(session, ticket, author_kind=AuthorKind.CLIENT,
                                  body=model.clean_body(body), visibility=Visibility.PUBLIC,
                                  contact_id=contact.id)
            self._notify_analysts(session, ticket, event, "status_changed",
                                  {"status": target.value, "by": "client",
                                   "reason": "rejected", "body": (body or "").strip()})
            view = self._view(session, ticket)
            self._commit(session)
            return view

    def reopen(self, number: str, contact_id: int, body: str | None = None) -> TicketView:
        """A CLOSED ticket reopens within the window; after it, a new ticket is needed."""
        with self.db.session() as session:
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact, lock=True)
            model.check_may_open_tickets(contact.organization, contact)
            target = model.check_reopen(ticket, self.clock(), self.reopen_window)
            actor = Actor.contact(contact.id)
            event = self._change_status(session, ticket, target, actor, "reopened")
            ticket.last_client_activity_at = self.clock()
            if body and body.strip():
                self._add_message(session, ticket, author_kind=AuthorKind.CLIENT,
                                  body=model.clean_body(body), visibility=Visibility.PUBLIC,
                                  contact_id=contact.id)
            self._notify_analysts(session, ticket, event, "status_changed",
                                  {"status": target.value, "by": "client", "reason": "reopened",
                                   "body": (body or "").strip()})
            view = self._view(session, ticket)
            self._commit(session)
            return view

    def rate(self, number: str, contact_id: int, score: int, comment: str | None = None) -> TicketView:
        """Satisfaction 1-5 (and a comment) on a closed ticket."""
        if not 1 <= score <= 5:
            raise InvalidInput("rating.bad_score")
        with self.db.session() as session:
            contact = self._contact(session, contact_id)
            ticket = self._ticket_for_contact(session, number, contact)
            if ticket.status != TicketStatus.CLOSED:
                raise InvalidTransition("rating.not_closed", number=ticket.number)
            ticket.satisfaction = score
            if comment and comment.strip():
                ticket.satisfaction_comment = comment.strip()[:2000]
            event = self._event(session, ticket, "rated", Actor.contact(contact.id), score=score)
            self._notify_analysts(session, ticket, event, "rated",
                                  {"score": score, "comment": (comment or "").strip()[:500]})
            view = self._view(session, ticket)
            self._commit(session)
            return view

    # --- tickets: analyst side -----------------------------------------------

    def analyst_reply(self, number: str, analyst_id: int, body: str, *,
                      attachments: Iterable[model.Attachment] = (),
                      ref: PlatformRef | None = None) -> MessageOutcome:
        return self._deduplicated(number, ref, lambda: self._analyst_reply(
            number, analyst_id, body, attachments=attachments, ref=ref))

    def _analyst_reply(self, number: str, analyst_id: int, body: str, *,
                      attachments: Iterable[model.Attachment] = (),
                      ref: PlatformRef | None = None) -> MessageOutcome:
        """A public reply: ANSWERED, relayed to the client."""
        attachments = tuple(attachments)
        text = model.clean_body(body) if (body.strip() or not attachments) else ""
        with self.db.session() as session:
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
                                  {"message_id": message.id, "ref": _ref_dict(ref)})
            view = self._view(session, ticket)
            return self._commit_outcome(session, view, message.id)

    def internal_note(self, number: str, analyst_id: int, body: str, *,
                      ref: PlatformRef | None = None) -> MessageOutcome:
        return self._deduplicated(number, ref, lambda: self._internal_note(
            number, analyst_id, body, ref=ref))

    def _internal_note(self, number: str, analyst_id: int, body: str, *,
                       ref: PlatformRef | None = None) -> MessageOutcome:
        """An internal note: never changes the status, never reaches the client."""
        with self.db.session() as session:
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
            return self._commit_outcome(session, view, message.id)

    def claim(self, number: str, analyst_id: int) -> TicketView:
        """Assign the ticket to the analyst; of two simultaneous claims exactly one wins."""
        with self.db.session() as session:
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
            if getattr(result, "rowcount", 0) != 1:
                session.rollback()
                raise Conflict("ticket.already_claimed", number=ticket.number)
            session.refresh(ticket)
            event = self._event(session, ticket, "claimed", Actor.analyst(analyst.id),
                                analyst=analyst.email)
            self._notify_analysts(session, ticket, event, "ticket_updated",
                                  {"change": "claimed", "analyst": analyst.name})
            view = self._view(session, ticket)
            self._commit(session)
            return view

    def escalate(self, number: str, analyst_id: int, reason: str) -> TicketView:
        """N1 -> N2 with a reason; the client is told."""
        reason = model.clean_body(reason) if reason.strip() else ""
        if not reason:
            raise InvalidInput("ticket.escalate_needs_reason")
        with self.db.session() as session:
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
            from core.routing import escalation_mentions

            self._notify_analysts(session, ticket, event, "ticket_updated",
                                  {"change": "escalated", "analyst": analyst.name,
                                   "reason": reason, "mention_ids": escalation_mentions(session, ticket)})
            self._notify_client(session, ticket, event, "escalated", {})
            view = self._view(session, ticket)
            self._commit(session)
            return view

    def close_by_analyst(self, number: str, analyst_id: int) -> TicketView:
        with self.db.session() as session:
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
            self._commit(session)
            return view

    def forward(self, number: str, analyst_id: int, area: str) -> TicketView:
        """Out of support's scope: FORWARDED to another area; the client is told which."""
        area = " ".join(area.split())
        if not area:
            raise InvalidInput("ticket.forward_needs_area")
        with self.db.session() as session:
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
            self._commit(session)
            return view

    # --- reading --------------------------------------------------------------

    def get_ticket(self, number: str, actor: Actor, *, with_messages: bool = True) -> TicketView:
        """A ticket as ``actor`` may see it (contacts: own organization, public messages)."""
        with self.db.session() as session:
            if actor.kind == ActorKind.CONTACT:
                assert actor.id is not None
                contact = self._contact(session, actor.id)
                ticket = self._ticket_for_contact(session, number, contact)
                return TicketView.of(ticket, with_messages=with_messages, include_internal=False)
            if actor.kind == ActorKind.ANALYST:
                assert actor.id is not None
                self._analyst(session, actor.id)
            ticket = self._ticket(session, number)
            return TicketView.of(ticket, with_messages=with_messages)

    def contact_tickets(self, contact_id: int, *, active_only: bool = False,
                        limit: int = 50) -> list[TicketView]:
        """A contact's own tickets, newest first."""
        with self.db.session() as session:
            query = (select(Ticket).options(*_TICKET_LOAD)
                     .where(Ticket.requester_id == contact_id)
                     .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
            if active_only:
                query = query.where(Ticket.status.in_([s.value for s in model.ACTIVE_STATUSES]))
            return [TicketView.of(t) for t in session.scalars(query)]

    def analyst_queue(self, analyst_id: int | None = None, *, limit: int = 50,
                      offset: int = 0) -> list[TicketView]:
        """Open work: the analyst's own tickets and the unassigned ones at their level."""
        with self.db.session() as session:
            query = (select(Ticket).options(*_TICKET_LOAD)
                     .where(Ticket.status.in_([TicketStatus.OPEN.value,
                                               TicketStatus.ANSWERED.value]))
                     .order_by(Ticket.created_at, Ticket.id).limit(limit).offset(offset))
            if analyst_id is not None:
                analyst = self._analyst(session, analyst_id)
                query = query.where(or_(
                    Ticket.assignee_id == analyst.id,
                    (Ticket.assignee_id.is_(None)) & (Ticket.level == analyst.level),
                ))
            return [TicketView.of(t) for t in session.scalars(query)]

    def list_tickets(self, *, status: str | None = None, org_slug: str | None = None,
                     limit: int = 500) -> list[TicketView]:
        with self.db.session() as session:
            query = (select(Ticket).options(*_TICKET_LOAD)
                     .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
            if status:
                query = query.where(Ticket.status == model.parse_enum(
                    TicketStatus, status, "ticket.bad_status").value)
            if org_slug:
                org = self._org(session, org_slug)
                query = query.where(Ticket.organization_id == org.id)
            return [TicketView.of(t) for t in session.scalars(query)]

    def ticket_events(self, number: str) -> list[dict[str, Any]]:
        with self.db.session() as session:
            ticket = self._ticket(session, number)
            return [
                {"kind": e.kind, "from_status": e.from_status, "to_status": e.to_status,
                 "actor_kind": e.actor_kind, "actor_id": e.actor_id, "detail": e.detail,
                 "created_at": e.created_at.isoformat()}
                for e in ticket.events
            ]


class TicketHook:
    """Extension point for policies that react inside the same transaction (SLA, routing)."""

    def ticket_opened(self, session: Session, ticket: Ticket, event: TicketEvent) -> None:
        """Called after a ticket row is created."""

    def status_changed(self, session: Session, ticket: Ticket, previous: str,
                       event: TicketEvent) -> None:
        """Called after a ticket's status changed."""

    def escalated(self, session: Session, ticket: Ticket, event: TicketEvent) -> None:
        """Called after a ticket moved from N1 to N2."""


@dataclass(frozen=True)
class ChatIdentityView:
    platform: str
    external_id: str
    contact_id: int | None
    analyst_id: int | None
    display_name: str | None
    locale: str | None

    @classmethod
    def of(cls, row: ChatIdentity) -> ChatIdentityView:
        return cls(row.platform, row.external_id, row.contact_id, row.analyst_id,
                   row.display_name, row.locale)


def _clean_email(email: str) -> str:
    value = email.strip().lower()
    if "@" not in value or value.startswith("@") or value.endswith("@") or " " in value:
        raise InvalidInput("email.invalid", value=email.strip()[:100])
    return value


def _ref_dict(ref: PlatformRef | None) -> dict[str, str] | None:
    if ref is None:
        return None
    return {"platform": ref.platform, "chat": ref.chat, "message_id": ref.message_id}


