"""The clients' side on Slack: direct messages and button presses become ``Incoming`` for the dialog.

The dialog is synchronous database work, so it runs in a worker thread; one
user's deliveries are handled one at a time, in the order they arrived. Slack
retries are harmless: the event id is the dialog's ``update_key``. The dialog's
commands (``/vincular``, ``/chamados``...) arrive as slash commands: their
answers go to the user's DM with the bot, like everything else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.dialog import Dialog
from bot.messages import Incoming
from bot.slack.blocks import message_text
from bot.slack.inbound import PLATFORM, action_channel, action_value, attachments_of, plain_text
from bot.slack.texts import st
from bot.slack.users import Users

log = logging.getLogger(__name__)

Respond = Callable[..., Awaitable[Any]]


class ClientChats:
    """Hands what clients write or press to the dialog."""

    def __init__(self, dialog: Dialog, client: AsyncWebClient, users: Users) -> None:
        self.dialog = dialog
        self.client = client
        self.users = users
        self._locks: dict[str, asyncio.Lock] = {}
        self._dms: dict[str, str] = {}

    async def on_message(self, event: dict[str, Any], event_id: str | None) -> None:
        user, channel = str(event["user"]), str(event["channel"])
        profile = await self.users.profile(user)
        await self.handle(Incoming(
            platform=PLATFORM, user_id=user, chat_id=channel, text=await plain_text(event, self.users),
            attachments=attachments_of(event), message_id=str(event["ts"]),
            update_key=event_id or f"msg:{channel}:{event['ts']}", locale=profile.locale,
            display_name=profile.display_name,
        ))

    async def on_button(self, body: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        action = body["actions"][0]
        container = body.get("container") or {}
        profile = await self.users.profile(user)
        await self.handle(Incoming(
            platform=PLATFORM, user_id=user, chat_id=action_channel(body), button=action_value(action),
            update_key=f"action:{body.get('trigger_id') or action.get('action_ts')}",
            locale=profile.locale, display_name=profile.display_name,
            button_message_id=str(container.get("message_ts") or "") or None,
            extra={"message_text": message_text(body.get("message") or {})},
        ))

    async def on_command(self, command: dict[str, Any], respond: Respond, text: str) -> None:
        """A dialog command typed as a slash command (``text`` is e.g. "/vincular ABCD-1234")."""
        user = str(command["user_id"])
        dm = await self.dm_channel(user)
        profile = await self.users.profile(user)
        await self.handle(Incoming(
            platform=PLATFORM, user_id=user, chat_id=dm, text=text,
            update_key=f"command:{command.get('trigger_id') or command.get('response_url')}",
            locale=profile.locale, display_name=profile.display_name,
        ))
        if command.get("channel_id") != dm:
            await respond(text=st("dm.elsewhere", profile.locale), response_type="ephemeral")

    async def dm_channel(self, user: str) -> str:
        if user not in self._dms:
            response = await self.client.conversations_open(users=user)
            self._dms[user] = str(response["channel"]["id"])
        return self._dms[user]

    async def handle(self, incoming: Incoming) -> None:
        lock = self._locks.setdefault(incoming.user_id, asyncio.Lock())
        async with lock:
            await asyncio.to_thread(self.dialog.handle, incoming)
        if not lock.locked() and len(self._locks) > 1000:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
