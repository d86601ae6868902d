"""Self-tests of the fake Telegram: webhooks (delivery, secret token, pending updates)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import BadRequest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u
from tests.fakes.test_fake_telegram.helpers import ANA


class TestWebhook:
    @pytest.fixture
    async def receiver(self) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
        received: list[dict[str, Any]] = []

        async def handle(request: web.Request) -> web.Response:
            if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cr3t-token":
                return web.Response(status=403)
            received.append(await request.json())
            return web.Response()

        app = web.Application()
        app.router.add_post("/telegram", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{port}/telegram", received
        await runner.cleanup()

    async def test_queued_updates_are_posted_with_the_secret_header(
        self, fake: FakeTelegram, bot: telegram.Bot,
        receiver: tuple[str, list[dict[str, Any]]],
    ) -> None:
        url, received = receiver
        assert await bot.set_webhook(url, secret_token="s3cr3t-token")
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0

        update_id = fake.queue_update(u.text_message(ANA, "via webhook"))
        await fake.await_for(lambda: received)
        assert received[0]["update_id"] == update_id
        assert received[0]["message"]["text"] == "via webhook"
        assert fake.deliveries[-1].status == 200

        wrong = await fake.post_to_webhook_async(u.text_message(ANA, "x"), secret="wrong")
        missing = await fake.post_to_webhook_async(u.text_message(ANA, "x"), secret=None)
        assert (wrong, missing, len(received)) == (403, 403, 1)

    async def test_drop_pending_updates_forgets_the_queue(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        fake.queue_update(u.text_message(ANA, "velha"))
        await bot.set_webhook("http://127.0.0.1:9/hook", drop_pending_updates=True)
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert fake.pending_updates == []

    async def test_invalid_secret_token_is_refused(self, bot: telegram.Bot) -> None:
        with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
            await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="não/pode")
