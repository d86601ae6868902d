"""The fake Telegram's server plumbing: lifecycle, addresses, HTTP dispatch, fault injection.

`_Server` runs the aiohttp application on its own thread and event loop, routes
``/bot<token>/<method>`` to the handlers registered with `_api` (reading query
string, JSON, urlencoded and multipart bodies like Telegram does), records
every answer as a `Call`, serves ``/file/bot<token>/<path>`` downloads, and
injects the faults tests ask for (``fail_next``, ``rate_limit_next``,
``block_user``, ``go_down``/``come_back``).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from collections.abc import Awaitable
from typing import Self, TypeVar

import aiohttp
from aiohttp import web

from .records import JSON, Call, UploadedFile
from .state import _METHODS, _Fault, _State
from .validation import BotApiError, _decode_value, _Params, bad_request

T = TypeVar("T")


class _Server(_State):
    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=self._serve_forever, args=(loop,), name="FakeTelegram", daemon=True
        )
        self._thread.start()
        self._run(self._startup())
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        try:
            self._run(self._shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._thread = None
            self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @staticmethod
    def _serve_forever(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _run(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        """Run a coroutine on the server loop and wait for its result."""
        if self._loop is None:
            raise RuntimeError("FakeTelegram is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)  # type: ignore[arg-type]

    async def _startup(self) -> None:
        self._poll_event = asyncio.Event()
        self._delivery_lock = asyncio.Lock()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        # handler_cancellation: a long poll whose client went away must not linger.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, 0)
        await self._site.start()
        sockets = getattr(self._site._server, "sockets", None)
        assert sockets, "the fake could not listen"
        self._port = int(sockets[0].getsockname()[1])
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._up = True

    async def _shutdown(self) -> None:
        self._closing = True
        self._bump_poll_event()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:  # webhook deliveries still in flight
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._up = False

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def token(self) -> str:
        return self.tokens[0]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends ``{token}/{path}``."""
        return f"{self.url}/file/bot"

    def method_url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}{token or self.token}/{method}"

    def bot_user(self, token: str | None = None) -> JSON:
        token = token or self.token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        return {"id": bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None = None,
        times: int = 1,
        status: int = 500,
        description: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (any method but getUpdates if None) fail."""
        phrase = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        error = BotApiError(status, description or phrase.get(status, "Internal Server Error"))
        with self._lock:
            self._faults.append(_Fault(method and method.lower(), times, error))

    def rate_limit_next(
        self, method: str | None = None, times: int = 1, retry_after: int = 1
    ) -> None:
        """The next ``times`` calls answer 429 with ``parameters.retry_after``."""
        error = BotApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )
        with self._lock:
            self._faults.append(_Fault(method and method.lower(), times, error))

    def block_user(self, chat_id: int) -> None:
        """Sends to ``chat_id`` now fail with 403 (blocked by the user / bot kicked)."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    @property
    def is_up(self) -> bool:
        return self._up

    def go_down(self) -> None:
        """Close the listening socket and drop open connections: clients get refused."""
        self._run(self._go_down())

    def come_back(self) -> None:
        """Listen again on the same port; pending webhook deliveries are retried."""
        self._run(self._come_back())
        self._schedule_delivery()

    async def _go_down(self) -> None:
        if not self._up or self._site is None or self._runner is None:
            return
        self._up = False
        await self._site.stop()
        server = self._runner.server
        if server is not None:
            for connection in server.connections:
                connection.force_close()

    async def _come_back(self) -> None:
        if self._up or self._runner is None:
            return
        self._site = web.TCPSite(self._runner, self.host, self._port, reuse_address=True)
        await self._site.start()
        self._up = True

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.tokens:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        entry = _METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return await self._handle_not_found(request)
        name, handler = entry
        try:
            raw = await _read_params(request)
        except BotApiError as error:
            return self._answer(name, {}, error.payload(), error.code)
        params = {key: _decode_value(key, value) for key, value in raw.items()}
        try:
            self._inject_fault(name)
            if inspect.iscoroutinefunction(handler):  # long polls; they lock for themselves
                result = await handler(self, _Params(params), token)
            else:
                with self._lock:
                    result = handler(self, _Params(params), token)
        except BotApiError as error:
            return self._answer(name, params, error.payload(), error.code)
        body: JSON = {"ok": True, "result": result}
        if name in ("setWebhook", "deleteWebhook") and isinstance(result, bool):
            body["description"] = self._webhook_description
        return self._answer(name, params, body, 200)

    def _answer(self, method: str, params: JSON, body: JSON, status: int) -> web.Response:
        with self._changed:
            self._calls.append(Call(method, params, status, body))
            self._changed.notify_all()
        self._notify_async_waiters()
        return web.json_response(
            body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self.tokens:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        with self._lock:
            record = next((f for f in self._files.values() if f.file_path == path), None)
        if record is None:
            return await self._handle_not_found(request)
        return web.Response(body=record.content, content_type="application/octet-stream")

    def _inject_fault(self, method: str) -> None:
        with self._lock:
            for fault in self._faults:
                matches = fault.method == method.lower() if fault.method else method != "getUpdates"
                if matches and fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    raise fault.error


async def _read_params(request: web.Request) -> JSON:
    """Query string plus body, whether JSON, urlencoded or multipart - as Telegram accepts."""
    params: JSON = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.read()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON encoded request body") from None
            if not isinstance(data, dict):
                raise bad_request("JSON object expected in request body")
            params.update(data)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
        else:
            params[key] = value
    return params
