"""The one tree of domain errors.

Every refusal the help desk can give is a ``DomainError`` carrying a message
key and its parameters, so each edge renders it in its own way: the bot as a
polite pt-BR or English sentence, the CLI as one line on stderr.

    DomainError
    ├── NotFound          something named does not exist (ticket, contact...)
    ├── NotAllowed        the actor may not do this (plan, organization, role)
    ├── InvalidTransition the ticket's status does not allow this action
    ├── Conflict          someone else got there first (claim race, duplicates)
    └── InvalidInput      a value is malformed (criticality, module, hours...)
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a message key (see ``core/locales``) and parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        from core.i18n import translate

        return translate(self.key, "pt-BR", **self.params)

    def render(self, locale: str) -> str:
        from core.i18n import translate

        return translate(self.key, locale, **self.params)


class NotFound(DomainError):
    """Something the caller named does not exist (or is not visible to them)."""


class NotAllowed(DomainError):
    """The actor is not allowed to do this."""


class InvalidTransition(DomainError):
    """The ticket's current status does not allow this action."""


class Conflict(DomainError):
    """Someone else changed the same thing first."""


class InvalidInput(DomainError):
    """A value given by the caller is malformed."""
