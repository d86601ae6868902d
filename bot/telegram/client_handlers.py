"""Private chats: every message and button press goes to the dialog.

The dialog is synchronous and talks to the database, so it runs in a worker
thread; it writes its replies to the outbox, which the deliverer sends. Button
presses are acknowledged at once (Telegram shows a spinner until then). The
dialog recognizes the same update delivered twice by its update id; when two
workers handle it at the same moment, the loser's unique processed-update row
fails (an IntegrityError, on PostgreSQL possibly before the dialog's commit) and
handling it once more finds it done.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.dialog import Dialog
from bot.messages import Incoming
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
        await self._handle(incoming.from_message(update, context.bot.username))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except TelegramError as exc:  # too old, already answered: the press still counts
            log.info("callback query not answered", extra={"reason": exc.message})
        if incoming.callback_chat_type(query) != ChatType.PRIVATE or not query.data:
            return
        await self._handle(incoming.from_callback(update))

    async def _handle(self, message: Incoming) -> None:
        try:
            await self.pool.run(self.dialog.handle, message)
        except IntegrityError:
            log.info("update handled elsewhere at the same moment; checking it again",
                     extra={"update": message.update_key})
            await self.pool.run(self.dialog.handle, message)
