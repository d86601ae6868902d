"""The fake Telegram's internal state: the world it simulates and the method registry.

`_State` holds everything one `FakeTelegram` knows (chats, messages, topics,
files, queued updates, the webhook, recordings, faults) and is the base of every
API-area mixin.  The dataclasses here are that state's parts; `_api` registers
a Bot API method handler in `_METHODS`, which the HTTP layer dispatches on.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from .records import JSON, AnsweredCallback, Call, Edit, Reaction, SentMessage, Topic, WebhookDelivery
from .validation import BotApiError

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_BOT_USERNAME = "chamado_test_bot"


@dataclass
class _Chat:
    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_forum: bool = False

    def api(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or ""
            if self.last_name:
                chat["last_name"] = self.last_name
        else:
            chat["title"] = self.title or ""
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass
class _StoredMessage:
    api: JSON
    kind: str
    by_bot: bool
    record: SentMessage | None = None


@dataclass
class _FileRecord:
    kind: str
    file_id: str
    file_unique_id: str
    meta: JSON  # the object Telegram puts in a Message (PhotoSize, Document, ...)
    content: bytes = b""
    file_path: str | None = None


@dataclass
class _QueuedUpdate:
    update: JSON
    delivered: bool = False


@dataclass
class _Fault:
    method: str | None
    remaining: int
    error: BotApiError


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


_Handler = Callable[..., Any]  # (fake, params, token) -> result, sync or async
_METHODS: dict[str, tuple[str, _Handler]] = {}


_H = TypeVar("_H", bound=Callable[..., Any])


def _api(name: str) -> Callable[[_H], _H]:
    """Register a Bot API method (names are case-insensitive, as in Telegram)."""

    def register(handler: _H) -> _H:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


_UNSET: Any = object()


class _State:
    """The state every part of `FakeTelegram` works on (see `FakeTelegram` for the API)."""

    def __init__(
        self,
        tokens: tuple[str, ...] | list[str] = (DEFAULT_TOKEN,),
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Chamado",
        strict_html: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        if not tokens:
            raise ValueError("FakeTelegram needs at least one valid token")
        self.tokens = tuple(tokens)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_html = strict_html
        self.host = host

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._async_waiters: set[Callable[[], None]] = set()

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._client: aiohttp.ClientSession | None = None
        self._port = 0
        self._up = False
        self._closing = False
        self._poll_event: asyncio.Event | None = None
        self._poll_generation = 0
        self._pollers = 0
        self._delivery_lock: asyncio.Lock | None = None

        self._ids = itertools.count(1)
        self._reset_world()
        self._reset_recordings()

    def _reset_world(self) -> None:
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._topics: dict[tuple[int, int], Topic] = {}
        self._files: dict[str, _FileRecord] = {}
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._queue: list[_QueuedUpdate] = []
        self._next_update_id = 1
        self._webhook: _Webhook | None = None
        self._commands: dict[tuple[str, str], list[JSON]] = {}

    def _reset_recordings(self) -> None:
        self._calls: list[Call] = []
        self._sent: list[SentMessage] = []
        self._edits: list[Edit] = []
        self._answers: list[AnsweredCallback] = []
        self._reactions: list[Reaction] = []
        self._deliveries: list[WebhookDelivery] = []
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
