"""The conversation engine: one chat user's input in, replies and help-desk calls out.

``Dialog.handle`` takes one ``Incoming`` (a text, a button press, attachments)
and runs it as one turn on one unit of work: the delivery is skipped if it was
handled before; otherwise the user's conversation row is taken (locked), the
flood limit applied, the turn routed to its flow (a command, a button, or the
text of the step the conversation is in), and the conversation state, every
use case's change, the FAQ log and the replies (in the outbox) commit together.
A repeat that raced in on another worker fails on a unique key and is dropped.

The flows live one per module (``bot.dialog.account``, ``self_service``,
``opening``, ``following``, ``rating``, ``billing``) and register their
handlers in ``HANDLERS``; a domain error a use case raises is answered
politely, in the client's language.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.dialog import account, billing, following, opening, rating, self_service
from bot.dialog.buttons import decode
from bot.dialog.flow import Handlers
from bot.dialog.turn import SlaHint, Step, Turn, WebSignIn
from bot.messages import Incoming, Reply
from bot.texts import normalize_locale, t
from core.desk import HelpDesk
from core.errors import DomainError
from core.outbox import CLIENT, enqueue
from core.store.conversations import begin_turn, mark_processed
from core.store.db import UnitOfWork
from core.store.orm import Conversation
from knowledge_base.loader import KnowledgeBase
from knowledge_base.matcher import Matcher

log = logging.getLogger(__name__)

# What a client may type after "/" (pt-BR and English), and the command each one is.
COMMANDS: dict[str, str] = {
    "start": "start", "ajuda": "help", "help": "help", "novo": "new", "new": "new",
    "chamados": "tickets", "tickets": "tickets", "status": "status", "cancelar": "cancel",
    "cancel": "cancel", "vincular": "link", "link": "link", "idioma": "language",
    "language": "language", "pular": "skip", "skip": "skip", "abrir": "open", "open": "open",
    "painel": "panel", "panel": "panel",
}
HANDLERS = Handlers.merge(account.flow, self_service.flow, opening.flow, following.flow, rating.flow,
                          billing.flow)


class Dialog:
    """The platform-agnostic conversation engine."""

    def __init__(
        self,
        desk: HelpDesk,
        kb: KnowledgeBase,
        *,
        flood_max_messages: int = 20,
        flood_window: timedelta = timedelta(seconds=60),
        default_locale: str = "pt-BR",
        sla_hint: SlaHint | None = None,
        scope_hint: Callable[[str, str], str | None] | None = None,
        after_hours: Callable[[str], str | None] | None = None,
        ticket_link: Callable[[str], str | None] | None = None,
        web_sign_in: WebSignIn | None = None,
    ) -> None:
        self.desk = desk
        self.kb = kb
        self.flood_max = flood_max_messages
        self.flood_window = flood_window
        self.default_locale = normalize_locale(default_locale)
        self.sla_hint = sla_hint
        self.scope_hint = scope_hint
        self.after_hours = after_hours
        # The web workspace, when it is on: a client's ticket page, and a one-time sign-in link.
        self.ticket_link = ticket_link
        self.web_sign_in = web_sign_in
        self._matchers: dict[str, Matcher] = {}

    def matcher(self, locale: str) -> Matcher:
        if locale not in self._matchers:
            self._matchers[locale] = Matcher(self.kb, locale)
        return self._matchers[locale]

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.desk.clock

    # --- the one entry point ------------------------------------------------

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one delivery; returns the replies (also queued in the outbox)."""
        with self.desk.uow(immediate=True) as uow:
            try:
                replies = self._turn(uow, incoming)
                if replies is None:
                    return []
                uow.commit()
            except IntegrityError:
                uow.rollback()
                log.info("duplicate delivery dropped", extra={"platform": incoming.platform})
                return []
        return replies  # the commit woke the outbox dispatcher (desk.after_commit)

    def _turn(self, uow: UnitOfWork, incoming: Incoming) -> list[Reply] | None:
        """The turn's replies, with everything written to ``uow``; None for a delivery handled before."""
        conv = begin_turn(uow.session, platform=incoming.platform, user_id=incoming.user_id,
                          chat_id=incoming.chat_id, update_key=incoming.update_key, now=self.clock())
        if conv is None:
            return None
        identity = self.desk.identity(incoming.platform, incoming.user_id, uow=uow)
        locale = normalize_locale(conv.locale or (identity.locale if identity else None)
                                  or incoming.locale or self.default_locale)
        turn = Turn(incoming, locale, identity, dict(conv.state or {}), uow, self)
        if self._flooded(conv):
            if not conv.flood_warned:
                conv.flood_warned = True
                turn.say(t("flood", locale))
        else:
            self._route(turn)
        conv.state = turn.state
        if turn.new_locale:
            conv.locale = turn.new_locale
        conv.chat_id = incoming.chat_id
        conv.updated_at = self.clock()
        self._write(turn)
        return turn.replies

    def _flooded(self, conv: Conversation) -> bool:
        now = self.clock()
        if conv.window_started_at is None or now - conv.window_started_at >= self.flood_window:
            conv.window_started_at = now
            conv.window_count = 0
            conv.flood_warned = False
        conv.window_count = (conv.window_count or 0) + 1
        return conv.window_count > self.flood_max

    def _write(self, turn: Turn) -> None:
        """Mark the delivery handled and queue the replies (and the pressed button's label)."""
        incoming = turn.incoming
        session = turn.uow.session
        now = self.clock()
        if incoming.update_key:
            mark_processed(session, incoming.platform, incoming.update_key, now)
        base = incoming.update_key or secrets.token_hex(8)
        stream = f"{incoming.platform}:chat:{incoming.chat_id}"
        if turn.pressed is not None and incoming.button_message_id:
            enqueue(session, key=f"{incoming.platform}:{base}:pressed", platform=incoming.platform,
                    audience=CLIENT, address=incoming.chat_id, kind="button_pressed",
                    stream=stream, now=now,
                    payload={"message_id": incoming.button_message_id, "choice": turn.pressed,
                             "original": incoming.extra.get("message_text")})
        for i, reply in enumerate(turn.replies):
            enqueue(session, key=f"{incoming.platform}:{base}:r{i}", platform=incoming.platform,
                    audience=CLIENT, address=incoming.chat_id, kind="reply", stream=stream,
                    now=now, payload={"reply": reply.to_dict(), "locale": turn.locale})

    # --- routing --------------------------------------------------------------

    def _route(self, turn: Turn) -> None:
        incoming = turn.incoming
        try:
            if incoming.button:
                self._press(turn, incoming.button)
                return
            text = incoming.text.strip()
            if text.startswith("/"):
                self._command(turn, text[1:])
                return
            self._text(turn, text)
        except DomainError as exc:
            turn.say(exc.render(turn.locale))

    def _press(self, turn: Turn, data: str) -> None:
        decoded = decode(data)
        if decoded is None:
            turn.stale()
            return
        action, args = decoded
        HANDLERS.buttons[action](turn, *args)

    def _command(self, turn: Turn, line: str) -> None:
        name, _, arg = line.partition(" ")
        command = COMMANDS.get(name.split("@")[0].lower())
        if command is None:
            turn.say(t("unknown_command", turn.locale))
            return
        HANDLERS.commands[command](turn, arg.strip())

    def _text(self, turn: Turn, text: str) -> None:
        step = turn.step
        handler = HANDLERS.steps.get(step)
        if handler is None:
            if step.waits_for_button and text:
                turn.state = {}  # a fresh message in the middle of a button step is a new question
            handler = HANDLERS.steps[Step.IDLE]
        handler(turn, text)
