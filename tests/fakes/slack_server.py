"""A fake Slack Web API that behaves: it validates, records and can misbehave on purpose.

`FakeSlack` is a small aiohttp server on 127.0.0.1, port 0, running in its own thread
with its own event loop, so sync tests, async tests and a bot in a subprocess can all
point a real slack_sdk client at it::

    with FakeSlack() as fake:
        fake.add_user("U1", "ana", locale="pt-BR")
        fake.add_channel("C1", "suporte")
        client = WebClient(token=fake.token, base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="Olá")
        assert fake.messages("C1")[0].text == "Olá"

What it serves:

- ``/api/<method>``: the Web API methods a help-desk bot uses, with Slack's argument
  rules and error codes (``channel_not_found``, ``no_text``, ``invalid_blocks``,
  ``msg_too_long``, ``message_not_found``, ``cant_update_message``, ``already_reacted``,
  ``user_not_found``, ``not_authed``/``invalid_auth``, ``unknown_method`` ...). Like Slack,
  errors are HTTP 200 with ``{"ok": false, "error": ...}``; only rate limits (429) and
  injected faults use other statuses.
- response URLs (``fake.response_url(...)``) that record what Bolt's ``respond()`` posts
  and apply it (ephemeral, in_channel, replace_original, delete_original).
- ``url_private`` downloads for files registered with ``add_file``.

Everything it receives is recorded (``calls``, ``messages()``, ``updates``,
``ephemerals``, ``reactions``, ``response_url_posts()``) and can be awaited with
``wait_for`` (threads) or ``await_for`` (coroutines).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qsl

from aiohttp import web

T = TypeVar("T")

__all__ = [
    "ApiCall",
    "Button",
    "Ephemeral",
    "FakeSlack",
    "Message",
    "Reaction",
    "ResponseUrlPost",
    "Update",
    "WaitTimeout",
    "block_kit_errors",
]

MAX_TEXT_CHARS = 40_000
FIRST_TS_MICROS = 1_700_000_000_000_000
TS_STEP_MICROS = 100

_TZ_BY_LOCALE = {
    "pt-BR": ("America/Sao_Paulo", "Brasilia Standard Time", -10_800),
    "en-US": ("America/New_York", "Eastern Standard Time", -18_000),
}
_DEFAULT_TZ = ("America/Sao_Paulo", "Brasilia Standard Time", -10_800)


# --------------------------------------------------------------------------------------
# What the fake records


class ApiCall(NamedTuple):
    """One Web API request as received: method name and arguments (token removed,
    JSON-string fields such as ``blocks`` decoded)."""

    method: str
    args: dict[str, Any]


class Button(NamedTuple):
    """An interactive button found in a message's blocks."""

    action_id: str | None
    text: str
    value: str | None
    block_id: str | None
    style: str | None = None


class _Content:
    """Text helpers shared by everything that carries ``text`` and ``blocks``."""

    text: str
    blocks: list[dict[str, Any]] | None

    @property
    def all_text(self) -> str:
        """The fallback text plus every text found in the blocks, one per line."""
        parts = [self.text] if self.text else []
        parts.extend(_texts_in(self.blocks or []))
        return "\n".join(parts)

    @property
    def buttons(self) -> list[Button]:
        """Every button in the blocks (actions blocks and section accessories)."""
        return list(_buttons_in(self.blocks or []))

    def button(self, action_id: str) -> Button:
        for b in self.buttons:
            if b.action_id == action_id:
                return b
        raise KeyError(f"no button with action_id {action_id!r} in {self.buttons!r}")


@dataclass(frozen=True)
class Message(_Content):
    """A message in the fake workspace (current state, after any chat.update)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = field(default=None, compare=False, repr=False)
    files: list[dict[str, Any]] | None = field(default=None, compare=False, repr=False)
    team: str | None = field(default=None, compare=False, repr=False)
    parent_user_id: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The message as Slack shows it in API responses and interaction payloads."""
        d: dict[str, Any] = {"type": "message", "text": self.text, "ts": self.ts}
        if self.user:
            d["user"] = self.user
        if self.bot_id:
            d["bot_id"] = self.bot_id
        if self.team:
            d["team"] = self.team
        if self.blocks is not None:
            d["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            d["thread_ts"] = self.thread_ts
            if self.thread_ts != self.ts and self.parent_user_id:
                d["parent_user_id"] = self.parent_user_id
        if self.files:
            d["files"] = copy.deepcopy(self.files)
            d["subtype"] = "file_share"
        return d


@dataclass(frozen=True)
class Update(_Content):
    """A successful chat.update (or a response_url ``replace_original``)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Ephemeral(_Content):
    """An ephemeral message (chat.postEphemeral, or an ephemeral response_url reply)."""

    channel: str
    user: str | None
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    message_ts: str = ""


@dataclass(frozen=True)
class Reaction:
    channel: str
    timestamp: str
    name: str
    user: str


@dataclass(frozen=True)
class ResponseUrlPost(_Content):
    """A body POSTed to one of the fake's response URLs (what Bolt's ``respond()`` sent)."""

    url: str
    body: dict[str, Any]

    @property
    def text(self) -> str:  # type: ignore[override]
        return str(self.body.get("text") or "")

    @property
    def blocks(self) -> list[dict[str, Any]] | None:  # type: ignore[override]
        return self.body.get("blocks")

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))


class WaitTimeout(AssertionError):
    """``wait_for``/``await_for`` gave up; the message lists what the fake received."""


# --------------------------------------------------------------------------------------
# Block Kit validation (the subset of Slack's rules a help-desk bot can trip over)

_BLOCK_TYPES = frozenset({"section", "context", "actions", "divider", "header", "rich_text", "input", "image"})
_INTERACTIVE_ELEMENTS = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "timepicker",
        "overflow",
        "radio_buttons",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "plain_text_input",
        "email_text_input",
        "number_input",
        "url_text_input",
        "rich_text_input",
        "workflow_button",
    }
)
_RICH_TEXT_ELEMENTS = frozenset({"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"})
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_URL = 3000


def block_kit_errors(blocks: Any) -> list[str]:
    """Slack-style error strings (``"<problem> [json-pointer:/blocks/0/text]"``) for
    ``blocks``; an empty list means the blocks are valid."""
    errors: list[str] = []

    def err(pointer: str, problem: str) -> None:
        errors.append(f"{problem} [json-pointer:{pointer}]")

    def text_obj(obj: Any, p: str, *, max_len: int, plain_only: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                err(p, "must provide an object")
            return
        if not isinstance(obj, dict):
            err(p, "must provide an object")
            return
        kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            err(f"{p}/type", f"must be one of: {', '.join(kinds)}")
        text = obj.get("text")
        if not isinstance(text, str):
            err(f"{p}/text", "must be a string")
        elif len(text) == 0:
            err(f"{p}/text", "must be more than 0 characters")
        elif len(text) > max_len:
            err(f"{p}/text", f"must be less than {max_len + 1} characters")

    def max_str(value: Any, p: str, limit: int, *, required: bool = False, name: str = "") -> None:
        if value is None:
            if required:
                err(p.rsplit("/", 1)[0], f"missing required field: {name or p.rsplit('/', 1)[1]}")
            return
        if not isinstance(value, str):
            err(p, "must be a string")
        elif len(value) > limit:
            err(p, f"must be less than {limit + 1} characters")
        elif required and not value:
            err(p, "must be more than 0 characters")

    def element(el: Any, p: str) -> None:
        if not isinstance(el, dict):
            err(p, "must provide an object")
            return
        etype = el.get("type")
        if etype not in _INTERACTIVE_ELEMENTS:
            err(f"{p}/type", f"unsupported type: {etype}")
            return
        if etype == "button":
            # Slack generates an action_id when it is missing; chamado's dialog routes on
            # action_id, so the fake insists on it (a button without one is a bug here).
            max_str(el.get("action_id"), f"{p}/action_id", MAX_ID, required=True)
            text_obj(el.get("text"), f"{p}/text", max_len=MAX_BUTTON_TEXT, plain_only=True)
            max_str(el.get("value"), f"{p}/value", MAX_BUTTON_VALUE)
            max_str(el.get("url"), f"{p}/url", MAX_URL)
            style = el.get("style")
            if style is not None and style not in ("primary", "danger"):
                err(f"{p}/style", "must be one of: primary, danger")
        else:
            max_str(el.get("action_id"), f"{p}/action_id", MAX_ID)

    if not isinstance(blocks, list):
        err("/blocks", "must provide an array")
        return errors
    if len(blocks) > MAX_BLOCKS:
        err("/blocks", f"no more than {MAX_BLOCKS} items allowed")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        p = f"/blocks/{i}"
        if not isinstance(block, dict):
            err(p, "must provide an object")
            continue
        btype = block.get("type")
        if btype not in _BLOCK_TYPES:
            err(f"{p}/type", f"unsupported type: {btype}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > MAX_ID:
                err(f"{p}/block_id", f"must be a string of 1 to {MAX_ID} characters")
            elif block_id in seen_ids:
                err(f"{p}/block_id", f"duplicate block_id: {block_id}")
            else:
                seen_ids.add(block_id)
        if btype == "section":
            if block.get("text") is None and block.get("fields") is None:
                err(p, "must provide one of: text, fields")
            text_obj(block.get("text"), f"{p}/text", max_len=MAX_SECTION_TEXT, required=False)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or not fields:
                    err(f"{p}/fields", "must provide a non-empty array")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        err(f"{p}/fields", f"no more than {MAX_SECTION_FIELDS} items allowed")
                    for j, f in enumerate(fields):
                        text_obj(f, f"{p}/fields/{j}", max_len=MAX_FIELD_TEXT)
            if block.get("accessory") is not None:
                acc = block["accessory"]
                if isinstance(acc, dict) and acc.get("type") == "image":
                    max_str(acc.get("image_url"), f"{p}/accessory/image_url", MAX_URL, required=True)
                else:
                    element(acc, f"{p}/accessory")
        elif btype == "header":
            text_obj(block.get("text"), f"{p}/text", max_len=MAX_HEADER_TEXT, plain_only=True)
        elif btype == "context":
            els = block.get("elements")
            if not isinstance(els, list) or not els:
                err(f"{p}/elements", "must provide a non-empty array")
                continue
            if len(els) > MAX_CONTEXT_ELEMENTS:
                err(f"{p}/elements", f"no more than {MAX_CONTEXT_ELEMENTS} items allowed")
            for j, el in enumerate(els):
                ep = f"{p}/elements/{j}"
                if isinstance(el, dict) and el.get("type") == "image":
                    max_str(el.get("image_url"), f"{ep}/image_url", MAX_URL, required=True)
                    max_str(el.get("alt_text"), f"{ep}/alt_text", 2000, required=True)
                else:
                    text_obj(el, ep, max_len=MAX_SECTION_TEXT)
        elif btype == "actions":
            els = block.get("elements")
            if not isinstance(els, list) or not els:
                err(f"{p}/elements", "must provide a non-empty array")
                continue
            if len(els) > MAX_ACTIONS_ELEMENTS:
                err(f"{p}/elements", f"no more than {MAX_ACTIONS_ELEMENTS} items allowed")
            for j, el in enumerate(els):
                element(el, f"{p}/elements/{j}")
        elif btype == "image":
            if block.get("image_url") is None and block.get("slack_file") is None:
                err(p, "must provide one of: image_url, slack_file")
            max_str(block.get("image_url"), f"{p}/image_url", MAX_URL)
            max_str(block.get("alt_text"), f"{p}/alt_text", 2000, required=True)
            text_obj(block.get("title"), f"{p}/title", max_len=2000, plain_only=True, required=False)
        elif btype == "input":
            text_obj(block.get("label"), f"{p}/label", max_len=2000, plain_only=True)
            el = block.get("element")
            if el is None:
                err(p, "missing required field: element")
            else:
                element(el, f"{p}/element")
        elif btype == "rich_text":
            els = block.get("elements")
            if not isinstance(els, list):
                err(f"{p}/elements", "must provide an array")
                continue
            for j, el in enumerate(els):
                if not isinstance(el, dict) or el.get("type") not in _RICH_TEXT_ELEMENTS:
                    err(f"{p}/elements/{j}/type", "unsupported rich text element")
    return errors


def _texts_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, str) and node.get("type") in ("plain_text", "mrkdwn", "text"):
            yield text
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _texts_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts_in(item)


def _buttons_in(blocks: list[dict[str, Any]]) -> Iterator[Button]:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for el in candidates:
            if isinstance(el, dict) and el.get("type") == "button":
                text = el.get("text") or {}
                yield Button(
                    action_id=el.get("action_id"),
                    text=str(text.get("text", "")) if isinstance(text, dict) else "",
                    value=el.get("value"),
                    block_id=block.get("block_id"),
                    style=el.get("style"),
                )


# --------------------------------------------------------------------------------------
# Internals


class _SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _Fault:
    kind: str  # "ratelimit" | "fail"
    method: str | None
    remaining: int
    status: int = 500
    retry_after: int = 1
    error: str | None = None


@dataclass
class _Channel:
    id: str
    name: str
    is_im: bool = False
    is_mpim: bool = False
    is_private: bool = False
    user: str | None = None
    members: tuple[str, ...] = ()
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class _ResponseTarget:
    url: str
    channel: str | None
    user: str | None
    message_ts: str | None
    thread_ts: str | None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, int | str) and str(value).lower() in ("1", "true"))


def _decode_json_fields(args: dict[str, Any]) -> None:
    for key in ("blocks", "attachments", "metadata", "view"):
        value = args.get(key)
        if isinstance(value, str):
            try:
                args[key] = json.loads(value)
            except ValueError:
                if key == "blocks":
                    raise _SlackError("invalid_blocks_format") from None


def _format_ts(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _json_response(
    payload: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload).encode("utf-8"),
        content_type="application/json",
        charset="utf-8",
        headers=dict(headers) if headers else None,
    )


# --------------------------------------------------------------------------------------
# The fake


class FakeSlack:
    """A local fake of the Slack Web API (see the module docstring)."""

    def __init__(
        self,
        *,
        token: str = "xoxb-test-token",
        team_id: str = "T1",
        team_name: str = "Chamado Test",
        team_domain: str = "chamado-test",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "chamado",
        app_id: str = "A1",
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self._host = host

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

        # registry (survives clear())
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, _Channel] = {}
        self._dms: dict[str, str] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._file_contents: dict[str, bytes] = {}
        self._response_targets: dict[str, _ResponseTarget] = {}
        # workspace state (survives clear(), so old messages can still be updated)
        self._history: dict[tuple[str, str], Message] = {}
        self._reaction_keys: set[tuple[str, str, str, str]] = set()
        self._ts_seq = itertools.count(1)
        self._id_seq = itertools.count(1)
        # recordings (emptied by clear())
        self._calls: list[ApiCall] = []
        self._posted: list[tuple[str, str]] = []
        self._updates: list[Update] = []
        self._ephemerals: list[Ephemeral] = []
        self._reactions: list[Reaction] = []
        self._response_posts: list[ResponseUrlPost] = []
        self._faults: list[_Fault] = []

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.SockSite | None = None
        self._port: int | None = None
        self._down = False

        self.add_user(bot_user_id, bot_name, is_bot=True, locale="en-US")

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeSlack:
        """Start serving on 127.0.0.1 (port 0 on the first start). Returns self."""
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="FakeSlack", daemon=True)
        self._thread.start()
        ready.wait(5)
        self._run(self._astart())
        return self

    def stop(self) -> None:
        """Stop serving and end the background thread."""
        if self._thread is None or self._loop is None:
            return
        try:
            self._run(self._astop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()
            self._thread = None
            self._loop = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeSlack:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The value for ``WebClient(base_url=...)`` / ``AsyncWebClient(base_url=...)``."""
        return f"{self.root_url}/api/"

    def go_down(self) -> None:
        """Close the listening socket (connections are refused) and drop open connections."""
        self._run(self._ago_down())

    def come_back(self) -> None:
        """Listen again on the same port."""
        self._run(self._acome_back())

    def _run(self, coro: Any, timeout: float = 10.0) -> Any:
        if self._loop is None:
            raise RuntimeError("FakeSlack is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _astart(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await self._listen(0)

    async def _astop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def _listen(self, port: int) -> None:
        assert self._runner is not None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._site = web.SockSite(self._runner, sock)
        await self._site.start()
        self._down = False

    async def _ago_down(self) -> None:
        self._down = True
        if self._site is not None:
            await self._site.stop()
            self._site = None
        if self._runner is not None and self._runner.server is not None:
            for connection in self._runner.server.connections:
                connection.force_close()  # keep-alive connections die too

    async def _acome_back(self) -> None:
        if self._site is None:
            await self._listen(self.port)

    # ---------------------------------------------------------------- registry

    def add_user(
        self,
        user_id: str,
        name: str,
        email: str | None = None,
        locale: str = "pt-BR",
        is_bot: bool = False,
        *,
        real_name: str | None = None,
        tz: str | None = None,
    ) -> dict[str, Any]:
        """Register a workspace member; returns the ``users.info`` user object."""
        tz_name, tz_label, tz_offset = _TZ_BY_LOCALE.get(locale, _DEFAULT_TZ)
        if tz is not None:
            tz_name = tz
        real = real_name or name.replace(".", " ").title()
        first, _, last = real.partition(" ")
        profile: dict[str, Any] = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": name,
            "display_name_normalized": name,
            "first_name": first,
            "last_name": last,
            "team": self.team_id,
            "image_48": f"https://avatars.example.invalid/{user_id}_48.png",
        }
        if email:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else f"B{user_id}"
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": tz_name,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "locale": locale,
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "profile": profile,
        }
        with self._lock:
            self._users[user_id] = user
        return copy.deepcopy(user)

    def add_channel(self, channel_id: str, name: str, *, is_private: bool = False) -> None:
        """Register a channel the bot is a member of."""
        with self._lock:
            self._channels[channel_id] = _Channel(id=channel_id, name=name, is_private=is_private)

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id between the bot and ``user_id`` (opened if needed), as
        conversations.open would return it; use it as ``channel`` of an ``im`` event."""
        with self._lock:
            if user_id not in self._users:
                raise ValueError(f"unknown user {user_id!r}; add_user() it first")
            return self._open_dm(user_id)[0]

    def add_file(
        self,
        file_id: str,
        name: str,
        *,
        content: bytes = b"",
        mimetype: str = "text/plain",
        filetype: str | None = None,
        user: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """Register a file; returns the file object (as in files.info and message
        events). Its ``url_private`` serves ``content`` when asked with the bot token."""
        path = f"/files-pri/{self.team_id}-{file_id}/{name}"
        file_obj = {
            "id": file_id,
            "created": int(time.time()),
            "timestamp": int(time.time()),
            "name": name,
            "title": title or name,
            "mimetype": mimetype,
            "filetype": filetype or (name.rsplit(".", 1)[-1] if "." in name else "text"),
            "pretty_type": mimetype,
            "user": user,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "size": len(content),
            "url_private": f"{self.root_url}{path}",
            "url_private_download": f"{self.root_url}{path}?download=1",
        }
        with self._lock:
            self._files[file_id] = file_obj
            self._file_contents[path] = content
        return copy.deepcopy(file_obj)

    def add_message(
        self,
        channel: str,
        text: str,
        user: str,
        *,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Message:
        """Put a message someone (not the bot) wrote into the history, so that
        reactions.add, conversations.replies and chat.getPermalink can find it. Use its
        ``ts`` in the event you then send to the bot. Not listed by ``messages()``."""
        with self._lock:
            if channel not in self._channels:
                raise ValueError(f"unknown channel {channel!r}; add_channel() it first")
            ts = ts or self._next_ts()
            parent = self._history.get((channel, thread_ts)) if thread_ts else None
            msg = Message(
                channel=channel,
                ts=ts,
                text=text,
                blocks=copy.deepcopy(blocks),
                thread_ts=thread_ts,
                user=user,
                files=copy.deepcopy(files),
                team=self.team_id,
                parent_user_id=parent.user if parent else None,
            )
            self._history[(channel, ts)] = msg
            self._notify()
            return msg

    def response_url(
        self,
        *,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
        kind: str = "commands",
    ) -> str:
        """A fresh response URL on the fake (``kind`` is "commands" or "actions").

        What is POSTed to it is recorded (``response_url_posts``) and applied the way
        Slack does: ephemeral to ``user`` by default, ``response_type: in_channel`` posts
        to ``channel``, ``replace_original``/``delete_original`` act on ``message_ts``."""
        with self._lock:
            n = next(self._id_seq)
            path = f"/{kind}/{self.team_id}/{1000 + n}/fake{n:06d}"
            url = f"{self.root_url}{path}"
            self._response_targets[path] = _ResponseTarget(url, channel, user, message_ts, None)
            return url

    # ---------------------------------------------------------------- fault injection

    def rate_limit_next(self, method: str | None = None, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls (to ``method``, or any) get HTTP 429 + Retry-After."""
        with self._lock:
            self._faults.append(_Fault("ratelimit", method, times, 429, retry_after))

    def fail_next(self, method: str | None = None, times: int = 1, status: int = 500, error: str | None = None) -> None:
        """The next ``times`` calls (to ``method``, or any) fail with ``status``. With
        ``status=200`` this injects any Slack error, e.g. ``error="is_archived"``."""
        default = {500: "internal_error", 503: "service_unavailable"}.get(status, "fatal_error")
        with self._lock:
            self._faults.append(_Fault("fail", method, times, status, 0, error or default))

    # ---------------------------------------------------------------- recordings

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API request received, in order (including rejected ones)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call to ``method``."""
        return [c.args for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None, thread_ts: str | None = None) -> list[Message]:
        """Messages the client posted (chat.postMessage, in_channel responses), in
        order, in their current state. ``thread_ts`` keeps only replies in that thread."""
        with self._lock:
            found = []
            for key in self._posted:
                msg = self._history.get(key)
                if msg is None:
                    continue
                if channel is not None and msg.channel != channel:
                    continue
                if thread_ts is not None and msg.thread_ts != thread_ts:
                    continue
                found.append(msg)
            return found

    def last_message(self, channel: str | None = None, thread_ts: str | None = None) -> Message | None:
        found = self.messages(channel, thread_ts)
        return found[-1] if found else None

    def message(self, channel: str, ts: str) -> Message | None:
        """The current state of any message in the history (posted or added)."""
        with self._lock:
            return self._history.get((channel, ts))

    @property
    def updates(self) -> list[Update]:
        with self._lock:
            return list(self._updates)

    @property
    def ephemerals(self) -> list[Ephemeral]:
        with self._lock:
            return list(self._ephemerals)

    @property
    def reactions(self) -> list[Reaction]:
        with self._lock:
            return list(self._reactions)

    def response_url_posts(self, url: str | None = None) -> list[ResponseUrlPost]:
        with self._lock:
            return [p for p in self._response_posts if url is None or p.url == url]

    def clear(self) -> None:
        """Forget what was recorded and any pending faults. The registry (users,
        channels, files) and the message history stay, so old messages can still be
        updated or reacted to."""
        with self._lock:
            self._calls.clear()
            self._posted.clear()
            self._updates.clear()
            self._ephemerals.clear()
            self._reactions.clear()
            self._response_posts.clear()
            self._faults.clear()

    # ---------------------------------------------------------------- waiting

    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Block until ``predicate()`` is truthy and return its value.

        For threads and sync tests. In a coroutine use ``await fake.await_for(...)``:
        blocking the loop would also block a bot running on it."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("wait_for() would block the event loop; use await fake.await_for()")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WaitTimeout(self._timeout_message(timeout))
                self._changed.wait(remaining)

    async def await_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Wait without blocking the running loop until ``predicate()`` is truthy."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        with self._lock:
            self._async_waiters.append(waiter)
        try:
            deadline = loop.time() + timeout
            while True:
                event.clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise WaitTimeout(self._timeout_message(timeout))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            with self._lock:
                self._async_waiters.remove(waiter)

    def _timeout_message(self, timeout: float) -> str:
        calls = "\n".join(f"  {c.method} {c.args}" for c in self.calls[-20:]) or "  (none)"
        return f"condition not met within {timeout}s; last calls received:\n{calls}"

    def _notify(self) -> None:
        # called with the lock held
        self._changed.notify_all()
        for loop, event in self._async_waiters:
            with contextlib.suppress(RuntimeError):  # that loop may be closed
                loop.call_soon_threadsafe(event.set)

    # ---------------------------------------------------------------- HTTP entry point

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if self._down:
            # a connection that slipped through go_down(): behave like a dead server
            request.protocol.force_close()
            raise ConnectionResetError("FakeSlack is down")
        path = request.path
        if path.startswith("/api/"):
            return await self._api(request, path[len("/api/") :])
        if path in self._response_targets:
            return await self._response_url_post(request, path)
        if path.startswith("/files-pri/"):
            return self._file_download(request, path)
        if path == "/":
            return web.Response(text="<html><body>Sign in to Slack</body></html>", content_type="text/html")
        return web.Response(status=404, text="not found")

    async def _api(self, request: web.Request, method: str) -> web.Response:
        try:
            args, body_token, parse_error = await self._read_args(request)
        except _SlackError as e:
            return _json_response({"ok": False, "error": e.error})
        header_token = self._bearer(request)
        with self._lock:
            self._calls.append(ApiCall(method, args))
            fault = self._take_fault(method)
            self._notify()
        if fault is not None:
            if fault.kind == "ratelimit":
                return _json_response(
                    {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(fault.retry_after)}
                )
            return _json_response({"ok": False, "error": fault.error}, fault.status)
        if parse_error:
            return _json_response({"ok": False, "error": parse_error})
        handler = self._methods().get(method)
        if handler is None:
            return _json_response({"ok": False, "error": "unknown_method", "req_method": method})
        token = header_token or body_token
        if not token:
            return _json_response({"ok": False, "error": "not_authed"})
        if token != self.token:
            return _json_response({"ok": False, "error": "invalid_auth"})
        try:
            with self._lock:
                result = handler(args)
                self._notify()
        except _SlackError as e:
            return _json_response({"ok": False, "error": e.error, **e.extra})
        headers = {"X-OAuth-Scopes": self._scopes()} if method == "auth.test" else {}
        return _json_response({"ok": True, **result}, headers=headers)

    @staticmethod
    def _bearer(request: web.Request) -> str | None:
        auth = request.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        return value.strip() or None if scheme.lower() == "bearer" else None

    async def _read_args(self, request: web.Request) -> tuple[dict[str, Any], str | None, str | None]:
        """(args, token found in the body/query, parse error code or None)."""
        args: dict[str, Any] = {k: request.query.getone(k) for k in request.query}
        token = args.pop("token", None)
        parse_error: str | None = None
        if request.method == "POST" and request.body_exists:
            ctype = request.content_type
            if "Content-Type" not in request.headers:
                parse_error = "missing_post_type"
            elif ctype == "application/json":
                raw = await request.read()
                try:
                    body = json.loads(raw.decode(request.charset or "utf-8")) if raw else {}
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    parse_error = "invalid_json"
                else:
                    # Slack ignores a token inside a JSON body: it must be in the header
                    body.pop("token", None)
                    args.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key in form:
                    value = form.getone(key)
                    args[key] = value if isinstance(value, str) else getattr(value, "filename", "")
                token = args.pop("token", None) or token
            elif ctype == "text/plain":
                raw = await request.read()
                args.update(dict(parse_qsl(raw.decode("utf-8"))))
                token = args.pop("token", None) or token
            else:
                parse_error = "invalid_post_type"
        try:
            _decode_json_fields(args)
        except _SlackError as e:
            parse_error = parse_error or e.error
        return args, token, parse_error

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (None, method):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _scopes(self) -> str:
        return ",".join(
            [
                "chat:write",
                "commands",
                "reactions:write",
                "users:read",
                "users:read.email",
                "im:write",
                "im:history",
                "channels:read",
                "channels:history",
                "files:read",
            ]
        )

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "api.test": lambda args: {"args": args},
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.replies": self._conversations_replies,
            "files.info": self._files_info,
        }

    # ---------------------------------------------------------------- helpers (lock held)

    def _next_ts(self) -> str:
        return _format_ts(FIRST_TS_MICROS + next(self._ts_seq) * TS_STEP_MICROS)

    def _open_dm(self, user_id: str) -> tuple[str, bool]:
        """(DM channel id, whether it already existed)."""
        existing = self._dms.get(user_id)
        if existing:
            return existing, True
        dm_id = f"D{next(self._id_seq):08d}"
        self._channels[dm_id] = _Channel(id=dm_id, name=dm_id, is_im=True, user=user_id)
        self._dms[user_id] = dm_id
        return dm_id, False

    def _resolve_channel(self, value: Any, *, allow_user: bool = False) -> str:
        if not isinstance(value, str) or not value:
            raise _SlackError("channel_not_found")
        if value in self._channels:
            return value
        name = value.lstrip("#")
        for ch in self._channels.values():
            if not ch.is_im and ch.name == name:
                return ch.id
        if allow_user and value in self._users:
            # chat.postMessage to a user id posts in the bot's DM with that user
            return self._open_dm(value)[0]
        raise _SlackError("channel_not_found")

    def _check_content(self, args: dict[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
        text = args.get("text")
        text = text if isinstance(text, str) else ("" if text is None else str(text))
        blocks = args.get("blocks")
        if blocks is not None:
            errors = block_kit_errors(blocks)
            if errors:
                raise _SlackError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
        if not text and not blocks and not args.get("attachments"):
            raise _SlackError("no_text")
        if len(text) > MAX_TEXT_CHARS:
            raise _SlackError("msg_too_long")
        return text, copy.deepcopy(blocks)

    def _require_message(self, channel: str, ts: Any) -> Message:
        msg = self._history.get((channel, ts)) if isinstance(ts, str) else None
        if msg is None:
            raise _SlackError("message_not_found")
        return msg

    def _post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None, thread_ts: str | None) -> Message:
        parent = self._history.get((channel, thread_ts)) if thread_ts else None
        msg = Message(
            channel=channel,
            ts=self._next_ts(),
            text=text,
            blocks=blocks,
            thread_ts=thread_ts or None,
            user=self.bot_user_id,
            bot_id=self.bot_id,
            team=self.team_id,
            parent_user_id=parent.user if parent else None,
        )
        self._history[(channel, msg.ts)] = msg
        self._posted.append((channel, msg.ts))
        return msg

    def _apply_update(
        self, msg: Message, text: str | None, blocks: list[dict[str, Any]] | None, has_blocks: bool
    ) -> Message:
        # Slack: blocks omitted + text given -> blocks removed; blocks given + text
        # omitted -> previous text kept.
        new = replace(
            msg,
            text=text if text is not None else msg.text,
            blocks=blocks if has_blocks else (None if text is not None else msg.blocks),
        )
        self._history[(msg.channel, msg.ts)] = new
        self._updates.append(Update(new.channel, new.ts, new.text, copy.deepcopy(new.blocks)))
        return new

    # ---------------------------------------------------------------- Web API methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"), allow_user=True)
        text, blocks = self._check_content(args)
        msg = self._post(channel, text, blocks, args.get("thread_ts") or None)
        return {"channel": channel, "ts": msg.ts, "message": msg.to_dict()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("ts"))
        if msg.user != self.bot_user_id:
            raise _SlackError("cant_update_message")
        text, blocks = self._check_content(args)
        new = self._apply_update(msg, text if args.get("text") is not None else None, blocks, "blocks" in args)
        return {"channel": channel, "ts": new.ts, "text": new.text, "message": new.to_dict()}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("ts"))
        if msg.user != self.bot_user_id:
            raise _SlackError("cant_delete_message")
        del self._history[(channel, msg.ts)]
        return {"channel": channel, "ts": msg.ts}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        user = args.get("user")
        if not isinstance(user, str) or user not in self._users:
            raise _SlackError("user_not_in_channel")
        text, blocks = self._check_content(args)
        ts = self._next_ts()
        self._ephemerals.append(Ephemeral(channel, user, text, blocks, args.get("thread_ts") or None, ts))
        return {"message_ts": ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("message_ts"))
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{msg.ts.replace('.', '')}"
        if msg.thread_ts and msg.thread_ts != msg.ts:
            link += f"?thread_ts={msg.thread_ts}&cid={channel}"
        return {"channel": channel, "permalink": link}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("name")
        if not isinstance(name, str) or not name.strip(":"):
            raise _SlackError("invalid_name")
        name = name.strip(":")
        if not args.get("channel") or not args.get("timestamp"):
            raise _SlackError("no_item_specified")
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("timestamp"))
        key = (channel, msg.ts, name, self.bot_user_id)
        if key in self._reaction_keys:
            raise _SlackError("already_reacted")
        self._reaction_keys.add(key)
        self._reactions.append(Reaction(channel, msg.ts, name, self.bot_user_id))
        return {}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(args.get("user") or "")
        if user is None:
            raise _SlackError("user_not_found")
        user = copy.deepcopy(user)
        if not _truthy(args.get("include_locale")):
            # Slack only sends the locale when asked with include_locale=true
            user.pop("locale", None)
        return {"user": user}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = args.get("users")
        if isinstance(users, str):
            user_ids = [u.strip() for u in users.split(",") if u.strip()]
        elif isinstance(users, list):
            user_ids = [str(u) for u in users]
        else:
            user_ids = []
        if not user_ids:
            if args.get("channel"):
                channel_id = self._resolve_channel(args["channel"])
                return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
            raise _SlackError("users_list_not_supplied")
        for uid in user_ids:
            if uid not in self._users:
                raise _SlackError("user_not_found")
        if len(user_ids) == 1:
            channel_id, existed = self._open_dm(user_ids[0])
        else:
            channel_id, existed = f"G{next(self._id_seq):08d}", False
            self._channels[channel_id] = _Channel(
                id=channel_id,
                name=f"mpdm-{'--'.join(user_ids)}-1",
                is_mpim=True,
                is_private=True,
                members=tuple(user_ids),
            )
        result: dict[str, Any] = {"channel": {"id": channel_id}}
        if existed:
            result.update(no_op=True, already_open=True)
        if _truthy(args.get("return_im")):
            result["channel"] = self._channel_object(self._channels[channel_id])
        return result

    def _channel_object(self, ch: _Channel) -> dict[str, Any]:
        if ch.is_im:
            return {
                "id": ch.id,
                "created": ch.created,
                "is_im": True,
                "is_org_shared": False,
                "user": ch.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": ch.id,
            "name": ch.name,
            "name_normalized": ch.name,
            "created": ch.created,
            "is_channel": not ch.is_private and not ch.is_mpim,
            "is_group": ch.is_private and not ch.is_mpim,
            "is_im": False,
            "is_mpim": ch.is_mpim,
            "is_private": ch.is_private,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        return {"channel": self._channel_object(self._channels[channel])}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        parent = self._history.get((channel, ts)) if isinstance(ts, str) else None
        if parent is None:
            raise _SlackError("thread_not_found")
        if parent.thread_ts and parent.thread_ts != parent.ts:
            return {"messages": [parent.to_dict()], "has_more": False}
        replies = sorted(
            (m for (ch, _), m in self._history.items() if ch == channel and m.thread_ts == ts and m.ts != ts),
            key=lambda m: float(m.ts),
        )
        head = parent.to_dict()
        if replies:
            head.update(
                thread_ts=parent.ts,
                reply_count=len(replies),
                reply_users=sorted({m.user for m in replies if m.user}),
                latest_reply=replies[-1].ts,
            )
        return {
            "messages": [head, *(m.to_dict() for m in replies)],
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file_obj = self._files.get(args.get("file") or "")
        if file_obj is None:
            raise _SlackError("file_not_found")
        return {"file": copy.deepcopy(file_obj), "comments": [], "response_metadata": {"next_cursor": ""}}

    # ---------------------------------------------------------------- response URLs and files

    async def _response_url_post(self, request: web.Request, path: str) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405, text="method_not_allowed")
        raw = await request.read()
        try:
            if request.content_type == "application/x-www-form-urlencoded":
                body = json.loads(dict(parse_qsl(raw.decode("utf-8"))).get("payload", ""))
            else:
                body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        with self._lock:
            target = self._response_targets[path]
            self._response_posts.append(ResponseUrlPost(target.url, body))
            try:
                self._apply_response(target, body)
            except _SlackError as e:
                return web.Response(status=400 if e.error != "message_not_found" else 404, text=e.error)
            finally:
                self._notify()
        return web.Response(text="ok", content_type="text/html")

    def _apply_response(self, target: _ResponseTarget, body: dict[str, Any]) -> None:
        original = (
            self._history.get((target.channel, target.message_ts)) if target.channel and target.message_ts else None
        )
        if _truthy(body.get("delete_original")):
            if original is None:
                raise _SlackError("message_not_found")
            del self._history[(original.channel, original.ts)]
            return
        text, blocks = self._check_content(body)
        if _truthy(body.get("replace_original")) and original is not None:
            self._apply_update(original, text if body.get("text") is not None else None, blocks, "blocks" in body)
            return
        if target.channel is None:
            return
        thread_ts = body.get("thread_ts") or None
        if body.get("response_type") == "in_channel":
            self._post(target.channel, text, blocks, thread_ts)
        else:
            self._ephemerals.append(Ephemeral(target.channel, target.user, text, blocks, thread_ts, self._next_ts()))

    def _file_download(self, request: web.Request, path: str) -> web.StreamResponse:
        with self._lock:
            content = self._file_contents.get(path)
        if content is None:
            return web.Response(status=404, text="file_not_found")
        if self._bearer(request) != self.token:
            # Like Slack: without the token you get redirected to the sign-in page (HTML, 200)
            raise web.HTTPFound(location="/")
        return web.Response(body=content, content_type="application/octet-stream")
