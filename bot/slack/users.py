"""Who a Slack user is (locale, name), from ``users.info``, asked once per user and cached."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.api import error_code

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    user_id: str
    locale: str | None
    display_name: str | None
    is_bot: bool = False


class Users:
    """A small cache in front of ``users.info`` (locale needs ``include_locale``)."""

    def __init__(self, client: AsyncWebClient, limit: int = 5000) -> None:
        self.client = client
        self.limit = limit
        self._cache: dict[str, Profile] = {}

    async def profile(self, user_id: str) -> Profile:
        cached = self._cache.get(user_id)
        if cached is not None:
            return cached
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            # Not worth failing a conversation over: pt-BR and no name will do.
            error = error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("users.info failed", extra={"user": user_id, "error": error})
            return Profile(user_id, None, None)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        real = str(profile.get("real_name") or user.get("real_name") or "").split()
        name = profile.get("first_name") or (real[0] if real else None) or profile.get("display_name")
        found = Profile(user_id, user.get("locale"), name or None, bool(user.get("is_bot")))
        if len(self._cache) >= self.limit:
            self._cache.clear()
        self._cache[user_id] = found
        return found

    def name(self, user_id: str) -> str | None:
        """The cached name, if this user was seen before (for rendering mentions)."""
        cached = self._cache.get(user_id)
        return cached.display_name if cached else None
