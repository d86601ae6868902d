"""Self-tests of the fake Slack: the AsyncWebClient, and waiting from threads and coroutines."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, WaitTimeout
from tests.fakes.test_fake_slack.helpers import RESOLVEU, error_of, section

# ------------------------------------------------------------------ async client and waiting


class TestAsyncClient:
    async def test_post_update_ephemeral_reaction_and_user(self, fake: FakeSlack, aclient: AsyncWebClient) -> None:
        ts = (await aclient.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU))["ts"]
        await aclient.chat_update(channel="C1", ts=ts, text="Respondida", blocks=[section("Respondida")])
        await aclient.chat_postEphemeral(channel="C1", user="U2", text="psst")
        await aclient.reactions_add(channel="C1", timestamp=ts, name="white_check_mark")
        user = (await aclient.users_info(user="U2", include_locale=True))["user"]

        assert fake.message("C1", ts).all_text.startswith("Respondida")  # type: ignore[union-attr]
        assert fake.ephemerals[0].user == "U2"
        assert fake.reactions[0].name == "white_check_mark"
        assert user["locale"] == "en-US"

    async def test_invalid_blocks_raise(self, aclient: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            await aclient.chat_postMessage(channel="C1", text="x", blocks=[{"type": "section"}])
        assert error_of(exc) == "invalid_blocks"

    async def test_async_retry_handler_retries_after_429(self, fake: FakeSlack) -> None:
        fake.rate_limit_next("chat.postMessage", retry_after=0)
        aclient = AsyncWebClient(
            token=fake.token,
            base_url=fake.base_url,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
        )
        await aclient.chat_postMessage(channel="C1", text="x")
        assert len(fake.calls_to("chat.postMessage")) == 2

    async def test_await_for_does_not_block_the_loop(self, fake: FakeSlack, aclient: AsyncWebClient) -> None:
        async def post_later() -> None:
            await asyncio.sleep(0.05)
            await aclient.chat_postMessage(channel="C1", text="mais tarde")

        task = asyncio.create_task(post_later())
        msg = await fake.await_for(lambda: fake.last_message("C1"))
        await task
        assert msg.text == "mais tarde"

    async def test_sync_wait_for_inside_a_coroutine_is_refused(self, fake: FakeSlack) -> None:
        with pytest.raises(RuntimeError, match="await_for"):
            fake.wait_for(lambda: True)


class TestWaiting:
    def test_wait_for_sees_a_post_from_another_thread(self, fake: FakeSlack, client: WebClient) -> None:
        timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="oi"))
        timer.start()
        msgs = fake.wait_for(lambda: fake.messages("C1"), timeout=2)
        timer.join()
        assert msgs[0].text == "oi"

    def test_wait_for_timeout_lists_the_calls_received(self, fake: FakeSlack, client: WebClient) -> None:
        client.auth_test()
        with pytest.raises(WaitTimeout, match=r"auth\.test"):
            fake.wait_for(lambda: fake.messages("C1"), timeout=0.1)

    def test_a_bot_in_a_subprocess_can_use_it(self, fake: FakeSlack) -> None:
        script = (
            "import os; from slack_sdk import WebClient; "
            "WebClient(token=os.environ['BOT_TOKEN'], base_url=os.environ['SLACK_API_URL'])"
            ".chat_postMessage(channel='C1', text='de outro processo')"
        )
        env = {**os.environ, "BOT_TOKEN": fake.token, "SLACK_API_URL": fake.base_url}
        subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=15)
        assert fake.wait_for(lambda: fake.last_message("C1")).text == "de outro processo"
