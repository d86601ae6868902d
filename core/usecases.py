"""The base of every use-case group: the policy knobs and the unit of work.

A use case runs on the unit of work its caller hands it (``uow=``): it reads
and writes through ``uow.session`` and never commits; the caller commits once,
so a chat turn's conversation state, its ticket change and its outbox rows
land together. Without ``uow`` the use case opens its own unit of work and
commits it when it returns (the CLI and the tests call it that way).

A use case checks everything it can refuse before it writes, so a refusal
(a ``DomainError``) leaves the caller's unit of work as it found it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import model
from core.errors import InvalidInput, NotAllowed, NotFound
from core.store.db import Database, UnitOfWork
from core.store.orm import Analyst, Contact, Organization, Ticket
from core.tickets.hooks import TicketHook


def utcnow() -> datetime:
    return datetime.now(UTC)


class UseCases:
    """What every use case may read: the database, the clock and the help desk's policies."""

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

    def uow(self, *, immediate: bool = False) -> UnitOfWork:
        """A unit of work whose commit wakes the outbox dispatcher (see ``Database.uow``)."""
        return self.db.uow(immediate=immediate, on_commit=self._committed)

    def _committed(self) -> None:
        if self.after_commit is not None:
            self.after_commit()

    @contextmanager
    def work(self, uow: UnitOfWork | None) -> Iterator[UnitOfWork]:
        """The caller's unit of work, or a new one committed when the block ends without error."""
        if uow is not None:
            yield uow
            return
        with self.uow() as own:
            yield own
            own.commit()


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


def contact_by_id(session: Session, contact_id: int) -> Contact:
    """The contact, or NotFound."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("contact.not_found", email=str(contact_id))
    return contact


def organization_by_slug(session: Session, slug: str) -> Organization:
    """The organization, or NotFound."""
    org = session.scalar(select(Organization).where(Organization.slug == slug.strip().lower()))
    if org is None:
        raise NotFound("org.not_found", slug=slug)
    return org


def clean_email(email: str) -> str:
    """The address lowercased, refused unless it looks like one."""
    value = email.strip().lower()
    if "@" not in value or value.startswith("@") or value.endswith("@") or " " in value:
        raise InvalidInput("email.invalid", value=email.strip()[:100])
    return value
