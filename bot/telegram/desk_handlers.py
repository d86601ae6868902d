"""The analysts' group: analysts work a ticket from its topic (or by replying to its messages).

A message in a ticket's thread from a registered analyst is a public reply,
relayed to the client (with ``RELAY_MODE=explicit``, only messages that start
with the reply marker are; the rest become internal notes). Commands:
/assumir, /nota TEXTO, /escalar MOTIVO, /fechar, /encaminhar ÁREA, /horas; and, anywhere
in the group, /painel: a sign-in link to the web workspace, sent as a private message.
Anyone else gets a short refusal and nothing changes. Messages outside a
ticket's thread are ignored, except an analyst's command, which gets a hint.
Each update is handled once (``mark_processed``); replies also carry their
Telegram message as ``PlatformRef``, so the store keeps them once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import delete
from telegram import Message, ReactionTypeEmoji, ReplyParameters, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.telegram import incoming
from bot.telegram.blocking import BlockingPool
from bot.telegram.client_handlers import MEDIA
from bot.telegram.config import TelegramConfig
from bot.telegram.incoming import PLATFORM
from bot.telegram.texts import t
from core.desk import HelpDesk
from core.errors import DomainError
from core.model import Attachment, PlatformRef
from core.store.orm import ProcessedUpdate
from core.threads import mark_processed, remember_message, ticket_for_message, ticket_for_thread

log = logging.getLogger(__name__)

COMMANDS = {
    "assumir": "claim", "claim": "claim",
    "nota": "note", "note": "note",
    "escalar": "escalate", "escalate": "escalate",
    "fechar": "close", "close": "close",
    "encaminhar": "forward", "forward": "forward",
    "horas": "hours", "hours": "hours",
    "ajuda": "help", "help": "help",
}
NOTE_REACTION = "✍"
PANEL_COMMANDS = frozenset({"painel", "panel"})


@dataclass(frozen=True)
class Feedback:
    """What the analyst sees after acting: a short reply, or a reaction on their message."""

    text: str | None = None
    reaction: str | None = None


def forget_processed(desk: HelpDesk, key: str) -> None:
    """Undo ``mark_processed`` when handling failed, so Telegram's redelivery is handled."""
    with desk.db.session() as session:
        session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.platform == PLATFORM,
                                                      ProcessedUpdate.update_key == key))
        session.commit()


class DeskHandlers:
    """PTB handlers for the analysts' group."""

    def __init__(self, desk: HelpDesk, config: TelegramConfig, pool: BlockingPool) -> None:
        assert config.analysts_chat_id is not None
        self.desk = desk
        self.pool = pool
        self.chat_id = config.analysts_chat_id
        self.locale = config.locale
        self.explicit = config.relay.explicit
        self.reply_marker = config.relay.reply_marker
        self.note_marker = config.relay.note_marker
        self.web_sign_in = config.web_sign_in

    def handlers(self) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
        in_group = filters.Chat(self.chat_id) & filters.UpdateType.MESSAGE
        return [
            MessageHandler(in_group & (filters.TEXT | filters.CAPTION | MEDIA), self.on_message),
            CallbackQueryHandler(self.on_button, pattern=r"^dk:"),
        ]

    # --- messages -------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        await self._once(update, lambda: self._on_message(message, context.bot.username))

    async def _once(self, update: Update, work: Callable[[], Awaitable[None]]) -> None:
        key = f"u{update.update_id}"
        if not await self.pool.run(mark_processed, self.desk.db, PLATFORM, key):
            return
        try:
            await work()
        except Exception:
            await self.pool.run(forget_processed, self.desk, key)
            raise

    async def _on_message(self, message: Message, bot_username: str | None) -> None:
        assert message.from_user is not None
        text = incoming.text_of(message, bot_username)
        command = incoming.command_of(text)
        number = await self.pool.run(self._ticket_of, message)
        identity = await self.pool.run(self.desk.identity, PLATFORM, str(message.from_user.id))
        analyst_id = identity.analyst_id if identity is not None else None
        if command is not None and command[0] in PANEL_COMMANDS:
            await self._panel(message, analyst_id)
            return
        if number is None:
            if analyst_id is not None and command is not None and command[0] in COMMANDS:
                await self._answer(message, Feedback(t("tg.outside_thread", self.locale)))
            return
        if analyst_id is None:
            await self._answer(message, Feedback(t("tg.refuse_non_analyst", self.locale)))
            return
        try:
            feedback = await self.pool.run(self._act, number, analyst_id, message, text, command)
        except DomainError as exc:
            feedback = Feedback(exc.render(self.locale))
        await self._answer(message, feedback)

    async def _panel(self, message: Message, analyst_id: int | None) -> None:
        """``/painel``: a one-time link to the web workspace, in a private message (never in the group)."""
        assert message.from_user is not None
        if analyst_id is None:
            await self._answer(message, Feedback(t("tg.refuse_non_analyst", self.locale)))
            return
        if self.web_sign_in is None:
            await self._answer(message, Feedback(t("web.chat.web_off", self.locale)))
            return
        link = await self.pool.run(self.web_sign_in, "analyst", analyst_id)
        try:
            await message.get_bot().send_message(chat_id=message.from_user.id,
                                                 text=t("web.chat.sign_in_link", self.locale, url=link))
        except TelegramError as exc:  # the analyst never opened a private chat with the bot
            log.info("web sign-in link not sent privately", extra={"error": type(exc).__name__})
            await self._answer(message, Feedback(t("web.chat.open_private_chat", self.locale)))
            return
        await self._answer(message, Feedback(t("web.chat.sent_privately", self.locale)))

    def _ticket_of(self, message: Message) -> str | None:
        """The ticket whose thread the message is in: by forum topic, else by what it replies to."""
        db, chat = self.desk.db, str(message.chat.id)
        if message.is_topic_message and message.message_thread_id is not None:
            ref = ticket_for_thread(db, PLATFORM, chat, str(message.message_thread_id))
            if ref is not None:
                return ref.number
        replied = message.reply_to_message
        if replied is not None and replied.forum_topic_created is None:
            return ticket_for_message(db, PLATFORM, chat, str(replied.message_id))
        return None

    def _act(self, number: str, analyst_id: int, message: Message, text: str,
             command: tuple[str, str] | None) -> Feedback | None:
        """Do what the analyst asked (in a worker thread); domain errors propagate."""
        if command is not None:
            return self._command(number, analyst_id, message, *command)
        attachments = incoming.attachments_of(message)
        if self.explicit:
            if text.startswith(self.reply_marker):
                return self._reply(number, analyst_id, message, text[len(self.reply_marker):].strip(), attachments)
            return self._note(number, analyst_id, message, text, attachments)
        if self.note_marker and text.lower().startswith(self.note_marker.lower()):
            return self._note(number, analyst_id, message, text[len(self.note_marker):].strip(), attachments)
        return self._reply(number, analyst_id, message, text, attachments)

    def _command(self, number: str, analyst_id: int, message: Message, name: str, arg: str) -> Feedback | None:
        action = COMMANDS.get(name)
        desk = self.desk
        if action == "claim":
            desk.claim(number, analyst_id)  # the outbox tells the thread who took it
        elif action == "note":
            if not arg:
                return Feedback(t("tg.note_usage", self.locale))
            return self._note(number, analyst_id, message, arg, ())
        elif action == "escalate":
            desk.escalate(number, analyst_id, arg)
        elif action == "close":
            desk.close_by_analyst(number, analyst_id)
        elif action == "forward":
            desk.forward(number, analyst_id, arg)
        elif action == "hours":
            return self._hours(number, analyst_id, arg)
        else:
            key = "tg.desk_help.explicit" if self.explicit else "tg.desk_help.auto"
            return Feedback(t(key, self.locale, marker=self.reply_marker))
        return None

    def _hours(self, number: str, analyst_id: int, arg: str) -> Feedback:
        """``/horas 1.5 [cliente] [nota]``: log time; "cliente" marks the cause as the client's (SaaS approval)."""
        from core.billing import format_minutes

        amount, _, rest = arg.strip().partition(" ")
        if not amount:
            return Feedback(t("tg.hours_usage", self.locale))
        first, _, after = rest.strip().partition(" ")
        client_cause = first.lower() in {"cliente", "client"}
        note = (after if client_cause else rest).strip() or None
        entry = self.desk.log_hours(number, analyst_id, amount, note, client_cause)
        return Feedback(t("tg.hours_done", self.locale, hours=format_minutes(entry.minutes), number=entry.number))

    def _ref(self, message: Message) -> PlatformRef:
        return PlatformRef(PLATFORM, str(message.chat.id), str(message.message_id))

    def _reply(self, number: str, analyst_id: int, message: Message, text: str,
               attachments: tuple[Attachment, ...]) -> Feedback | None:
        outcome = self.desk.analyst_reply(number, analyst_id, text, attachments=attachments,
                                          ref=self._ref(message))
        remember_message(self.desk.db, outcome.ticket.id, PLATFORM, str(message.chat.id), str(message.message_id))
        return None  # the relay confirmation comes once the client has it

    def _note(self, number: str, analyst_id: int, message: Message, text: str,
              attachments: tuple[Attachment, ...]) -> Feedback:
        names = ", ".join(a.name or a.kind for a in attachments)
        body = f"{text}\n[{names}]" if text and names else text or (f"[{names}]" if names else "")
        outcome = self.desk.internal_note(number, analyst_id, body, ref=self._ref(message))
        remember_message(self.desk.db, outcome.ticket.id, PLATFORM, str(message.chat.id), str(message.message_id))
        return Feedback(reaction=NOTE_REACTION, text=t("tg.note_saved", self.locale))

    async def _answer(self, message: Message, feedback: Feedback | None) -> None:
        """Show the feedback in the message's thread; a lost feedback message is only logged."""
        if feedback is None:
            return
        bot = message.get_bot()
        try:
            if feedback.reaction:
                try:
                    await bot.set_message_reaction(message.chat.id, message.message_id,
                                                   ReactionTypeEmoji(feedback.reaction))
                    return
                except BadRequest as exc:
                    log.info("could not react; answering in text", extra={"reason": exc.message})
            if feedback.text:
                await bot.send_message(message.chat.id, feedback.text,
                                       message_thread_id=message.message_thread_id if message.is_topic_message
                                       else None,
                                       reply_parameters=ReplyParameters(message.message_id,
                                                                        allow_sending_without_reply=True))
        except TelegramError as exc:
            log.warning("feedback to the analysts' group not sent", extra={"reason": exc.message})

    # --- the summary's button -------------------------------------------------------------

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        answer: tuple[str | None, bool] = (None, False)
        try:
            if query.message is None or query.message.chat.id != self.chat_id:
                return
            if not await self.pool.run(mark_processed, self.desk.db, PLATFORM, f"u{update.update_id}"):
                return
            answer = await self.pool.run(self._press, query.from_user.id, query.data or "")
        finally:
            try:
                await query.answer(answer[0], show_alert=answer[1])
            except TelegramError as exc:
                log.info("callback query not answered", extra={"reason": exc.message})

    def _press(self, user_id: int, data: str) -> tuple[str | None, bool]:
        _, action, number = [*data.split(":", 2), "", ""][:3]
        identity = self.desk.identity(PLATFORM, str(user_id))
        if identity is None or identity.analyst_id is None:
            return t("tg.refuse_non_analyst", self.locale)[:200], True
        if action != "claim" or not number:
            return None, False
        try:
            ticket = self.desk.claim(number, identity.analyst_id)
        except DomainError as exc:
            return exc.render(self.locale)[:200], True
        return t("tg.claimed", self.locale, number=ticket.number), False
