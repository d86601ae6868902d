"""The outbox's Telegram deliverer: client rows to private chats, analyst rows to the group.

Bot API failures leave here as ``RetryLater`` (rate limits, outages: the
outbox tries again, honouring ``retry_after``) or ``Undeliverable`` (the user
blocked the bot, the chat is gone: the row fails and the analysts are told).
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.telegram.client_delivery import ClientDelivery
from bot.telegram.config import TelegramConfig
from bot.telegram.desk_delivery import DeskDelivery
from bot.telegram.errors import outcome
from core.desk import HelpDesk
from core.outbox import ANALYSTS, CLIENT, OutboxItem

log = logging.getLogger(__name__)


class TelegramDeliverer:
    """``core.outbox.Deliverer`` for platform "telegram"."""

    def __init__(self, bot: Bot, desk: HelpDesk, config: TelegramConfig) -> None:
        self.client = ClientDelivery(bot, desk)
        self.desk = DeskDelivery(bot, desk, config)

    async def deliver(self, item: OutboxItem) -> None:
        try:
            if item.audience == CLIENT:
                await self.client.deliver(item)
            elif item.audience == ANALYSTS:
                await self.desk.deliver(item)
            else:
                log.warning("outbox row for an unknown audience ignored",
                            extra={"outbox_id": item.id, "audience": item.audience})
        except TelegramError as exc:
            raise outcome(exc) from exc
