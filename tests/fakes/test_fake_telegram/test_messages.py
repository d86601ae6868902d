"""Self-tests of the fake Telegram: sending, HTML parse mode, inline keyboards, editing."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest, InvalidToken

from tests.fakes.telegram import FakeTelegram, parse_html
from tests.fakes.test_fake_telegram.helpers import ANA, BRUNO, http, keyboard

# -- sending through the real python-telegram-bot ---------------------------------------------


class TestSendingWithPtb:
    async def test_bot_reads_back_the_text_and_buttons_it_sent(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        sent = await bot.send_message(
            ANA, "Seu chamado <b>#42</b> foi aberto", parse_mode="HTML",
            reply_markup=keyboard([("Resolveu?", "ticket:42:solved")]))

        assert sent.text == "Seu chamado #42 foi aberto"
        assert sent.from_user.id == 123456 and sent.from_user.is_bot
        assert sent.chat.id == ANA and sent.date.year >= 2024
        assert sent.reply_markup == keyboard([("Resolveu?", "ticket:42:solved")])
        [recorded] = fake.sent_messages(ANA)
        assert recorded.text == "Seu chamado #42 foi aberto"
        assert recorded.raw_text == "Seu chamado <b>#42</b> foi aberto"
        assert recorded.button_texts == ["Resolveu?"]
        assert recorded.callback_data == ["ticket:42:solved"]
        assert recorded.entities == [{"type": "bold", "offset": 12, "length": 3}]

    async def test_message_ids_increase_per_chat(self, bot: telegram.Bot) -> None:
        ids = [(await bot.send_message(chat, "oi")).message_id for chat in (ANA, ANA, BRUNO)]
        assert ids == [1, 2, 1]

    async def test_a_reply_carries_the_replied_message(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        first = await bot.send_message(ANA, "pergunta")
        reply = await bot.send_message(ANA, "resposta", reply_to_message_id=first.message_id)
        assert reply.reply_to_message is not None
        assert reply.reply_to_message.text == "pergunta"
        assert fake.last_message(ANA).reply_to_message_id == first.message_id  # type: ignore[union-attr]

        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(ANA, "x", reply_to_message_id=999)

    async def test_unknown_chat_is_not_found(self, bot: telegram.Bot) -> None:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(777, "olá")

    async def test_unknown_token_is_unauthorized(self, fake: FakeTelegram) -> None:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            async with telegram.Bot("999:WRONG", base_url=fake.base_url):
                pass


class TestHtmlParseMode:
    @pytest.mark.parametrize(
        ("html", "error"),
        [
            ("a < b", 'unsupported start tag "" at byte offset 2'),
            ("<b>negrito", "can't find end tag corresponding to start tag \"b\""),
            ("<p>parágrafo</p>", 'unsupported start tag "p" at byte offset 0'),
            ("Tom & Jerry", 'unescaped "&" at byte offset 4: write it as "&amp;"'),
            ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
            ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ],
    )
    async def test_bad_html_is_rejected_with_telegrams_description(
        self, fake: FakeTelegram, bot: telegram.Bot, html: str, error: str
    ) -> None:
        with pytest.raises(BadRequest) as raised:
            await bot.send_message(ANA, html, parse_mode="HTML")
        # PTB strips "Bad Request: " and capitalize()s the rest, lowering every other letter.
        assert raised.value.message.lower() == f"can't parse entities: {error}".lower()
        assert fake.sent_messages() == []

    async def test_length_is_measured_on_the_text_without_tags(self, bot: telegram.Bot) -> None:
        await bot.send_message(ANA, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(ANA, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(ANA, "<b> </b>", parse_mode="HTML")

    def test_parser_agrees_with_tdlib_test_vectors(self) -> None:
        assert parse_html("🏟 🏟&lt;<i>a</i   >")[0] == "🏟 🏟<a"
        assert parse_html("&lt;&gt;&amp;&quot;&#128512;") == ('<>&"😀', [])
        assert parse_html("<a href='https://x.org/?a=1&amp;b=2'>link</a>")[1] == [
            {"type": "text_link", "offset": 0, "length": 4, "url": "https://x.org/?a=1&b=2"}]
        assert parse_html('<pre><code class="language-python">x</code></pre>')[1] == [
            {"type": "pre", "offset": 0, "length": 1, "language": "python"}]
        for html, message in [
            ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
            ("🏟 🏟&lt;<i    aba>", 'Expected equal sign in declaration of an attribute of the '
                                   'tag "i" at byte offset 13'),
            ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
            ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
            ("&#57311;", "Text contains invalid Unicode characters after decoding HTML "
                         "entities, check for unmatched surrogate code units"),
        ]:
            with pytest.raises(ValueError) as raised:
                parse_html(html)
            assert str(raised.value) == message
        assert parse_html("Tom & Jerry", strict=False)[0] == "Tom & Jerry"


class TestInlineKeyboards:
    async def test_callback_data_is_limited_to_64_bytes(self, bot: telegram.Bot) -> None:
        await bot.send_message(ANA, "ok", reply_markup=keyboard([("a", "x" * 64)]))
        for data in ("x" * 65, "é" * 33):  # 33 characters, but 66 bytes
            with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
                await bot.send_message(ANA, "no", reply_markup=keyboard([("a", data)]))

    def test_a_button_without_an_action_is_rejected(self, fake: FakeTelegram) -> None:
        status, body = http(fake, "sendMessage", json_body={
            "chat_id": ANA, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "só"}]]}})
        assert status == 400
        assert body["description"] == ("Bad Request: can't parse inline keyboard button: "
                                       "Text buttons are unallowed in the inline keyboard")


class TestEditing:
    async def test_identical_edit_is_not_modified(self, bot: telegram.Bot) -> None:
        sent = await bot.send_message(ANA, "igual", reply_markup=keyboard([("a", "a")]))
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("igual", ANA, sent.message_id,
                                        reply_markup=keyboard([("a", "a")]))

    async def test_edits_are_recorded_and_applied(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        sent = await bot.send_message(ANA, "v1", reply_markup=keyboard([("a", "a")]))
        await bot.edit_message_reply_markup(ANA, sent.message_id,
                                            reply_markup=keyboard([("b", "b")]))
        edited = await bot.edit_message_text("v2", ANA, sent.message_id)
        assert edited.text == "v2" and edited.reply_markup is None and edited.edit_date
        assert [(e.method, e.text) for e in fake.edits] == [
            ("editMessageReplyMarkup", "v1"), ("editMessageText", "v2")]
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", ANA, 999)

    async def test_a_callback_query_can_be_answered_once(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        sent = await bot.send_message(ANA, "?", reply_markup=keyboard([("Sim", "yes")]))
        fake.click(sent, "Sim")
        [update] = await bot.get_updates()
        assert update.callback_query is not None and update.callback_query.data == "yes"
        assert await update.callback_query.answer()
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await update.callback_query.answer()
        with pytest.raises(AssertionError, match="no button"):
            fake.click(sent, "Não")
