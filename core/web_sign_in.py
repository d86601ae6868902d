"""Sign-in links to the web workspace: issued for an analyst or a contact, redeemed once.

A link carries a random token; the store keeps only its SHA-256
(``web_sign_ins``, like invite codes), with an expiry. Redeeming marks it
used, so a second click (or a stolen, already-used link) is refused. Who is
signed in is looked up again on every request (``signed_in_person``): a
deactivated analyst or contact loses access at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from core.errors import NotAllowed, NotFound
from core.store.db import UnitOfWork
from core.store.orm import Analyst, Contact, WebSignIn
from core.usecases import clean_email

if TYPE_CHECKING:
    from core.desk import HelpDesk

PersonKind = Literal["analyst", "contact"]
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


@dataclass(frozen=True)
class SignInPerson:
    """Who a link or a session belongs to, as the workspace shows and checks them."""

    kind: PersonKind
    id: int
    name: str
    email: str
    manager: bool = False
    organization_id: int | None = None
    level: str | None = None


@dataclass(frozen=True)
class IssuedSignIn:
    """A new link's token (shown once) and whom it signs in."""

    token: str
    person: SignInPerson
    expires_at: datetime


def _person_by_email(desk: HelpDesk, email: str, uow: UnitOfWork) -> tuple[Analyst | None, Contact | None]:
    address = clean_email(email)
    analyst = uow.session.scalar(select(Analyst).where(Analyst.email == address))
    if analyst is not None:
        return analyst, None
    contact = uow.session.scalar(select(Contact).where(Contact.email == address))
    if contact is not None:
        return None, contact
    raise NotFound("web.sign_in.unknown_email", email=address)


def _person(analyst: Analyst | None, contact: Contact | None) -> SignInPerson:
    if analyst is not None:
        return SignInPerson("analyst", analyst.id, analyst.name, analyst.email, bool(analyst.manager),
                            None, analyst.level)
    assert contact is not None
    return SignInPerson("contact", contact.id, contact.name, contact.email, False, contact.organization_id)


def issue_sign_in(desk: HelpDesk, email: str, *, minutes: int = 15,
                  uow: UnitOfWork | None = None) -> IssuedSignIn:
    """A one-time link for the analyst or the contact with this e-mail (analysts first)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = desk.clock()
    expires = now + timedelta(minutes=max(1, minutes))
    with desk.work(uow) as work:
        analyst, contact = _person_by_email(desk, email, work)
        if (analyst is not None and not analyst.active) or (contact is not None and not contact.active):
            raise NotAllowed("web.sign_in.inactive")
        work.session.add(WebSignIn(analyst_id=analyst.id if analyst else None,
                                   contact_id=contact.id if contact else None,
                                   token_hash=hash_token(token), expires_at=expires, created_at=now))
        work.session.flush()
        return IssuedSignIn(token, _person(analyst, contact), expires)


def issue_sign_in_for(desk: HelpDesk, kind: PersonKind, person_id: int, *, minutes: int = 15,
                      uow: UnitOfWork | None = None) -> IssuedSignIn:
    """A link for a person already known by id (an analyst or contact asking from the chat)."""
    with desk.work(uow) as work:
        row: Analyst | Contact | None = work.session.get(Analyst, person_id) if kind == "analyst" \
            else work.session.get(Contact, person_id)
        if row is None:
            raise NotFound("web.sign_in.unknown_email", email=str(person_id))
        return issue_sign_in(desk, row.email, minutes=minutes, uow=work)


def redeem_sign_in(desk: HelpDesk, token: str, *, uow: UnitOfWork | None = None) -> SignInPerson:
    """The person the link signs in; the link cannot be used again. Refused when unknown, used or expired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotAllowed("web.sign_in.invalid")
    now = desk.clock()
    with desk.work(uow) as work:
        session = work.session
        query = select(WebSignIn).where(WebSignIn.token_hash == hash_token(token))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = session.scalar(query)
        if row is None:
            raise NotAllowed("web.sign_in.invalid")
        if row.used_at is not None:
            raise NotAllowed("web.sign_in.used")
        if row.expires_at < now:
            raise NotAllowed("web.sign_in.expired")
        analyst = session.get(Analyst, row.analyst_id) if row.analyst_id else None
        contact = session.get(Contact, row.contact_id) if row.contact_id else None
        if (analyst is None and contact is None) or (analyst is not None and not analyst.active) \
                or (contact is not None and not contact.active):
            raise NotAllowed("web.sign_in.inactive")
        row.used_at = now
        session.flush()
        return _person(analyst, contact)


def signed_in_person(desk: HelpDesk, kind: str, person_id: int, *,
                     uow: UnitOfWork | None = None) -> SignInPerson | None:
    """The session's person as they are now; None when gone or deactivated."""
    with desk.work(uow) as work:
        if kind == "analyst":
            analyst = work.session.get(Analyst, person_id)
            return _person(analyst, None) if analyst is not None and analyst.active else None
        if kind == "contact":
            contact = work.session.get(Contact, person_id)
            if contact is None or not contact.active or not contact.organization.active:
                return None
            return _person(None, contact)
        return None
