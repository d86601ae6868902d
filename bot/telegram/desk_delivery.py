"""Delivers analyst rows of the outbox to the analysts' Telegram group, one thread per ticket.

In a forum group (and with ``TELEGRAM_USE_TOPICS``) every ticket gets its own
topic, named after its number and subject and renamed as its status changes;
elsewhere the ticket's summary is a root message and everything about the
ticket replies to it. Each message the bot posts in a thread is remembered, so
an analyst replying to any of them lands on the right ticket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReactionTypeEmoji, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.notifications import DeskNotice, desk_notice, ticket_summary
from bot.telegram.client_delivery import attachment_name, send_attachment
from bot.telegram.config import TelegramConfig
from bot.telegram.errors import not_modified, thread_is_gone
from bot.telegram.formatting import escape, mention, with_header
from bot.telegram.incoming import PLATFORM
from bot.telegram.texts import t
from core import model
from core.desk import HelpDesk
from core.model import Attachment, TicketStatus
from core.outbox import OutboxItem, Undeliverable
from core.store.orm import Analyst, ChatIdentity
from core.store.orm import Message as MessageRow
from core.threads import ThreadRef, remember_message, save_thread, thread_for
from core.views import TicketView

log = logging.getLogger(__name__)

MAX_TOPIC_NAME = 128
RELAYED_REACTION = "👍"  # Telegram does not offer ✅ as a reaction
RENAMING_KINDS = frozenset({"status_changed", "ticket_updated", "analyst_reply", "client_message"})
ICONS = {
    "client_message": "💬", "analyst_reply": "↩️", "status_changed": "🔄", "ticket_updated": "📌",
    "rated": "⭐", "unreachable": "⚠️", "relayed": "✓", "sla_alert": "⏰",
}


def is_topic(thread: ThreadRef) -> bool:
    """Topics keep the topic id as thread_ref; reply chains use the root message id for both."""
    return thread.thread_ref != thread.root_message_id


def topic_name(ticket: TicketView, locale: str) -> str:
    """``2026-000123 · subject``, tagged with the status (unless Aberta) and N2."""
    tags = []
    if ticket.status != TicketStatus.OPEN:
        tags.append(model.status_label(ticket.status, locale))
    if ticket.level == model.Level.N2:
        tags.append("N2")
    name = f"{ticket.number} · {ticket.subject}"
    if tags:
        name = f"[{' · '.join(tags)}] {name}"
    return name if len(name) <= MAX_TOPIC_NAME else name[: MAX_TOPIC_NAME - 1] + "…"


class DeskDelivery:
    """Posts ticket notices in the analysts' group and keeps the thread mapping."""

    def __init__(self, bot: Bot, desk: HelpDesk, config: TelegramConfig) -> None:
        self.bot = bot
        self.desk = desk
        self.configured = config.analysts_chat_id is not None
        self.chat_id: int = config.analysts_chat_id or 0
        self.use_topics = config.use_topics
        self.locale = config.locale
        self.explicit = config.relay.explicit
        self.marker = config.relay.reply_marker
        self._forum: bool | None = None
        self._topic_names: dict[str, str] = {}

    @property
    def chat(self) -> str:
        return str(self.chat_id)

    async def deliver(self, item: OutboxItem) -> None:
        if not self.configured:
            raise Undeliverable("TELEGRAM_ANALYSTS_CHAT_ID is not set")
        notice = await asyncio.to_thread(desk_notice, self.desk, item, self.locale)
        if notice is None:
            return
        if item.kind == "ticket_opened":
            await self.open_thread(notice.ticket, notice.mention_ids)
            return
        thread = await self.thread(notice.ticket)
        try:
            await self._post_for(item, notice, thread)
        except BadRequest as exc:
            if not (is_topic(thread) and thread_is_gone(exc)):
                raise
            log.warning("ticket topic is gone; opening a new one", extra={"ticket": notice.ticket.number})
            thread = await self.open_thread(notice.ticket, (), replace=True)
            await self._post_for(item, notice, thread)
        if item.kind in RENAMING_KINDS:
            await self.rename(thread, notice.ticket)

    async def _post_for(self, item: OutboxItem, notice: DeskNotice, thread: ThreadRef) -> None:
        if item.kind == "relayed":
            await self.confirm_relay(thread, item, notice)
        elif item.kind == "analyst_reply" and self._written_here(item.payload):
            return  # the analyst wrote it in this thread: everyone already sees it
        else:
            await self.post_notice(thread, notice)

    # --- threads ------------------------------------------------------------------

    async def thread(self, ticket: TicketView) -> ThreadRef:
        """The ticket's thread, opened now if it has none yet (e.g. a ticket from before)."""
        ref = await asyncio.to_thread(thread_for, self.desk.db, ticket.id, PLATFORM)
        if ref is None or ref.root_message_id is None:
            ref = await self.open_thread(ticket, ())
        return ref

    async def open_thread(self, ticket: TicketView, mention_ids: Sequence[int],
                          *, replace: bool = False) -> ThreadRef:
        """Post the ticket's summary (in a new topic when the group is a forum)."""
        db = self.desk.db
        ref = None if replace else await asyncio.to_thread(thread_for, db, ticket.id, PLATFORM)
        if ref is not None and ref.root_message_id is not None:
            return ref  # a repeated delivery: the thread is already there
        if ref is None and await self._topics_enabled():
            ref = await self._create_topic(ticket)
        parts = await asyncio.to_thread(self._summary_parts, ticket, mention_ids)
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("tg.btn.claim", self.locale), callback_data=f"dk:claim:{ticket.number}")]])
        if ref is not None:  # a topic: the summary is its first message
            sent = await self._send_parts(ref, parts, markup)
            ref = ThreadRef(ticket.id, ticket.number, PLATFORM, self.chat, ref.thread_ref,
                            str(sent[0].message_id))
        else:
            root = await self.bot.send_message(self.chat_id, parts[0], parse_mode=ParseMode.HTML,
                                               reply_markup=markup if len(parts) == 1 else None)
            root_id = str(root.message_id)
            ref = ThreadRef(ticket.id, ticket.number, PLATFORM, self.chat, root_id, root_id)
            await asyncio.to_thread(self._remember, ticket.id, [root])
            await self._send_parts(ref, parts[1:], markup)
        await asyncio.to_thread(save_thread, db, ticket.id, PLATFORM, self.chat, ref.thread_ref,
                                ref.root_message_id)
        files = await asyncio.to_thread(self._first_attachments, ticket.id)
        await self._send_files(ref, files)
        return ref

    async def _topics_enabled(self) -> bool:
        if not self.use_topics:
            return False
        if self._forum is None:
            chat = await self.bot.get_chat(self.chat_id)
            self._forum = bool(chat.is_forum)
        return self._forum

    async def _create_topic(self, ticket: TicketView) -> ThreadRef | None:
        name = topic_name(ticket, self.locale)
        try:
            topic = await self.bot.create_forum_topic(self.chat_id, name)
        except BadRequest as exc:  # no right to manage topics, or no longer a forum
            log.warning("cannot create a forum topic; replying in the group instead",
                        extra={"reason": exc.message})
            self._forum = False
            return None
        thread_ref = str(topic.message_thread_id)
        await asyncio.to_thread(save_thread, self.desk.db, ticket.id, PLATFORM, self.chat, thread_ref, None)
        self._topic_names[thread_ref] = name
        return ThreadRef(ticket.id, ticket.number, PLATFORM, self.chat, thread_ref, None)

    async def rename(self, thread: ThreadRef, ticket: TicketView) -> None:
        """Keep the topic's name in step with the ticket's status (best effort)."""
        if not is_topic(thread):
            return
        name = topic_name(ticket, self.locale)
        if self._topic_names.get(thread.thread_ref) == name:
            return
        try:
            await self.bot.edit_forum_topic(self.chat_id, int(thread.thread_ref), name=name)
        except BadRequest as exc:
            if not not_modified(exc):
                log.warning("could not rename the ticket topic", extra={"reason": exc.message})
                return
        except TelegramError as exc:  # the notice is out; a rename can wait for the next change
            log.warning("could not rename the ticket topic", extra={"reason": exc.message})
            return
        self._topic_names[thread.thread_ref] = name

    # --- posting ------------------------------------------------------------------

    async def post_notice(self, thread: ThreadRef, notice: DeskNotice) -> None:
        icon = ICONS.get(notice.kind, "•")
        header = f"{icon} <b>{escape(notice.title)}</b>"
        footer = await asyncio.to_thread(self._mentions_html, notice.mention_ids)
        await self._send_parts(thread, with_header(header, notice.body, footer))
        await self._send_files(thread, notice.attachments)

    async def confirm_relay(self, thread: ThreadRef, item: OutboxItem, notice: DeskNotice) -> None:
        """React to the analyst's own message when it was written here; else post a short line."""
        origin = await asyncio.to_thread(self._origin, item.payload.get("message_id"))
        if origin is not None and origin[0] == PLATFORM and origin[1] == self.chat and origin[2]:
            try:
                await self.bot.set_message_reaction(self.chat_id, int(origin[2]),
                                                    ReactionTypeEmoji(RELAYED_REACTION))
                return
            except BadRequest as exc:  # reactions disabled in the group, message deleted...
                log.info("could not react; confirming with a message", extra={"reason": exc.message})
        await self._send_parts(thread, [f"✓ {escape(notice.title.lstrip('✓ '))}"])

    def _where(self, thread: ThreadRef) -> dict[str, Any]:
        if is_topic(thread):
            return {"message_thread_id": int(thread.thread_ref)}
        assert thread.root_message_id is not None
        return {"reply_parameters": ReplyParameters(int(thread.root_message_id),
                                                    allow_sending_without_reply=True)}

    async def _send_parts(self, thread: ThreadRef, parts: Sequence[str],
                          markup: InlineKeyboardMarkup | None = None) -> list[Message]:
        sent: list[Message] = []
        where = self._where(thread)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent.append(await self.bot.send_message(self.chat_id, part,
                                                    parse_mode=ParseMode.HTML,
                                                    reply_markup=markup if last else None, **where))
        await asyncio.to_thread(self._remember, thread.ticket_id, sent)
        return sent

    async def _send_files(self, thread: ThreadRef, attachments: Sequence[Attachment]) -> None:
        sent: list[Message] = []
        where = self._where(thread)
        elsewhere = []
        for attachment in attachments:
            if attachment.platform == PLATFORM:
                sent.append(await send_attachment(self.bot, self.chat_id, attachment, **where))
            else:
                elsewhere.append(t("tg.attachment_elsewhere", self.locale, name=attachment_name(attachment)))
        await asyncio.to_thread(self._remember, thread.ticket_id, sent)
        if elsewhere:
            await self._send_parts(thread, [escape("\n".join(elsewhere))])

    # --- reading the store (in a worker thread) -----------------------------------

    def _remember(self, ticket_id: int, messages: Sequence[Message]) -> None:
        for message in messages:
            remember_message(self.desk.db, ticket_id, PLATFORM, self.chat, str(message.message_id))

    def _written_here(self, payload: dict[str, Any]) -> bool:
        ref = payload.get("ref") or {}
        return bool(ref.get("platform") == PLATFORM and str(ref.get("chat")) == self.chat)

    def _origin(self, message_id: Any) -> tuple[str | None, str | None, str | None] | None:
        if message_id is None:
            return None
        with self.desk.db.session() as session:
            row = session.get(MessageRow, int(message_id))
            if row is None:
                return None
            return row.platform, row.platform_chat, row.platform_message_id

    def _first_attachments(self, ticket_id: int) -> tuple[Attachment, ...]:
        with self.desk.db.session() as session:
            row = session.scalar(select(MessageRow).where(MessageRow.ticket_id == ticket_id)
                                 .order_by(MessageRow.id).limit(1))
            return tuple(Attachment(**a) for a in (row.attachments or ())) if row is not None else ()

    def _mentions_html(self, analyst_ids: Sequence[int]) -> str:
        if not analyst_ids:
            return ""
        with self.desk.db.session() as session:
            rows = session.execute(
                select(Analyst.id, Analyst.name, ChatIdentity.external_id)
                .outerjoin(ChatIdentity, (ChatIdentity.analyst_id == Analyst.id)
                           & (ChatIdentity.platform == PLATFORM))
                .where(Analyst.id.in_(list(analyst_ids)))
            ).all()
        people = [mention(external, name) if external and external.lstrip("-").isdigit()
                  else f"<b>{escape(name)}</b>" for _, name, external in rows]
        return f"🔔 {escape(t('tg.mentions', self.locale))}: {', '.join(people)}" if people else ""

    def _summary_parts(self, ticket: TicketView, mention_ids: Sequence[int]) -> list[str]:
        locale = self.locale
        lines = [f"🆕 <b>{escape(t('desk.opened', locale, number=ticket.number))}</b>",
                 f"<b>{escape(t('tg.field.subject', locale))}:</b> {escape(ticket.subject)}"]
        lines += [f"<b>{escape(label)}:</b> {escape(value)}" for label, value in ticket_summary(ticket, locale)]
        header = "\n".join(lines)
        if ticket.description.strip():
            header += f"\n\n<b>{escape(t('tg.field.description', locale))}:</b>"
        hint_key = "tg.summary_hint.explicit" if self.explicit else "tg.summary_hint.auto"
        footer_lines = [self._mentions_html(mention_ids),
                        f"<i>{escape(t(hint_key, locale, marker=self.marker))}</i>"]
        return with_header(header, ticket.description, "\n".join(x for x in footer_lines if x), sep="\n")
