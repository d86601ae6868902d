"""``SlackConfig``: what the Slack adapter is told to use, handed in by the composition root.

``bot/`` never reads the environment: ``chamado.adapters.slack_config``
builds this from the settings (``SLACK_*``, ``LOCALE`` and the relay
variables), and tests may build one directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.relay_rules import RelayRules

WebSignInLink = Callable[[str, int], str]
"""(kind "analyst" | "contact", id) -> a one-time sign-in link to the web workspace (``bot.web.links``)."""


@dataclass(frozen=True, kw_only=True)
class SlackConfig:
    """The app's tokens and API, the analysts' channel and how analysts' messages are relayed."""

    bot_token: str  # xoxb-...; empty: the adapter refuses to start
    signing_secret: str | None  # HTTP mode; None: every request is refused
    app_token: str | None  # xapp-...: Socket Mode
    api_base_url: str | None  # None: Slack's own; tests point it at a local fake
    analysts_channel: str | None  # None: analysts work elsewhere (Telegram, the console)
    locale: str  # what the ticket cards and threads say
    relay: RelayRules
    web_sign_in: WebSignInLink | None = None  # the web workspace is on: /painel answers with a link
