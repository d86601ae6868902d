"""Self-tests of the fake Telegram: an Application polling it, and getUpdates itself."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import telegram
from telegram.error import Conflict
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u
from tests.fakes.test_fake_telegram.helpers import ANA, build_app, echo, polling, solved, start


class TestPollingApplication:
    async def test_application_answers_a_command_a_text_and_a_button(
        self, fake: FakeTelegram
    ) -> None:
        app = build_app(fake)
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CallbackQueryHandler(solved))
        async with polling(app):
            fake.queue_update(u.command(ANA, "start", "ABC123"))
            [welcome] = await fake.await_for_messages(ANA, 1)
            assert welcome.text == "start ABC123"

            fake.queue_update(u.text_message(ANA, "minha impressora não liga"))
            replies = await fake.await_for_messages(ANA, 2)
            assert replies[1].text == "eco: minha impressora não liga"

            fake.click(welcome, "Resolveu?")
            await fake.await_for(lambda: fake.edits)
        assert [a.text for a in fake.answered_callbacks] == ["Obrigado!"]
        edited = fake.sent_messages(ANA)[0]
        assert edited.text == "você clicou solved"
        assert edited.reply_markup is None  # editing without reply_markup drops the keyboard
        assert fake.pending_updates == []  # PTB confirmed everything on shutdown

    async def test_a_redelivered_update_reaches_the_bot_twice(self, fake: FakeTelegram) -> None:
        app = build_app(fake)
        app.add_handler(MessageHandler(filters.TEXT, echo))
        update = u.text_message(ANA, "duplicada")
        async with polling(app):
            fake.queue_update(update)
            await fake.await_for_messages(ANA, 1)
            fake.queue_update(update)  # same update_id: Telegram resending after a crash
            replies = await fake.await_for_messages(ANA, 2)
        assert [r.text for r in replies] == ["eco: duplicada"] * 2


class TestGetUpdates:
    async def test_long_poll_returns_as_soon_as_an_update_arrives(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        threading.Timer(0.2, fake.queue_update, [u.text_message(ANA, "oi")]).start()
        started = time.monotonic()
        [update] = await bot.get_updates(timeout=5)
        assert time.monotonic() - started < 2
        assert update.message is not None and update.message.text == "oi"
        assert await bot.get_updates(timeout=0.2) == (update,)  # not confirmed yet

    async def test_offset_confirms_earlier_updates(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        first = fake.queue_update(u.text_message(ANA, "1"))
        fake.queue_update(u.text_message(ANA, "2"))
        assert [x.update_id for x in await bot.get_updates()] == [first, first + 1]
        assert [x.update_id for x in await bot.get_updates(offset=first + 1)] == [first + 1]
        assert await bot.get_updates(offset=first + 2) == ()
        assert fake.pending_updates == []

    async def test_a_second_poller_terminates_the_first(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        # A second Bot: one Bot's getUpdates connection pool holds a single request.
        async with telegram.Bot(fake.token, base_url=fake.base_url) as other_instance:
            first = asyncio.create_task(bot.get_updates(timeout=5))
            await fake.await_for(lambda: fake.pollers == 1)
            second = asyncio.create_task(other_instance.get_updates(timeout=0.2))
            with pytest.raises(Conflict, match="terminated by other getUpdates request"):
                await first
            assert await second == ()

    async def test_get_updates_conflicts_while_a_webhook_is_set(self, bot: telegram.Bot) -> None:
        await bot.set_webhook("http://127.0.0.1:9/hook")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()
        assert await bot.get_updates() == ()
