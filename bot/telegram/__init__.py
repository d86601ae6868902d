"""The Telegram adapter (python-telegram-bot v22): clients in private chats, analysts in a group.

``TelegramBot`` (``app.py``) receives updates by polling or webhook and hands
them to the dialog (``client_handlers.py``) or to the analysts' side
(``desk_handlers.py``); ``TelegramDeliverer`` (``delivery.py``) sends the
outbox rows, to clients (``client_delivery.py``) and to the ticket threads
(``desk_delivery.py``). Its settings come in as a ``TelegramConfig``
(``config.py``), built by the composition root.
"""

from bot.telegram.app import TelegramBot
from bot.telegram.config import TelegramConfig
from bot.telegram.delivery import TelegramDeliverer

__all__ = ["TelegramBot", "TelegramConfig", "TelegramDeliverer"]
