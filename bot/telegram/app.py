"""``TelegramBot``: the PTB application wired to the dialog, the analysts' group and the outbox.

Built by the composition root from a ``TelegramConfig``, the help desk and the dialog.
Updates arrive by long polling (``start_polling``) or by webhook
(``set_webhook`` + ``webhook_handler`` mounted on an aiohttp server); either
way the handlers run in chat order. Outgoing messages never leave from here:
the dispatcher hands outbox rows to ``deliverer``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.dialog import Dialog
from bot.doors import Refused, refuse
from bot.quiet import library_logger
from bot.telegram.blocking import BlockingPool
from bot.telegram.client_handlers import ClientHandlers
from bot.telegram.config import TelegramConfig
from bot.telegram.delivery import TelegramDeliverer
from bot.telegram.desk_handlers import DeskHandlers
from bot.telegram.ordering import ChatOrder, ChatOrderedProcessor, chat_key
from bot.telegram.texts import t
from bot.telegram.webhook import read_update
from core.desk import HelpDesk

log = logging.getLogger(__name__)

DEFAULT_API = "https://api.telegram.org"
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_CONCURRENT_UPDATES = 64
HANDLER_THREADS = 8  # the dialog's database work; the outbox dispatcher keeps asyncio's default executor
CLIENT_COMMANDS = {
    "pt-BR": ["start", "ajuda", "novo", "chamados", "status", "cancelar", "vincular", "idioma", "pular"],
    "en": ["start", "help", "new", "tickets", "status", "cancel", "link", "language", "skip"],
}
COMMAND_TEXT = {
    "start": "start", "ajuda": "help", "help": "help", "novo": "new", "new": "new", "chamados": "tickets",
    "tickets": "tickets", "status": "status", "cancelar": "cancel", "cancel": "cancel", "vincular": "link",
    "link": "link", "idioma": "language", "language": "language", "pular": "skip", "skip": "skip",
}
DESK_COMMANDS = [("assumir", "claim"), ("nota", "note"), ("escalar", "escalate"), ("fechar", "close"),
                 ("encaminhar", "forward"), ("horas", "hours")]


def api_urls(config: TelegramConfig) -> tuple[str, str]:
    """``(base_url, base_file_url)`` for PTB, from the configured API base URL (default: Telegram's)."""
    base = (config.api_base_url or DEFAULT_API).rstrip("/").removesuffix("/bot")
    return f"{base}/bot", f"{base}/file/bot"


class TelegramBot:
    """The Telegram adapter: receives updates, and exposes the outbox deliverer."""

    def __init__(self, config: TelegramConfig, desk: HelpDesk, dialog: Dialog) -> None:
        if not config.bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.config = config
        self.desk = desk
        self.dialog = dialog
        library_logger("telegram")  # PTB logs every API call's parameters (message texts) at DEBUG
        self.order = ChatOrder()
        base_url, file_url = api_urls(config)
        builder: Any = (
            ApplicationBuilder()
            .token(config.bot_token)
            .base_url(base_url)
            .base_file_url(file_url)
            .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES, self.order))
        )
        if config.rate_limit:
            # max_retries=0: a 429 is not slept on here; it goes back to the outbox as RetryLater.
            builder = builder.rate_limiter(AIORateLimiter(max_retries=0))
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.deliverer = TelegramDeliverer(self.application.bot, desk, config)
        self.pool = BlockingPool(HANDLER_THREADS, "telegram-updates")
        if config.analysts_chat_id is not None:
            self.application.add_handlers(DeskHandlers(desk, config, self.pool).handlers())
        self.application.add_handlers(ClientHandlers(dialog, self.pool).handlers())
        self.application.add_error_handler(self._on_error)
        self._secret: str | None = None
        self._failed: set[int] = set()
        self._commands_set = False

    # --- lifecycle ----------------------------------------------------------------

    async def initialize(self) -> None:
        """Log in (getMe) and publish the command menus; safe to call twice."""
        await self.application.initialize()
        if not self._commands_set:
            self._commands_set = True
            await self._set_commands()

    async def start_polling(self) -> None:
        await self.initialize()
        if not self.application.running:
            await self.application.start()
        updater = self.application.updater
        assert updater is not None
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES)

    async def set_webhook(self, url: str, secret: str) -> None:
        """Ask Telegram to POST updates to ``url`` with ``secret`` in the secret-token header."""
        await self.initialize()
        if not self.application.running:
            await self.application.start()
        self._secret = secret
        await self.application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def stop_receiving(self) -> None:
        """Take no more updates: stop polling (confirming what was fetched) and finish every
        update already taken. The bot can still send (the outbox deliverer uses it)."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()

    async def shutdown(self) -> None:
        """Release the HTTP client and the handler threads (after ``stop_receiving``)."""
        if self.application.running:
            await self.stop_receiving()
        await self.application.shutdown()
        await asyncio.to_thread(self.pool.shutdown)

    async def stop(self) -> None:
        await self.stop_receiving()
        await self.shutdown()

    # --- webhook ------------------------------------------------------------------

    async def webhook_handler(self, request: web.Request) -> web.Response:
        """aiohttp handler: a 4xx with no body for what ``bot/telegram/webhook.py`` refuses
        (403 without the right secret); 200 once the update is handled."""
        try:
            update = await read_update(request, self._secret, self.application.bot)
        except Refused as refused:
            return refuse("telegram", refused.status, refused.reason)
        ok = await self.process_update(update)
        # Non-2xx makes Telegram deliver it again later; the handlers are idempotent.
        return web.Response(status=200 if ok else 500, text="ok" if ok else "retry")

    async def process_update(self, update: Update) -> bool:
        """Handle one update now, in its chat's order; False when a handler failed."""
        async with self.order.hold(chat_key(update)):
            await self.application.process_update(update)
        failed = update.update_id in self._failed
        self._failed.discard(update.update_id)
        return not failed

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            self._failed.add(update.update_id)
        log.error("telegram update handling failed", exc_info=context.error)

    # --- command menus ----------------------------------------------------------------

    async def _set_commands(self) -> None:
        bot = self.application.bot
        menus: list[tuple[list[BotCommand], Any, str | None]] = []
        for locale, names in CLIENT_COMMANDS.items():
            commands = [BotCommand(n, t(f"tg.cmd.{COMMAND_TEXT[n]}", locale)) for n in names]
            scope = BotCommandScopeAllPrivateChats()
            menus.append((commands, scope, "pt" if locale == "pt-BR" else "en"))
            if locale == self.config.locale:
                menus.append((commands, scope, None))
        chat_id = self.config.analysts_chat_id
        if chat_id is not None:
            desk = [BotCommand(n, t(f"tg.cmd.{key}", self.config.locale)) for n, key in DESK_COMMANDS]
            menus.append((desk, BotCommandScopeChat(chat_id), None))
        for commands, scope, language in menus:
            try:
                await bot.set_my_commands(commands, scope=scope, language_code=language)
            except TelegramError as exc:
                log.warning("could not set the bot's commands", extra={"reason": exc.message})
