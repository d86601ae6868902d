"""Webhooks of the fake Telegram: setWebhook/deleteWebhook/getWebhookInfo and delivery.

`_Webhooks` validates webhook settings like Telegram, POSTs queued updates to a
loopback webhook with the ``X-Telegram-Bot-Api-Secret-Token`` header (a failed
delivery stays pending until ``queue_update``/``flush_webhook``/``come_back``),
records every delivery, and lets a test POST one update itself
(``post_to_webhook``, ``post_to_webhook_async``).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from urllib.parse import urlsplit

import aiohttp

from .records import JSON, WebhookDelivery
from .state import _UNSET, _api, _State, _Webhook
from .validation import _Params, bad_request
from .waiting import _refuse_inside_event_loop

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class _Webhooks(_State):
    def post_to_webhook(self, update: JSON, secret: str | None = _UNSET) -> int:
        """POST ``update`` to the webhook now, with ``secret`` (default: the configured one;
        None sends no header); returns the HTTP status.  From async code use
        ``await post_to_webhook_async(...)``."""
        _refuse_inside_event_loop("post_to_webhook", "post_to_webhook_async")
        return self._run(self._post_once(update, secret))

    async def post_to_webhook_async(self, update: JSON, secret: str | None = _UNSET) -> int:
        if self._loop is None:
            raise RuntimeError("FakeTelegram is not started")
        future = asyncio.run_coroutine_threadsafe(self._post_once(update, secret), self._loop)
        return await asyncio.wrap_future(future)

    def flush_webhook(self) -> None:
        """Retry delivering pending updates to the webhook."""
        self._schedule_delivery()

    async def _post_once(self, update: JSON, secret: str | None) -> int:
        with self._lock:
            if self._webhook is None:
                raise RuntimeError("no webhook is set")
            self._absorb_update(update)
            url = self._webhook.url
            if secret is _UNSET:
                secret = self._webhook.secret_token
        status, error = await self._post_json(url, update, secret)
        with self._changed:
            self._deliveries.append(WebhookDelivery(update["update_id"], status, error))
            self._changed.notify_all()
        self._notify_async_waiters()
        return status if status is not None else 0

    def _schedule_delivery(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._deliver_pending(), loop)

    async def _deliver_pending(self) -> None:
        assert self._delivery_lock is not None
        async with self._delivery_lock:
            while self._up:
                with self._lock:
                    webhook = self._webhook
                    if webhook is None or not self._queue:
                        return
                    entry = self._queue[0]
                status, error = await self._post_json(
                    webhook.url, entry.update, webhook.secret_token)
                with self._changed:
                    self._deliveries.append(
                        WebhookDelivery(entry.update["update_id"], status, error))
                    ok = status is not None and 200 <= status < 300
                    if ok and self._queue and self._queue[0] is entry:
                        self._queue.pop(0)
                    elif not ok:
                        webhook.last_error_date = int(time.time())
                        webhook.last_error_message = error
                    self._changed.notify_all()
                self._notify_async_waiters()
                if not ok:
                    return

    async def _post_json(
        self, url: str, update: JSON, secret: str | None
    ) -> tuple[int | None, str | None]:
        host = urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            return None, f"the fake only delivers to loopback addresses, not {host!r}"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        assert self._client is not None
        try:
            async with self._client.post(url, data=json.dumps(update), headers=headers) as resp:
                await resp.read()
                if resp.status >= 300:
                    return resp.status, (
                        f"Wrong response from the webhook: {resp.status} {resp.reason}")
                return resp.status, None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return None, f"Connection failed: {exc!r}"

    @property
    def webhook_info(self) -> JSON:
        with self._lock:
            return self._webhook_info()

    # -- Bot API methods ---------------------------------------------------------------------

    _webhook_description = ""

    @_api("setWebhook")
    def _set_webhook(self, p: _Params, token: str) -> bool:
        url = p.text("url") or ""
        if not url:
            return self._delete_webhook(p, token)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = p.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = p.obj("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        if p.flag("drop_pending_updates"):
            self._queue.clear()
        self._webhook = _Webhook(url, secret, allowed, max_connections)
        self._webhook_description = "Webhook was set"
        self._signal_pollers()  # a waiting getUpdates now answers 409
        self._schedule_delivery()
        return True

    @_api("deleteWebhook")
    def _delete_webhook(self, p: _Params, token: str) -> bool:
        if p.flag("drop_pending_updates"):
            self._queue.clear()
        self._webhook_description = (
            "Webhook was deleted" if self._webhook else "Webhook is already deleted")
        self._webhook = None
        return True

    @_api("getWebhookInfo")
    def _get_webhook_info(self, p: _Params, token: str) -> JSON:
        return self._webhook_info()

    def _webhook_info(self) -> JSON:
        info: JSON = {"url": "", "has_custom_certificate": False,
                      "pending_update_count": len(self._queue)}
        hook = self._webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            info["ip_address"] = "127.0.0.1"
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info
