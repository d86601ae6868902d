"""Self-tests of the update builders: every update they make is one PTB accepts."""

from __future__ import annotations

from typing import Any

import pytest
import telegram
from telegram.ext import CommandHandler

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u
from tests.fakes.test_fake_telegram.helpers import ANA, BRUNO, HELPDESK, PLAIN_GROUP, start

# -- builders --------------------------------------------------------------------------------


class TestUpdateBuilders:
    @pytest.mark.parametrize(
        "build",
        [
            lambda: u.text_message(ANA, "oi"),
            lambda: u.command(ANA, "start", "CODE"),
            lambda: u.group_message(PLAIN_GROUP, BRUNO, "no grupo"),
            lambda: u.group_message(HELPDESK, BRUNO, "no tópico", message_thread_id=5,
                                    is_topic=True),
            lambda: u.photo_message(ANA, caption="foto"),
            lambda: u.document_message(ANA),
            lambda: u.voice_message(ANA),
            lambda: u.video_note_message(ANA),
            lambda: u.callback_query(ANA, "data", chat_id=ANA, message_id=1),
        ],
    )
    async def test_every_builder_makes_an_update_ptb_accepts(
        self, fake: FakeTelegram, bot: telegram.Bot, build: Any
    ) -> None:
        fake.queue_update(build())
        [update] = await bot.get_updates()
        assert update.effective_user is not None and update.effective_chat is not None

    def test_a_command_has_its_bot_command_entity(self) -> None:
        message = u.command(ANA, "start", "ABC", bot_username="chamado_test_bot")["message"]
        assert message["text"] == "/start@chamado_test_bot ABC"
        assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 23}]
        assert "entities" not in u.text_message(ANA, "sem comando")["message"]

    async def test_command_args_reach_a_command_handler(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        fake.queue_update(u.command(ANA, "start", "ABC123"))
        [update] = await bot.get_updates()
        handler = CommandHandler("start", start)
        assert handler.check_update(update)
