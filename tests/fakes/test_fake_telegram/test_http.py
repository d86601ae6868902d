"""Self-tests of the fake Telegram: raw HTTP clients, sync waiting, a bot in another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from tests.fakes.telegram import FakeTelegram, FakeTelegramTimeout
from tests.fakes.telegram import updates as u
from tests.fakes.test_fake_telegram.helpers import ANA, BRUNO, http

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
