"""One incoming being handled (``Turn``) and the conversation steps it moves between (``Step``).

A turn carries who wrote, where the conversation stands (``state``, kept in the
``conversations`` row between turns) and the unit of work everything of this
turn is written in; the flows add replies to it and change its state, and the
engine commits it all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from bot.messages import Button, Incoming, Reply
from bot.texts import t
from core.desk import HelpDesk
from core.errors import DomainError
from core.model import Actor
from core.store.db import UnitOfWork
from core.views import ChatIdentityView, TicketView
from knowledge_base.loader import KnowledgeBase
from knowledge_base.matcher import Matcher

Buttons = tuple[tuple[Button, ...], ...]


class Step(StrEnum):
    """Where a conversation stands; the values are stored in ``conversations.state``."""

    IDLE = "idle"
    FAQ = "faq"  # an answer or suggestions were shown
    NEW_QUESTION = "new_question"  # after /novo: the next message is a question
    FAQ_OFFER = "faq_offer"  # "Abrir chamado?"
    MODULE = "module"
    CRITICALITY = "criticality"
    DESCRIBE = "describe"
    CONFIRM = "confirm"
    PICK_ANALYST = "pick_analyst"
    PICK_TICKET = "pick_ticket"  # which active ticket a message is for
    REPLY_TO = "reply_to"  # the next message goes to one ticket
    RATE = "rate"
    RATE_COMMENT = "rate_comment"

    @property
    def waits_for_button(self) -> bool:
        """A text typed in this step is a fresh question, not an answer to the buttons."""
        return self in _BUTTON_STEPS


_BUTTON_STEPS = frozenset({Step.MODULE, Step.CRITICALITY, Step.CONFIRM, Step.PICK_TICKET,
                           Step.FAQ_OFFER, Step.RATE, Step.PICK_ANALYST})


class SlaHint(Protocol):
    """A client's line about SLA times (``core.sla_service.SlaService.hint``).

    ``key`` is a ticket number or ``plan:<contact id>:<criticality>``; it reads
    through the turn's unit of work, so it sees a ticket this turn opened.
    """

    def __call__(self, key: str, locale: str, *, uow: UnitOfWork | None = None) -> str | None: ...


class WebSignIn(Protocol):
    """A one-time sign-in link to the web workspace for a contact or an analyst (``bot.web.links``).

    Given the chat turn's ``uow``, the link's row lands with the turn's reply.
    """

    def __call__(self, kind: str, person_id: int, *, uow: UnitOfWork | None = None) -> str: ...


class DialogContext(Protocol):
    """What the flows use beyond the turn: the help desk, the FAQ and the hints plugged in."""

    desk: HelpDesk
    kb: KnowledgeBase
    sla_hint: SlaHint | None
    scope_hint: Callable[[str, str], str | None] | None
    after_hours: Callable[[str], str | None] | None

    def matcher(self, locale: str) -> Matcher: ...


@dataclass
class Turn:
    """Everything one incoming reads and produces, written in one unit of work."""

    incoming: Incoming
    locale: str
    identity: ChatIdentityView | None
    state: dict[str, Any]
    uow: UnitOfWork
    dialog: DialogContext
    replies: list[Reply] = field(default_factory=list)
    pressed: str | None = None  # the label of the pressed button, shown in place of the buttons
    new_locale: str | None = None

    @property
    def desk(self) -> HelpDesk:
        return self.dialog.desk

    @property
    def contact_id(self) -> int | None:
        return self.identity.contact_id if self.identity else None

    @property
    def step(self) -> Step:
        try:
            return Step(self.state.get("step", Step.IDLE))
        except ValueError:  # a step this version no longer has: start over
            return Step.IDLE

    def say(self, text: str, buttons: Buttons = ()) -> None:
        self.replies.append(Reply(text, buttons))

    def stale(self) -> None:
        """The button belongs to a step that has passed (or was never ours)."""
        self.say(t("stale_button", self.locale))

    def token_matches(self, token: str, *steps: Step) -> bool:
        """True when the button is of the current step; otherwise says it is stale."""
        if self.state.get("token") != token or self.state.get("step") not in steps:
            self.stale()
            return False
        return True

    def own_ticket(self, number: str) -> TicketView | None:
        """The ticket if this client may see it (None for anyone else, or no such ticket)."""
        if self.contact_id is None:
            return None
        try:
            return self.desk.get_ticket(number, Actor.contact(self.contact_id), with_messages=False,
                                        uow=self.uow)
        except DomainError:
            return None

    def sla_hint(self, key: str) -> str | None:
        hint = self.dialog.sla_hint
        return hint(key, self.locale, uow=self.uow) if hint is not None else None

    def after_hours(self) -> str | None:
        away = self.dialog.after_hours
        return away(self.locale) if away is not None else None

    def ticket_link(self, number: str) -> str | None:
        """The client's web page of the ticket, when the web workspace is on."""
        link = getattr(self.dialog, "ticket_link", None)
        return link(number) if link is not None else None

    def web_sign_in(self, kind: str, person_id: int) -> str | None:
        """A one-time sign-in link (its row in this turn's unit of work), when the web workspace is on."""
        issue: WebSignIn | None = getattr(self.dialog, "web_sign_in", None)
        return issue(kind, person_id, uow=self.uow) if issue is not None else None


def clip(text: str, limit: int) -> str:
    """The text stripped and cut to ``limit`` characters, an ellipsis marking the cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
