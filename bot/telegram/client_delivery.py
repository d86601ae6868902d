"""Delivers client rows of the outbox to private chats: replies, files, pressed buttons.

A ``Reply`` becomes one or more HTML messages (long texts are split; the
buttons go on the last part), followed by its files sent by file_id. A
"button_pressed" row edits the message whose button was pressed so it shows
the choice and loses its keyboard.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.messages import Reply
from bot.notifications import client_reply
from bot.telegram.errors import is_harmless_edit
from bot.telegram.formatting import MAX_TEXT, escape, html_parts, keyboard, units
from bot.telegram.incoming import PLATFORM
from bot.telegram.texts import t
from core.desk import HelpDesk
from core.model import Attachment
from core.outbox import OutboxItem

log = logging.getLogger(__name__)

SEND_METHODS = {
    "photo": "send_photo",
    "document": "send_document",
    "voice": "send_voice",
    "video": "send_video",
    "video_note": "send_video_note",
    "audio": "send_audio",
}


async def send_attachment(bot: Bot, chat_id: int, attachment: Attachment, **where: Any) -> Message:
    """Send a file Telegram already has, by its file_id, with the method for its kind."""
    kind = attachment.kind if attachment.kind in SEND_METHODS else "document"
    method = getattr(bot, SEND_METHODS[kind])
    message: Message = await method(chat_id, attachment.file_id, **where)
    return message


def attachment_name(attachment: Attachment) -> str:
    return attachment.name or attachment.kind


class ClientDelivery:
    """Sends what a client should read in their private chat with the bot."""

    def __init__(self, bot: Bot, desk: HelpDesk) -> None:
        self.bot = bot
        self.desk = desk

    async def deliver(self, item: OutboxItem) -> None:
        if item.address is None:
            return
        chat_id = int(item.address)
        if item.kind == "button_pressed":
            await self.show_choice(chat_id, item.payload)
            return
        if item.kind == "reply":  # the dialog's own words: nothing to look up
            reply: Reply | None = Reply.from_dict(item.payload["reply"])
        else:
            reply = await asyncio.to_thread(client_reply, self.desk, item)
        if reply is not None:
            locale = str(item.payload.get("locale") or "pt-BR")
            await self.send_reply(chat_id, reply, locale)

    async def send_reply(self, chat_id: int, reply: Reply, locale: str = "pt-BR") -> list[Message]:
        files = [a for a in reply.attachments if a.platform == PLATFORM]
        elsewhere = [a for a in reply.attachments if a.platform != PLATFORM]
        text = reply.text
        if elsewhere:
            notes = "\n".join(t("tg.attachment_elsewhere", locale, name=attachment_name(a)) for a in elsewhere)
            text = f"{text}\n\n{notes}" if text.strip() else notes
        sent: list[Message] = []
        if text.strip():
            parts = html_parts(text)
            for index, part in enumerate(parts):
                markup = keyboard(reply.buttons) if index == len(parts) - 1 else None
                sent.append(await self.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML,
                                                        reply_markup=markup))
        for attachment in files:
            sent.append(await send_attachment(self.bot, chat_id, attachment))
        return sent

    async def show_choice(self, chat_id: int, payload: dict[str, Any]) -> None:
        """Mark the pressed message: "✓ choice" under its text, keyboard removed (idempotent)."""
        message_id = int(payload["message_id"])
        original = str(payload.get("original") or "")
        choice = str(payload.get("choice") or "")
        text = f"{escape(original)}\n\n✓ {escape(choice)}" if choice else escape(original)
        try:
            if original.strip() and units(original) + units(choice) + 4 <= MAX_TEXT:
                try:
                    await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                                     parse_mode=ParseMode.HTML)
                    return
                except BadRequest as exc:
                    if "no text in the message" not in exc.message.lower():
                        raise
            await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
        except BadRequest as exc:
            if not is_harmless_edit(exc):
                raise
            log.debug("button press already shown", extra={"chat": chat_id, "message_id": message_id})
