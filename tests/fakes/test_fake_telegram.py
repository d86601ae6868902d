"""Self-tests: the fake Telegram server behaves like the Bot API for python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import telegram_updates as u
from tests.fakes.telegram_server import FakeTelegram, FakeTelegramTimeout, parse_html

ANA = 1001
BRUNO = 1002
HELPDESK = -1001234567890  # a forum supergroup where analysts work
PLAIN_GROUP = -4001


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail any connection attempt to a non-loopback address (and ignore proxy settings)."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    attempts: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def is_local(sock: socket.socket, address: Any) -> bool:
        if sock.family == socket.AF_UNIX:
            return True
        host = address[0] if isinstance(address, tuple) else address
        return host in ("localhost", "::1") or str(host).startswith("127.")

    def connect(sock: socket.socket, address: Any) -> None:
        if not is_local(sock, address):
            attempts.append(address)
            raise ConnectionRefusedError(f"test tried to reach {address}")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not is_local(sock, address):
            attempts.append(address)
            return 111
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert not attempts, f"tests must stay offline, tried {attempts}"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.add_private_chat(ANA, "Ana")
        server.add_private_chat(BRUNO, "Bruno", language_code="en", username="bruno")
        server.add_group(HELPDESK, "Suporte N1", is_forum=True)
        server.add_group(PLAIN_GROUP, "Família")
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(fake.token, base_url=fake.base_url,
                            base_file_url=fake.base_file_url) as client:
        yield client


def build_app(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with app:
        await app.start()
        await app.updater.start_polling()  # type: ignore[union-attr]
        try:
            yield app
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows])


def http(fake: FakeTelegram, method: str, *, token: str | None = None, json_body: Any = None,
         form: dict[str, str] | None = None, query: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, Any]]:
    """A raw request with the standard library, as a non-PTB client would send it."""
    url = fake.method_url(method, token)
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data, headers = None, {}
    if json_body is not None:
        data, headers = json.dumps(json_body).encode(), {"Content-Type": "application/json"}
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


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


# -- an Application polling the fake --------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"start {' '.join(context.args or [])}",
                                    reply_markup=keyboard([("Resolveu?", "solved")]))


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"eco: {update.message.text}")


async def solved(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Obrigado!")
    await query.edit_message_text(f"você clicou {query.data}")


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


class TestFilesAndOtherMethods:
    async def test_media_is_sent_by_known_file_id_and_can_be_downloaded(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        fake.queue_update(u.photo_message(ANA, caption="erro na tela"))
        [update] = await bot.get_updates()
        assert update.message is not None
        photo_id = update.message.photo[-1].file_id
        forwarded = await bot.send_photo(HELPDESK, photo_id, caption="<i>print</i>",
                                         parse_mode="HTML")
        assert forwarded.caption == "print"
        assert fake.last_message(HELPDESK).kind == "photo"  # type: ignore[union-attr]

        uploaded = await bot.send_document(ANA, b"conteudo", filename="log.txt")
        file = await bot.get_file(uploaded.document.file_id)  # type: ignore[union-attr]
        assert bytes(await file.download_as_bytearray()) == b"conteudo"

        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await bot.send_photo(ANA, "no-such-file")
        with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as document"):
            await bot.send_document(ANA, photo_id)

    @pytest.mark.parametrize(
        ("build", "send"),
        [
            (u.document_message, "send_document"),
            (u.voice_message, "send_voice"),
            (u.video_message, "send_video"),
            (u.video_note_message, "send_video_note"),
        ],
    )
    async def test_every_media_kind_is_resent_by_file_id(
        self, fake: FakeTelegram, bot: telegram.Bot, build: Any, send: str
    ) -> None:
        fake.queue_update(build(ANA))
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.effective_attachment is not None
        file_id = update.message.effective_attachment.file_id  # type: ignore[union-attr]
        await getattr(bot, send)(BRUNO, file_id)
        sent = fake.last_message(BRUNO)
        assert sent is not None and sent.file_id == file_id
        assert sent.kind == build.__name__.removesuffix("_message")

    async def test_copy_message_reaction_and_get_chat(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        fake.queue_update(u.voice_message(ANA))
        [update] = await bot.get_updates()
        assert update.message is not None
        copied = await bot.copy_message(HELPDESK, ANA, update.message.message_id)
        assert fake.message(HELPDESK, copied.message_id)["voice"]["file_id"] == (  # type: ignore[index]
            update.message.voice.file_id)  # type: ignore[union-attr]
        await bot.set_message_reaction(ANA, update.message.message_id, "👍")
        assert fake.reactions[0].reaction == [{"type": "emoji", "emoji": "👍"}]
        with pytest.raises(BadRequest, match=r"(?i)REACTION_INVALID"):
            await bot.set_message_reaction(ANA, update.message.message_id, "🦖")
        chat = await bot.get_chat(HELPDESK)
        assert chat.is_forum and chat.title == "Suporte N1"

    async def test_commands_round_trip_per_language(self, bot: telegram.Bot) -> None:
        await bot.set_my_commands([("start", "Começar"), ("ajuda", "Ajuda")], language_code="pt")
        assert [c.command for c in await bot.get_my_commands(language_code="pt")] == [
            "start", "ajuda"]
        assert await bot.get_my_commands() == ()
        with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
            await bot.set_my_commands([("start", "Começar")], language_code="pt-br")
        await bot.delete_my_commands(language_code="pt")
        assert await bot.get_my_commands(language_code="pt") == ()


# -- raw HTTP and sync use --------------------------------------------------------------------


class TestRawHttpAndSyncUse:
    def test_json_form_and_query_string_requests_are_all_accepted(self, fake: FakeTelegram) -> None:
        assert http(fake, "sendMessage", json_body={"chat_id": ANA, "text": "json"})[0] == 200
        assert http(fake, "sendMessage", form={"chat_id": str(ANA), "text": "form",
                                               "reply_markup": json.dumps(
                                                   {"inline_keyboard": [[{"text": "a",
                                                                          "callback_data": "a"}]]})}
                    )[0] == 200
        assert http(fake, "SENDMESSAGE", query={"chat_id": str(ANA), "text": "get"})[0] == 200
        assert [m.text for m in fake.sent_messages(ANA)] == ["json", "form", "get"]
        form_markup = fake.calls_to("sendMessage")[1]["reply_markup"]
        assert form_markup["inline_keyboard"][0][0]["text"] == "a"  # decoded from JSON

    def test_identity_and_session_methods(self, fake: FakeTelegram) -> None:
        status, me = http(fake, "getMe")
        assert status == 200 and me["result"]["username"] == "chamado_test_bot"
        assert me["result"]["is_bot"] and me["result"]["id"] == 123456
        assert http(fake, "logOut")[1] == {"ok": True, "result": True}
        assert http(fake, "close")[1] == {"ok": True, "result": True}

    def test_errors_use_telegrams_envelope(self, fake: FakeTelegram) -> None:
        assert http(fake, "sendMessage", token="1:nope", json_body={}) == (
            401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        assert http(fake, "sendTelepathy", json_body={}) == (
            404, {"ok": False, "error_code": 404, "description": "Not Found"})
        assert http(fake, "sendMessage", json_body={"text": "x"})[1]["description"] == (
            "Bad Request: chat_id is empty")
        assert http(fake, "sendMessage", json_body={"chat_id": ANA})[1]["description"] == (
            "Bad Request: message text is empty")
        assert http(fake, "answerCallbackQuery", json_body={})[1]["description"] == (
            'Bad Request: parameter "callback_query_id" is required')

    def test_sync_wait_for_sees_a_message_sent_from_another_thread(
        self, fake: FakeTelegram
    ) -> None:
        threading.Timer(0.1, http, [fake, "sendMessage"],
                        {"json_body": {"chat_id": BRUNO, "text": "hello"}}).start()
        [message] = fake.wait_for_messages(BRUNO, 1, timeout=5)
        assert message.text == "hello"
        with pytest.raises(FakeTelegramTimeout, match="sendMessage -> 200"):
            fake.wait_for_messages(BRUNO, 2, timeout=0.2)

    async def test_blocking_waits_are_refused_inside_an_event_loop(
        self, fake: FakeTelegram
    ) -> None:
        with pytest.raises(RuntimeError, match=r"await fake\.await_for"):
            fake.wait_for(lambda: True)

    def test_a_bot_in_another_process_talks_to_the_fake(self, fake: FakeTelegram) -> None:
        script = textwrap.dedent("""
            import sys
            from telegram.ext import ApplicationBuilder, MessageHandler, filters

            async def pong(update, context):
                await update.message.reply_text("pong: " + update.message.text)
                context.application.stop_running()

            app = (ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2])
                   .base_file_url(sys.argv[3]).build())
            app.add_handler(MessageHandler(filters.TEXT, pong))
            app.run_polling(timeout=1)
        """)
        fake.queue_update(u.text_message(ANA, "ping"))
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        process = subprocess.Popen(
            [sys.executable, "-c", script, fake.token, fake.base_url, fake.base_file_url],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            [reply] = fake.wait_for_messages(ANA, 1, timeout=15)
            assert reply.text == "pong: ping"
            assert process.wait(timeout=15) == 0
        finally:
            process.kill()
            output = process.communicate()[0].decode(errors="replace")
        assert "Traceback" not in output, output


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
