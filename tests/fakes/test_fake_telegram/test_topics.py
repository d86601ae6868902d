"""Self-tests of the fake Telegram: forum topics and messages in them."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u
from tests.fakes.test_fake_telegram.helpers import BRUNO, HELPDESK, PLAIN_GROUP


class TestForumTopics:
    async def test_messages_in_a_created_topic_carry_the_thread(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        topic = await bot.create_forum_topic(HELPDESK, "Chamado #42 - Ana")
        sent = await bot.send_message(HELPDESK, "Nova ocorrência",
                                      message_thread_id=topic.message_thread_id)
        assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
        assert sent.reply_to_message is not None
        assert sent.reply_to_message.forum_topic_created is not None
        assert fake.sent_messages(HELPDESK, thread_id=topic.message_thread_id)[0].text == (
            "Nova ocorrência")
        await bot.edit_forum_topic(HELPDESK, topic.message_thread_id, name="#42 - resolvido")
        await bot.close_forum_topic(HELPDESK, topic.message_thread_id)
        assert fake.topics[0].is_closed and fake.topics[0].name == "#42 - resolvido"
        with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
            await bot.close_forum_topic(HELPDESK, topic.message_thread_id)

    async def test_topics_exist_only_in_forums(self, bot: telegram.Bot) -> None:
        with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
            await bot.create_forum_topic(PLAIN_GROUP, "x")
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(HELPDESK, "x", message_thread_id=999)

    async def test_an_analyst_reply_in_a_topic_reaches_ptb_like_telegram_sends_it(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        topic = fake.add_topic(HELPDESK, "Chamado #7")
        asked = await bot.send_message(HELPDESK, "Cliente pergunta",
                                       message_thread_id=topic.message_thread_id)
        fake.queue_update(u.group_message(HELPDESK, BRUNO, "sem reply",
                                          message_thread_id=topic.message_thread_id, is_topic=True))
        fake.queue_update(u.group_message(HELPDESK, BRUNO, "respondendo",
                                          reply_to=asked.message_id))
        plain, reply = [x.message for x in await bot.get_updates()]
        assert plain is not None and reply is not None
        assert plain.is_topic_message and plain.reply_to_message is not None
        assert plain.reply_to_message.forum_topic_created is not None  # not a real reply!
        assert plain.reply_to_message.forum_topic_created.name == "Chamado #7"
        assert reply.reply_to_message is not None
        assert reply.reply_to_message.text == "Cliente pergunta"
        assert reply.message_thread_id == topic.message_thread_id  # inherited from the replied
