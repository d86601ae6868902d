"""Invite codes: an admin issues one for a contact; the client redeems it in chat.

Codes are short, one-time and expiring; only their SHA-256 is stored. Redeeming
links the platform account (chat identity) to the contact.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.errors import InvalidInput, NotAllowed
from core.store.db import UnitOfWork
from core.store.orm import Contact, Invite

if TYPE_CHECKING:
    from core.desk import HelpDesk
from core.views import ContactView

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    email: str
    expires_at: datetime


def issue_invite(desk: HelpDesk, email: str, ttl: timedelta = timedelta(hours=72), *,
                 uow: UnitOfWork | None = None) -> IssuedInvite:
    """A new code for the contact (shown once; the store keeps only its hash)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    code = f"{raw[:4]}-{raw[4:]}"
    now = desk.clock()
    with desk.work(uow) as uow:
        contact = desk.contact_by_email(email, uow=uow)
        uow.session.add(Invite(contact_id=contact.id, code_hash=hash_code(code),
                               expires_at=now + ttl, created_at=now))
    return IssuedInvite(code, contact.email, now + ttl)


def redeem_invite(desk: HelpDesk, code: str, *, platform: str, external_id: str,
                  display_name: str | None = None, locale: str | None = None,
                  uow: UnitOfWork | None = None) -> ContactView:
    """Link the chat account to the invite's contact; the code cannot be used again."""
    if len(normalize_code(code)) != CODE_LENGTH:
        raise InvalidInput("invite.malformed")
    now = desk.clock()
    with desk.work(uow) as uow:
        session = uow.session
        invite = session.scalar(select(Invite).where(Invite.code_hash == hash_code(code)))
        if invite is None:
            raise NotAllowed("invite.invalid")
        if invite.used_at is not None:
            raise NotAllowed("invite.used")
        if invite.expires_at < now:
            raise NotAllowed("invite.expired")
        contact = session.get(Contact, invite.contact_id)
        if contact is None or not contact.active:
            raise NotAllowed("access.contact_inactive")
        invite.used_at = now
        invite.used_by = f"{platform}:{external_id}"[:140]
        desk.link_identity(platform, external_id, contact_id=contact.id,
                           display_name=display_name, locale=locale, uow=uow)
        return ContactView.of(contact)
