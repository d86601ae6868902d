"""The adapters' configuration, built from settings: ``TelegramConfig``, ``SlackConfig``, ``WebConfig``.

``bot/`` never imports ``chamado``: each adapter is handed the few values it
reads, picked here from ``Settings``. An adapter's modules are imported only
when its config is built, so a process that serves one platform does not
load the other's SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.relay_rules import RelayRules
from chamado.settings import Settings

if TYPE_CHECKING:
    from bot.slack.config import SlackConfig
    from bot.telegram.config import TelegramConfig
    from bot.web.config import WebConfig


def relay_rules(settings: Settings) -> RelayRules:
    """RELAY_MODE, REPLY_MARKER and NOTE_MARKER, the same for every platform's analysts."""
    return RelayRules(explicit=settings.relay_mode == "explicit", reply_marker=settings.reply_marker,
                      note_marker=settings.note_marker)


def telegram_config(settings: Settings, *, web_sign_in: Callable[[str, int], str] | None = None) -> TelegramConfig:
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
        web_sign_in=web_sign_in,
    )


def slack_config(settings: Settings, *, web_sign_in: Callable[[str, int], str] | None = None) -> SlackConfig:
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
        web_sign_in=web_sign_in,
    )


class WebSecretMissing(ValueError):
    """WEB_SECRET_KEY is needed (the database is not a local SQLite file to keep a generated key beside)."""


def web_secret(settings: Settings) -> str:
    """WEB_SECRET_KEY; for a local SQLite database without it, a key generated once beside the database file."""
    if settings.web_secret_key:
        return settings.web_secret_key
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise WebSecretMissing("WEB_SECRET_KEY não definido (obrigatório para a web fora do SQLite local)")
    import os
    import secrets
    from pathlib import Path

    path = Path(url.database + ".web-secret")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def web_config(settings: Settings) -> WebConfig:
    """WEB_* (public URL, secret key, link and session lifetimes) and the locale."""
    from bot.web.config import WebConfig

    return WebConfig(public_url=settings.web_public_url, secret_key=web_secret(settings),
                     sign_in_minutes=settings.web_sign_in_minutes, session_hours=settings.web_session_hours,
                     locale=settings.locale, invite_hours=settings.invite_ttl_hours,
                     telegram_bot_username=(settings.telegram_bot_username or "").strip().lstrip("@") or None)
