"""``TelegramConfig``: what the Telegram adapter is told to use, handed in by the composition root.

``bot/`` never reads the environment: ``chamado.adapters.telegram_config``
builds this from the settings (``TELEGRAM_*``, ``LOCALE`` and the relay
variables), and tests may build one directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.relay_rules import RelayRules

WebSignInLink = Callable[[str, int], str]
"""(kind "analyst" | "contact", id) -> a one-time sign-in link to the web workspace (``bot.web.links``)."""


@dataclass(frozen=True, kw_only=True)
class TelegramConfig:
    """The bot's token and API, the analysts' group and how analysts' messages are relayed."""

    bot_token: str  # empty: the adapter refuses to start
    api_base_url: str | None  # None: Telegram's own; tests point it at a local fake
    analysts_chat_id: int | None  # None: analysts work elsewhere (Slack, the console)
    use_topics: bool  # one forum topic per ticket when the group is a forum
    rate_limit: bool  # PTB's rate limiter in front of the Bot API
    locale: str  # what the analysts' group reads (and the default command menu)
    relay: RelayRules
    web_sign_in: WebSignInLink | None = None  # the web workspace is on: /painel answers with a link
