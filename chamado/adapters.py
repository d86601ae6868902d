"""The chat adapters' configuration, built from settings: ``TelegramConfig`` and ``SlackConfig``.

``bot/`` never imports ``chamado``: each adapter is handed the few values it
reads, picked here from ``Settings``. An adapter's modules are imported only
when its config is built, so a process that serves one platform does not
load the other's SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.relay_rules import RelayRules
from chamado.settings import Settings

if TYPE_CHECKING:
    from bot.slack.config import SlackConfig
    from bot.telegram.config import TelegramConfig


def relay_rules(settings: Settings) -> RelayRules:
    """RELAY_MODE, REPLY_MARKER and NOTE_MARKER, the same for every platform's analysts."""
    return RelayRules(explicit=settings.relay_mode == "explicit", reply_marker=settings.reply_marker,
                      note_marker=settings.note_marker)


def telegram_config(settings: Settings) -> TelegramConfig:
    """TELEGRAM_* (token, API, analysts' group, topics, rate limiter), the locale and the relay rules."""
    from bot.telegram.config import TelegramConfig

    return TelegramConfig(
        bot_token=settings.telegram_bot_token or "",
        api_base_url=settings.telegram_api_base_url,
        analysts_chat_id=settings.telegram_analysts_chat_id,
        use_topics=settings.telegram_use_topics,
        rate_limit=settings.telegram_rate_limit,
        locale=settings.locale,
        relay=relay_rules(settings),
    )


def slack_config(settings: Settings) -> SlackConfig:
    """SLACK_* (tokens, signing secret, API, analysts' channel), the locale and the relay rules."""
    from bot.slack.config import SlackConfig

    return SlackConfig(
        bot_token=settings.slack_bot_token or "",
        signing_secret=settings.slack_signing_secret,
        app_token=settings.slack_app_token,
        api_base_url=settings.slack_api_base_url,
        analysts_channel=settings.slack_analysts_channel,
        locale=settings.locale,
        relay=relay_rules(settings),
    )
