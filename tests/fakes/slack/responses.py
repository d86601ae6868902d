"""Response URLs in the fake Slack: what Bolt's ``respond()`` posts, recorded and applied.

`_Responses` hands out response URLs (``response_url``) and applies what is
POSTed to them like Slack: ephemeral by default, ``response_type: in_channel``
posts a message, ``replace_original``/``delete_original`` act on the message.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from .records import Ephemeral, ResponseUrlPost
from .state import _ResponseTarget, _State
from .validation import _check_content, _SlackError, _truthy


class _Responses(_State):
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
        text, blocks = _check_content(body)
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
