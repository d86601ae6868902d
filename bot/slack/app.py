"""``SlackBot``: the Bolt app, its listeners and the outbox deliverer, built from a ``SlackConfig``.

HTTP mode: mount ``http_handler`` at ``/slack/events`` (events,
interactivity and slash commands share that URL); ``bot/slack/gate.py`` checks
every request before Bolt parses it (method, size, the signature on the raw
body, content type, shape) and refuses with a 4xx and no body. Socket Mode:
``start_socket_mode`` when ``SLACK_APP_TOKEN`` is set. Bolt and the Web API
clients log through ``bot.quiet.library_logger``: never a request body.

Every listener acknowledges at once and hands its work to ``Tasks``
(``process_before_response=True`` makes Bolt answer Slack only after the
listener returned, so the work is always registered before the answer leaves,
and ``idle()`` can wait for it).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialog import COMMANDS, Dialog
from bot.doors import Refused, refuse
from bot.quiet import library_logger
from bot.slack.analysts import AnalystDesk
from bot.slack.blocks import DESK_ACTION, DIALOG_ACTION
from bot.slack.clients import ClientChats
from bot.slack.config import SlackConfig
from bot.slack.delivery import SlackDeliverer
from bot.slack.gate import ANALYST_COMMAND, CLIENT_COMMAND, read_verified
from bot.slack.inbound import is_human_message, is_thread_reply
from bot.slack.tasks import Tasks
from bot.slack.users import Users
from core.desk import HelpDesk

log = logging.getLogger(__name__)

DELIVERY_TIMEOUT = 15


class SlackBot:
    """The Slack adapter: listeners for both sides and the deliverer for the outbox."""

    def __init__(self, config: SlackConfig, desk: HelpDesk, dialog: Dialog) -> None:
        if not config.bot_token:
            raise ValueError("SLACK_BOT_TOKEN is not set")
        self.config = config
        self.desk = desk
        self.dialog = dialog
        base_url = config.api_base_url or AsyncWebClient.BASE_URL
        sdk_log = library_logger("chamado.slack.sdk")
        self.client = AsyncWebClient(token=config.bot_token, base_url=base_url, logger=sdk_log)
        self.app = AsyncApp(
            name="chamado",
            client=self.client,  # carries the token (a token given twice only makes Bolt warn)
            signing_secret=config.signing_secret or "",
            request_verification_enabled=True,
            process_before_response=True,
            logger=library_logger("chamado.slack.bolt"),
        )
        # The outbox decides when to retry: no client-side retries that would sleep on a 429.
        self.deliverer = SlackDeliverer(
            desk,
            AsyncWebClient(token=config.bot_token, base_url=base_url, retry_handlers=[],
                           timeout=DELIVERY_TIMEOUT, logger=sdk_log),
            config.analysts_channel,
            locale=config.locale,
        )
        self.tasks = Tasks()
        self.users = Users(self.client)
        self.analysts = AnalystDesk(config, desk, self.client, self.users)
        self.clients = ClientChats(dialog, self.client, self.users)
        self.bot_user_id: str | None = None
        self._socket: Any = None
        self._register()

    # --- lifecycle --------------------------------------------------------------------------

    async def initialize(self) -> None:
        """Check the token (auth.test) and learn who the bot is."""
        if self.bot_user_id is None:
            response = await self.client.auth_test()
            self.bot_user_id = str(response.get("user_id") or "")
            log.info("slack bot ready", extra={"bot_user": self.bot_user_id, "team": response.get("team_id")})

    async def http_handler(self, request: web.Request) -> web.Response:
        """aiohttp handler for ``/slack/events`` (any method: the gate answers 405 to all but POST)."""
        # Without a secret every signature would "verify": the gate refuses instead.
        try:
            raw, _ = await read_verified(request, self.config.signing_secret or "")
            bolt_request = AsyncBoltRequest(body=raw, query=request.query_string, headers=dict(request.headers))
        except Refused as refused:
            return refuse("slack", refused.status, refused.reason)
        except Exception:  # Bolt's context extraction on an odd but well-formed body
            return refuse("slack", 400, "unreadable")
        response = await self.app.async_dispatch(bolt_request)
        if 400 <= response.status < 500:
            return refuse("slack", response.status, "refused by bolt")
        return await to_aiohttp_response(response)

    async def start_socket_mode(self) -> None:
        """Connect over Socket Mode (needs ``SLACK_APP_TOKEN``, an ``xapp-`` token); returns once connected."""
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        if not self.config.app_token:
            raise ValueError("SLACK_APP_TOKEN is not set")
        await self.initialize()
        self._socket = AsyncSocketModeHandler(self.app, self.config.app_token)
        await self._socket.connect_async()

    async def idle(self, timeout: float | None = None) -> None:
        """Wait until the work of every acknowledged request is done."""
        await self.tasks.idle(timeout)

    async def stop(self, timeout: float = 10.0) -> None:
        """Disconnect Socket Mode, let work in flight finish (then cancel what is left)."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        try:
            await self.tasks.idle(timeout)
        except TimeoutError:
            log.warning("slack work still running at shutdown; cancelled", extra={"tasks": self.tasks.pending})
            await self.tasks.cancel()

    # --- listeners --------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.event("message")(self._on_message)
        app.action(DIALOG_ACTION)(self._on_dialog_button)
        app.action(DESK_ACTION)(self._on_desk_action)
        app.command(ANALYST_COMMAND)(self._on_analyst_command)
        app.command(CLIENT_COMMAND)(self._on_client_command)
        app.error(self._on_error)

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # Events are acknowledged by Bolt; the work happens after the answer.
        self.tasks.spawn(self._route_message(event, body.get("event_id")), name="slack-message")

    async def _route_message(self, event: dict[str, Any], event_id: str | None) -> None:
        if not is_human_message(event):
            return
        if event.get("channel_type") == "im":
            await self.clients.on_message(event, event_id)
        elif event.get("channel") == self.config.analysts_channel and is_thread_reply(event):
            await self.analysts.on_thread_message(event, event_id)

    async def _on_dialog_button(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        self.tasks.spawn(self.clients.on_button(body), name="slack-client-button")

    async def _on_desk_action(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        self.tasks.spawn(self.analysts.on_action(body), name="slack-desk-action")

    async def _on_analyst_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        self.tasks.spawn(self._analyst_command(command, respond), name="slack-command")

    async def _analyst_command(self, command: dict[str, Any], respond: Any) -> None:
        words = str(command.get("text") or "").split(None, 1)
        verb = words[0].lower() if words else ""
        if verb in COMMANDS and await self.analysts.analyst_id(str(command.get("user_id"))) is None:
            # "/chamado vincular CODE" from a client: the dialog's command, answered in the DM.
            await self.clients.on_command(command, respond, "/" + " ".join(words))
            return
        await self.analysts.on_command(command, respond)

    async def _on_client_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        text = f"{command['command']} {command.get('text') or ''}".strip()
        self.tasks.spawn(self.clients.on_command(command, respond, text), name="slack-client-command")

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("slack listener failed", exc_info=error, extra={"type": body.get("type")})
