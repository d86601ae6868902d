"""The fake Slack's internal state: the workspace it simulates and what it recorded.

`_State` holds everything one `FakeSlack` knows (users, channels, DMs, files,
response URLs, message history, recordings, faults, the server's loop) and is
the base of every API-area mixin; the dataclasses here are parts of it.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .records import ApiCall, Ephemeral, Message, Reaction, ResponseUrlPost, Update

FIRST_TS_MICROS = 1_700_000_000_000_000
TS_STEP_MICROS = 100


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


def _format_ts(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class _State:
    """The state every part of `FakeSlack` works on (see `FakeSlack` for the API)."""

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

    def _next_ts(self) -> str:
        return _format_ts(FIRST_TS_MICROS + next(self._ts_seq) * TS_STEP_MICROS)
