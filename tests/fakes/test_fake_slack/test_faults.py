"""Self-tests of the fake Slack: rate limits, injected errors, going down, clear()."""

from __future__ import annotations

import urllib.request

import aiohttp
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack
from tests.fakes.test_fake_slack.helpers import error_of

# ------------------------------------------------------------------ faults


class TestFaults:
    def test_rate_limit_surfaces_429_with_retry_after(self, fake: FakeSlack, client: WebClient) -> None:
        fake.rate_limit_next("chat.postMessage", retry_after=7)

        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="x")

        assert exc.value.response.status_code == 429
        assert exc.value.response.headers["Retry-After"] == "7"
        assert error_of(exc) == "ratelimited"
        client.chat_postMessage(channel="C1", text="x")  # only the next call was limited

    def test_rate_limit_only_hits_the_named_method(self, fake: FakeSlack, client: WebClient) -> None:
        fake.rate_limit_next("chat.update")
        client.chat_postMessage(channel="C1", text="x")
        assert fake.last_message("C1") is not None

    def test_retry_handler_retries_after_429(self, fake: FakeSlack) -> None:
        fake.rate_limit_next(times=1, retry_after=0)
        client = WebClient(
            token=fake.token, base_url=fake.base_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
        )

        client.chat_postMessage(channel="C1", text="depois do 429")

        assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.postMessage"]
        assert len(fake.messages("C1")) == 1

    def test_fail_next_gives_server_error_then_recovers(self, fake: FakeSlack, client: WebClient) -> None:
        fake.fail_next("chat.postMessage", times=1, status=500)
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="x")
        assert exc.value.response.status_code == 500
        client.chat_postMessage(channel="C1", text="x")

    def test_fail_next_can_inject_any_slack_error(self, fake: FakeSlack, client: WebClient) -> None:
        fake.fail_next("chat.postMessage", status=200, error="is_archived")
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="x")
        assert error_of(exc) == "is_archived"

    def test_down_refuses_connections_and_comes_back_on_the_same_port(self, fake: FakeSlack, client: WebClient) -> None:
        port = fake.port
        fake.go_down()
        with pytest.raises(OSError):
            urllib.request.urlopen(fake.base_url + "auth.test", timeout=2)

        fake.come_back()

        assert fake.port == port
        assert client.auth_test()["user_id"] == fake.bot_user_id

    async def test_down_also_drops_keep_alive_connections(self, fake: FakeSlack) -> None:
        async with aiohttp.ClientSession() as session:
            aclient = AsyncWebClient(
                token=fake.token, base_url=fake.base_url, session=session, timeout=3, retry_handlers=[]
            )
            await aclient.auth_test()  # leaves a pooled keep-alive connection
            fake.go_down()
            with pytest.raises(aiohttp.ClientError):
                await aclient.auth_test()
            fake.come_back()
            assert (await aclient.auth_test())["ok"]

    def test_clear_forgets_recordings_but_keeps_history(self, fake: FakeSlack, client: WebClient) -> None:
        ts = client.chat_postMessage(channel="C1", text="x")["ts"]
        fake.clear()
        assert fake.calls == [] and fake.messages() == []
        client.chat_update(channel="C1", ts=ts, text="y")
        assert fake.message("C1", ts).text == "y"  # type: ignore[union-attr]
