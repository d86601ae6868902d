"""Self-tests of the fake Slack with a real Bolt app, over HTTP and dispatched in-process."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from slack_bolt import App, BoltRequest
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import (
    FakeSlack,
    apost,
    apost_signed,
    app_mention_event,
    block_actions_body,
    event_body,
    message_event,
    post_signed,
    retry_headers,
    signed_headers,
    slash_command_body,
    ssl_check_body,
    stale_headers,
    unsigned_headers,
    url_verification_body,
    wrong_secret_headers,
)
from tests.fakes.test_fake_slack.helpers import RESOLVEU, SIGNING_SECRET

# ------------------------------------------------------------------ a real Bolt app over HTTP


@dataclass
class BoltServer:
    app: AsyncApp
    url: str
    seen_headers: list[dict[str, str]]


@pytest.fixture
async def bolt(fake: FakeSlack) -> AsyncIterator[BoltServer]:
    """A real AsyncApp served by aiohttp on 127.0.0.1:0, talking to the fake."""
    app = AsyncApp(
        client=AsyncWebClient(token=fake.token, base_url=fake.base_url),  # token goes on the client
        signing_secret=SIGNING_SECRET,
    )
    seen_headers: list[dict[str, str]] = []

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any, client: AsyncWebClient, request: Any) -> None:
        seen_headers.append({k: v[0] for k, v in request.headers.items()})
        await client.reactions_add(channel=event["channel"], timestamp=event["ts"], name="eyes")
        await say(text="Resolveu?", blocks=RESOLVEU, thread_ts=event["ts"])

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any) -> None:
        await say(f"Olá, <@{event['user']}>!")

    @app.action("resolveu_sim")
    async def on_yes(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="Que bom! Chamado encerrado.", replace_original=True)

    @app.command("/chamado")
    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack("Consultando a fila...")
        if command["text"] == "publico":
            await respond(text="Fila: 3 chamados", response_type="in_channel")
        else:
            await respond(text=f"Fila ({command['text']}): 3 chamados")

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield BoltServer(app, f"http://127.0.0.1:{port}/slack/events", seen_headers)
    finally:
        await runner.cleanup()


class TestBoltOverHttp:
    async def test_message_event_runs_the_listener(self, fake: FakeSlack, bolt: BoltServer) -> None:
        said = fake.add_message("C1", "como abro um chamado", user="U1")
        body = event_body(message_event("U1", "C1", said.text, ts=said.ts))

        status, _ = await apost_signed(bolt.url, body, SIGNING_SECRET)

        assert status == 200
        reply = await fake.await_for(lambda: fake.last_message("C1", thread_ts=said.ts))
        assert "Resolveu?" in reply.all_text
        assert [r.name for r in fake.reactions] == ["eyes"]

    async def test_auth_test_is_called_once_at_the_first_request(self, fake: FakeSlack, bolt: BoltServer) -> None:
        assert fake.calls_to("auth.test") == []  # AsyncApp does not verify the token at start
        for text in ("um", "dois"):
            said = fake.add_message("C1", text, user="U1")
            await apost_signed(bolt.url, event_body(message_event("U1", "C1", text, ts=said.ts)), SIGNING_SECRET)
            await fake.await_for(functools.partial(fake.messages, "C1", thread_ts=said.ts))
        assert len(fake.calls_to("auth.test")) == 1

    async def test_app_mention(self, fake: FakeSlack, bolt: BoltServer) -> None:
        body = event_body(app_mention_event("U2", "C1", "ajuda"))
        assert (await apost_signed(bolt.url, body, SIGNING_SECRET))[0] == 200
        assert (await fake.await_for(lambda: fake.last_message("C1"))).text == "Olá, <@U2>!"

    async def test_redelivered_event_carries_retry_headers(self, fake: FakeSlack, bolt: BoltServer) -> None:
        said = fake.add_message("C1", "oi", user="U1")
        body = event_body(message_event("U1", "C1", "oi", ts=said.ts), event_id="Ev1")
        await apost_signed(bolt.url, body, SIGNING_SECRET, extra_headers=retry_headers(1))
        await fake.await_for(lambda: bolt.seen_headers)
        assert bolt.seen_headers[0]["x-slack-retry-num"] == "1"

    async def test_button_click_acks_and_replaces_the_original(self, fake: FakeSlack, bolt: BoltServer) -> None:
        ts = (
            await AsyncWebClient(token=fake.token, base_url=fake.base_url).chat_postMessage(
                channel="C1", text="Resolveu?", blocks=RESOLVEU
            )
        )["ts"]
        original = fake.message("C1", ts)
        assert original is not None
        url = fake.response_url(channel="C1", user="U1", message_ts=ts, kind="actions")
        body = block_actions_body("U1", "resolveu_sim", channel_id="C1", message=original.to_dict(), response_url=url)

        status, text = await apost_signed(bolt.url, body, SIGNING_SECRET)

        assert (status, text) == (200, "")
        (posted,) = await fake.await_for(lambda: fake.response_url_posts(url))
        assert posted.replace_original
        assert fake.message("C1", ts).text == "Que bom! Chamado encerrado."  # type: ignore[union-attr]

    def test_clicking_a_button_that_is_not_there_is_a_test_bug(self) -> None:
        with pytest.raises(ValueError, match="no element"):
            block_actions_body("U1", "nope", channel_id="C1", message={"ts": "1.0", "blocks": RESOLVEU})

    async def test_slash_command_acks_with_text_and_responds_ephemerally(
        self, fake: FakeSlack, bolt: BoltServer
    ) -> None:
        url = fake.response_url(channel="C1", user="U1")
        body = slash_command_body("/chamado", "minha", user_id="U1", channel_id="C1", response_url=url)

        status, text = await apost_signed(bolt.url, body, SIGNING_SECRET)

        assert status == 200 and "Consultando a fila" in text
        eph = await fake.await_for(lambda: fake.ephemerals)
        assert (eph[0].user, eph[0].text) == ("U1", "Fila (minha): 3 chamados")

    async def test_slash_command_in_channel_response_is_a_message(self, fake: FakeSlack, bolt: BoltServer) -> None:
        url = fake.response_url(channel="C1", user="U1")
        await apost_signed(bolt.url, slash_command_body(text="publico", response_url=url), SIGNING_SECRET)
        assert (await fake.await_for(lambda: fake.last_message("C1"))).text == "Fila: 3 chamados"

    async def test_url_verification_echoes_the_challenge(self, bolt: BoltServer) -> None:
        status, text = await apost_signed(bolt.url, url_verification_body("abc123"), SIGNING_SECRET)
        assert status == 200 and json.loads(text) == {"challenge": "abc123"}

    async def test_ssl_check_is_answered_without_a_signature(self, bolt: BoltServer) -> None:
        body = ssl_check_body()
        assert (await apost(bolt.url, body, unsigned_headers(body)))[0] == 200

    @pytest.mark.parametrize(
        "forge",
        [
            pytest.param(lambda body: wrong_secret_headers(body), id="wrong secret"),
            pytest.param(lambda body: unsigned_headers(body), id="missing signature"),
            pytest.param(lambda body: stale_headers(body, SIGNING_SECRET), id="timestamp 6 min old"),
        ],
    )
    async def test_forged_requests_get_401(self, fake: FakeSlack, bolt: BoltServer, forge: Any) -> None:
        body = event_body(message_event("U1", "C1", "oi"))
        status, _ = await apost(bolt.url, body, forge(body))
        assert status == 401
        await asyncio.sleep(0.05)
        assert fake.calls == []  # nothing ran: not even auth.test

    async def test_sync_post_signed_from_a_thread(self, fake: FakeSlack, bolt: BoltServer) -> None:
        # urllib blocks, and the Bolt server runs on this loop: post from a worker thread
        body = event_body(app_mention_event("U1", "C1", "oi"))
        status, _ = await asyncio.to_thread(post_signed, bolt.url, body, SIGNING_SECRET)
        assert status == 200
        await fake.await_for(lambda: fake.last_message("C1"))

    async def test_unhandled_request_is_404(self, bolt: BoltServer) -> None:
        body = event_body({"type": "reaction_added", "user": "U1", "reaction": "eyes", "event_ts": "1.0"})
        assert (await apost_signed(bolt.url, body, SIGNING_SECRET))[0] == 404


class TestSyncBoltDispatch:
    def test_sync_app_verifies_the_token_at_construction(self, fake: FakeSlack) -> None:
        App(client=WebClient(token=fake.token, base_url=fake.base_url), signing_secret=SIGNING_SECRET)
        assert len(fake.calls_to("auth.test")) == 1

    def test_bolt_request_with_signed_headers(self, fake: FakeSlack) -> None:
        app = App(
            client=WebClient(token=fake.token, base_url=fake.base_url),
            signing_secret=SIGNING_SECRET,
            process_before_response=True,  # the listener finishes before dispatch returns
        )

        @app.event("app_mention")
        def on_mention(event: dict[str, Any], say: Any) -> None:
            say("pong")

        body = event_body(app_mention_event("U1", "C1", "ping"))
        headers: dict[str, str | Sequence[str]] = {**signed_headers(body, SIGNING_SECRET)}
        response = app.dispatch(BoltRequest(body=body, headers=headers))

        assert response.status == 200
        assert fake.last_message("C1").text == "pong"  # type: ignore[union-attr]

    def test_signature_covers_the_exact_body(self) -> None:
        body = slash_command_body()
        headers = signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()))
        from slack_sdk.signature import SignatureVerifier

        assert SignatureVerifier(SIGNING_SECRET).is_valid_request(body, headers)
        assert not SignatureVerifier(SIGNING_SECRET).is_valid_request(body + "&x=1", headers)
