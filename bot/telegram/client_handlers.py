"""Private chats: every message and button press goes to the dialog.

The dialog is synchronous and talks to the database, so it runs in a worker
thread; it writes its replies to the outbox, which the deliverer sends. Button
presses are acknowledged at once (Telegram shows a spinner until then). The
dialog recognizes the same update delivered twice by its update id.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.dialog import Dialog
from bot.telegram import incoming
from bot.telegram.blocking import BlockingPool

log = logging.getLogger(__name__)

MEDIA = (filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.VIDEO_NOTE | filters.VIDEO
         | filters.AUDIO)
CLIENT_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & (filters.TEXT | filters.CAPTION | MEDIA)


class ClientHandlers:
    """PTB handlers for the clients' side."""

    def __init__(self, dialog: Dialog, pool: BlockingPool) -> None:
        self.dialog = dialog
        self.pool = pool

    def handlers(self) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
        return [
            MessageHandler(CLIENT_MESSAGES, self.on_message),
            CallbackQueryHandler(self.on_button),
        ]

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = incoming.from_message(update, context.bot.username)
        await self.pool.run(self.dialog.handle, message)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except TelegramError as exc:  # too old, already answered: the press still counts
            log.info("callback query not answered", extra={"reason": exc.message})
        if incoming.callback_chat_type(query) != ChatType.PRIVATE or not query.data:
            return
        await self.pool.run(self.dialog.handle, incoming.from_callback(update))
