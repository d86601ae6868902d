"""Self-tests of the fake Telegram: rate limits, blocked users, server errors, going down."""

from __future__ import annotations

import datetime as dtm
import socket

import pytest
import telegram
from telegram.error import Forbidden, NetworkError, RetryAfter

from tests.fakes.telegram import FakeTelegram
from tests.fakes.test_fake_telegram.helpers import ANA, BRUNO


class TestFaults:
    async def test_rate_limit_surfaces_as_retry_after(
        self, fake: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22: retry_after as timedelta
        fake.rate_limit_next("sendMessage", retry_after=3)
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(ANA, "oi")
        assert raised.value.retry_after == dtm.timedelta(seconds=3)
        assert fake.calls[-1].response == {
            "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3}}
        await bot.send_message(ANA, "oi")  # only the next call was limited

    async def test_a_blocked_user_is_forbidden(self, fake: FakeTelegram, bot: telegram.Bot) -> None:
        fake.block_user(ANA)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(ANA, "oi")
        await bot.send_message(BRUNO, "oi")

    async def test_a_server_error_then_success(self, fake: FakeTelegram, bot: telegram.Bot) -> None:
        fake.fail_next(times=2)
        for _ in range(2):
            with pytest.raises(NetworkError, match="Internal Server Error"):
                await bot.send_message(ANA, "oi")
        await bot.send_message(ANA, "oi")
        assert [c.status for c in fake.calls if c.method == "sendMessage"] == [500, 500, 200]

    async def test_going_down_refuses_connections_until_it_comes_back_on_the_same_port(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        port = fake.port
        await bot.send_message(ANA, "antes")  # leaves a keep-alive connection open
        fake.go_down()
        with pytest.raises(NetworkError):
            await bot.send_message(ANA, "durante")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        fake.come_back()
        assert fake.port == port
        await bot.send_message(ANA, "depois")
        assert [m.text for m in fake.sent_messages(ANA)] == ["antes", "depois"]
