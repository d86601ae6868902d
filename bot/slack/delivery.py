"""The outbox deliverer for platform "slack": client DMs and the analysts' channel.

Client rows (audience "client", address = the DM channel): a ``Reply`` becomes a
Block Kit message with ``dlg:<i>`` buttons; "button_pressed" rewrites the
pressed message with the choice and without buttons.

Analyst rows (audience "analysts"): "ticket_opened" posts the ticket card and
records it as the ticket's thread; later rows update the card in place when
what it shows changed (status, assignee, level, area) and add a line to the
thread. "relayed" confirms an analyst's reply reached the client: a
:white_check_mark: on the analyst's own Slack message, or a context line when
the reply was written elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.notifications import DeskNotice, client_reply, desk_notice
from bot.slack.api import deliver
from bot.slack.blocks import (
    attachment_line,
    card_blocks,
    card_fallback,
    card_signature,
    context,
    pressed_message,
    reply_messages,
)
from bot.slack.mrkdwn import SECTION_TEXT_LIMIT, escape, quoted_chunks
from bot.slack.texts import st
from core.desk import HelpDesk
from core.model import Attachment
from core.outbox import ANALYSTS, OutboxItem, Undeliverable
from core.store.orm import ChatIdentity, Message
from core.threads import ThreadRef, save_thread, thread_for
from core.views import TicketView

log = logging.getLogger(__name__)

PLATFORM = "slack"
CARD_KINDS = frozenset({"status_changed", "ticket_updated", "client_message", "analyst_reply"})
RELAYED_REACTION = "white_check_mark"


class SlackDeliverer:
    """Sends outbox rows to Slack; failures become ``RetryLater`` / ``Undeliverable``."""

    def __init__(self, desk: HelpDesk, client: AsyncWebClient, channel: str | None, *,
                 locale: str = "pt-BR") -> None:
        self.desk = desk
        self.client = client
        self.channel = channel
        self.locale = locale
        self._cards: dict[int, tuple[Any, ...]] = {}

    async def deliver(self, item: OutboxItem) -> None:
        if item.audience == ANALYSTS:
            await self._to_desk(item)
        else:
            await self._to_client(item)

    # --- clients -------------------------------------------------------------------------

    async def _to_client(self, item: OutboxItem) -> None:
        if not item.address:
            raise Undeliverable("slack client row without a channel")
        if item.kind == "button_pressed":
            await self._mark_pressed(item.address, item.payload)
            return
        reply = await asyncio.to_thread(client_reply, self.desk, item)
        if reply is None:
            return
        for message in reply_messages(reply):
            await deliver(self.client.chat_postMessage(channel=item.address, text=message.text,
                                                       blocks=message.blocks))

    async def _mark_pressed(self, channel: str, payload: dict[str, Any]) -> None:
        message = pressed_message(payload.get("original"), str(payload.get("choice") or ""))
        try:
            await deliver(self.client.chat_update(channel=channel, ts=str(payload.get("message_id")),
                                                  text=message.text, blocks=message.blocks))
        except Undeliverable as exc:
            # Cosmetic: the press itself was handled; the message may be gone.
            log.info("could not mark a pressed button", extra={"channel": channel, "reason": str(exc)})

    # --- the analysts' channel ------------------------------------------------------------

    async def _to_desk(self, item: OutboxItem) -> None:
        notice = await asyncio.to_thread(desk_notice, self.desk, item, self.locale)
        if notice is None:
            return
        ticket = notice.ticket
        thread = await asyncio.to_thread(thread_for, self.desk.db, ticket.id, PLATFORM)
        fresh = thread is None
        if thread is None:
            thread = await self._post_card(ticket)
        mentions = await asyncio.to_thread(self._slack_users, notice.mention_ids)
        if item.kind == "ticket_opened":
            if not fresh:  # delivered again after a crash: the card is there already
                await self._refresh_card(ticket, thread, force=True)
            if mentions:
                await self._post_lines(thread, [st("mentions", mentions=" ".join(mentions))])
            return
        if item.kind in CARD_KINDS and not fresh:
            await self._refresh_card(ticket, thread)
        if item.kind == "relayed":
            await self._confirm_relay(item, thread)
            return
        if item.kind == "analyst_reply" and _written_in(item.payload.get("ref"), thread):
            return  # the analyst wrote it in this very thread
        await self._post_lines(thread, _notice_lines(notice, mentions))

    async def _post_card(self, ticket: TicketView) -> ThreadRef:
        if not self.channel:
            raise Undeliverable("SLACK_ANALYSTS_CHANNEL is not set")
        blocks = card_blocks(ticket, self.locale, await asyncio.to_thread(self._opening_files, ticket.id))
        response = await deliver(self.client.chat_postMessage(
            channel=self.channel, text=card_fallback(ticket, self.locale), blocks=blocks, unfurl_links=False))
        channel, ts = str(response["channel"]), str(response["ts"])
        await asyncio.to_thread(save_thread, self.desk.db, ticket.id, PLATFORM, channel, ts, ts)
        self._cards[ticket.id] = card_signature(ticket)
        return ThreadRef(ticket.id, ticket.number, PLATFORM, channel, ts, ts)

    async def _refresh_card(self, ticket: TicketView, thread: ThreadRef, *, force: bool = False) -> None:
        signature = card_signature(ticket)
        if not force and self._cards.get(ticket.id) == signature:
            return
        blocks = card_blocks(ticket, self.locale, await asyncio.to_thread(self._opening_files, ticket.id))
        try:
            await deliver(self.client.chat_update(channel=thread.chat, ts=thread.root_message_id or thread.thread_ref,
                                                  text=card_fallback(ticket, self.locale), blocks=blocks))
        except Undeliverable as exc:
            # The card was deleted or is not ours: the thread line still goes out.
            log.warning("ticket card not updated", extra={"ticket": ticket.number, "reason": str(exc)})
            return
        self._cards[ticket.id] = signature

    async def _confirm_relay(self, item: OutboxItem, thread: ThreadRef) -> None:
        origin = await asyncio.to_thread(self._message_origin, item.payload.get("message_id"))
        if origin is not None and origin[0] == thread.chat:
            try:
                await deliver(self.client.reactions_add(channel=origin[0], timestamp=origin[1],
                                                        name=RELAYED_REACTION))
                return
            except Undeliverable as exc:
                if "already_reacted" in str(exc):
                    return
                log.info("relay reaction failed; posting a line instead", extra={"reason": str(exc)})
        await deliver(self.client.chat_postMessage(channel=thread.chat, thread_ts=thread.thread_ref,
                                                   text=escape(st("relayed")),
                                                   blocks=[context(escape(st("relayed")))]))

    async def _post_lines(self, thread: ThreadRef, parts: Sequence[str]) -> None:
        for text in _pack(parts):
            await deliver(self.client.chat_postMessage(channel=thread.chat, thread_ts=thread.thread_ref,
                                                       text=text, unfurl_links=False))

    # --- lookups (run in a worker thread) ---------------------------------------------------

    def _opening_files(self, ticket_id: int) -> list[Attachment]:
        with self.desk.db.session() as session:
            first = session.scalar(select(Message).where(Message.ticket_id == ticket_id)
                                   .order_by(Message.id).limit(1))
            return [Attachment(**a) for a in (first.attachments or [])] if first else []

    def _message_origin(self, message_id: Any) -> tuple[str, str] | None:
        if message_id is None:
            return None
        with self.desk.db.session() as session:
            row = session.get(Message, int(message_id))
            if row is None or row.platform != PLATFORM or not row.platform_chat or not row.platform_message_id:
                return None
            return row.platform_chat, row.platform_message_id

    def _slack_users(self, analyst_ids: Sequence[int]) -> list[str]:
        if not analyst_ids:
            return []
        with self.desk.db.session() as session:
            rows = session.scalars(select(ChatIdentity.external_id).where(
                ChatIdentity.platform == PLATFORM, ChatIdentity.analyst_id.in_(list(analyst_ids))))
            return [f"<@{user}>" for user in rows]


def _written_in(ref: Any, thread: ThreadRef) -> bool:
    return isinstance(ref, dict) and ref.get("platform") == PLATFORM and ref.get("chat") == thread.chat


def _notice_lines(notice: DeskNotice, mentions: Sequence[str]) -> list[str]:
    title = f"*{escape(notice.title)}*"
    if mentions:
        title = f"{' '.join(mentions)} {title}"
    parts = [title, *quoted_chunks(notice.body, SECTION_TEXT_LIMIT - 100)]
    line = attachment_line(notice.attachments)
    if line:
        parts.append(escape(line))
    return parts


def _pack(parts: Sequence[str], limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Join parts into as few messages as fit within ``limit`` characters each."""
    messages: list[str] = []
    current = ""
    for part in parts:
        if not part:
            continue
        if current and len(current) + 1 + len(part) > limit:
            messages.append(current)
            current = part
        else:
            current = f"{current}\n{part}" if current else part
    if current:
        messages.append(current)
    return messages
