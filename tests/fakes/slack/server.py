"""The fake Slack's server plumbing: lifecycle, HTTP dispatch, authentication, faults.

`_Server` runs the aiohttp application on its own thread and event loop and
routes ``/api/<method>`` (arguments from the query string, JSON, form or
multipart bodies, as Slack reads them; token from the ``Authorization`` header
or the form), response URLs and ``url_private`` downloads.  It records every
Web API call, answers ``not_authed``/``invalid_auth``/``unknown_method``, and
injects the faults tests ask for (``rate_limit_next``, ``fail_next``,
``go_down``/``come_back``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import web

from .records import ApiCall
from .state import _Fault, _State
from .validation import _decode_json_fields, _SlackError


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


class _Server(_State):
    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
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
