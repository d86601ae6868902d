"""Self-tests: the fake Slack behaves for the real slack_sdk clients and a real Bolt app."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt import App, BoltRequest
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_requests import (
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
from tests.fakes.slack_server import FakeSlack, WaitTimeout, block_kit_errors

SIGNING_SECRET = "test-signing-secret"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def buttons(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "resolveu",
        "elements": [
            {"type": "button", "action_id": aid, "text": {"type": "plain_text", "text": label}, "value": aid}
            for aid, label in pairs
        ],
    }


RESOLVEU = [section("Resolveu?"), buttons(("resolveu_sim", "Sim"), ("resolveu_nao", "Não"))]


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # SLACK_CLIENT_ID/SECRET would switch Bolt to OAuth mode; SLACK_* tokens leak config
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        f.add_user("U1", "ana.souza", email="ana@example.com", locale="pt-BR")
        f.add_user("U2", "bob", email="bob@example.com", locale="en-US")
        f.add_channel("C1", "suporte")
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.token, base_url=fake.base_url)


@pytest.fixture
def aclient(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.token, base_url=fake.base_url)


def error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


# ------------------------------------------------------------------ sync WebClient


class TestMessagesWithSyncClient:
    def test_posted_message_keeps_text_and_buttons(self, fake: FakeSlack, client: WebClient) -> None:
        resp = client.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU, unfurl_links=False)

        assert resp["channel"] == "C1"
        assert resp["ts"] == "1700000000.000100"
        assert resp["message"]["bot_id"] == fake.bot_id
        msg = fake.last_message("C1")
        assert msg is not None and msg.text == "Resolveu?"
        assert [b.action_id for b in msg.buttons] == ["resolveu_sim", "resolveu_nao"]
        assert fake.calls_to("chat.postMessage")[0]["unfurl_links"] is False

    def test_ts_values_increase(self, fake: FakeSlack, client: WebClient) -> None:
        first = client.chat_postMessage(channel="C1", text="um")["ts"]
        second = client.chat_postMessage(channel="C1", text="dois", thread_ts=first)["ts"]

        assert float(second) > float(first)
        assert [m.text for m in fake.messages("C1", thread_ts=first)] == ["dois"]

    def test_form_encoded_call_with_token_param_is_accepted(self, fake: FakeSlack) -> None:
        body = f"token={fake.token}&channel=C1&text=ol%C3%A1".encode()
        req = urllib.request.Request(
            fake.base_url + "chat.postMessage",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(req) as resp:
            assert json.loads(resp.read())["ok"] is True
        assert fake.last_message("C1").text == "olá"  # type: ignore[union-attr]

    def test_update_replaces_text_and_drops_blocks_when_only_text_is_sent(
        self, fake: FakeSlack, client: WebClient
    ) -> None:
        ts = client.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU)["ts"]

        resp = client.chat_update(channel="C1", ts=ts, text="Obrigado!")

        assert resp["text"] == "Obrigado!"
        assert fake.message("C1", ts).blocks is None  # type: ignore[union-attr]
        assert [(u.ts, u.text) for u in fake.updates] == [(ts, "Obrigado!")]

    @pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
    def test_update_with_only_blocks_keeps_text(self, fake: FakeSlack, client: WebClient) -> None:
        ts = client.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU)["ts"]

        client.chat_update(channel="C1", ts=ts, blocks=[section("Respondida")])

        msg = fake.message("C1", ts)
        assert msg is not None and msg.text == "Resolveu?" and "Respondida" in msg.all_text

    def test_update_of_unknown_ts_is_message_not_found(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_update(channel="C1", ts="1.000000", text="x")
        assert error_of(exc) == "message_not_found"

    def test_update_of_a_users_message_is_refused(self, fake: FakeSlack, client: WebClient) -> None:
        user_msg = fake.add_message("C1", "meu chamado", user="U1")
        with pytest.raises(SlackApiError) as exc:
            client.chat_update(channel="C1", ts=user_msg.ts, text="x")
        assert error_of(exc) == "cant_update_message"

    def test_ephemeral_goes_to_one_user(self, fake: FakeSlack, client: WebClient) -> None:
        resp = client.chat_postEphemeral(channel="C1", user="U1", text="só você vê", blocks=RESOLVEU)

        (eph,) = fake.ephemerals
        assert (eph.channel, eph.user, eph.text, eph.message_ts) == ("C1", "U1", "só você vê", resp["message_ts"])
        assert fake.messages() == []

    def test_ephemeral_to_unknown_user_is_refused(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postEphemeral(channel="C1", user="U404", text="x")
        assert error_of(exc) == "user_not_in_channel"

    def test_reaction_twice_is_already_reacted(self, fake: FakeSlack, client: WebClient) -> None:
        msg = fake.add_message("C1", "socorro", user="U1")
        client.reactions_add(channel="C1", timestamp=msg.ts, name="eyes")

        with pytest.raises(SlackApiError) as exc:
            client.reactions_add(channel="C1", timestamp=msg.ts, name="eyes")

        assert error_of(exc) == "already_reacted"
        assert [(r.timestamp, r.name) for r in fake.reactions] == [(msg.ts, "eyes")]

    def test_reaction_on_unknown_message(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.reactions_add(channel="C1", timestamp="1.000001", name="eyes")
        assert error_of(exc) == "message_not_found"

    def test_permalink_of_a_thread_reply(self, fake: FakeSlack, client: WebClient) -> None:
        parent = fake.add_message("C1", "pergunta", user="U1")
        reply = client.chat_postMessage(channel="C1", text="resposta", thread_ts=parent.ts)

        link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]

        assert link.startswith("https://chamado-test.slack.com/archives/C1/p")
        assert f"thread_ts={parent.ts}" in link

    def test_replies_list_the_thread(self, fake: FakeSlack, client: WebClient) -> None:
        parent = fake.add_message("C1", "pergunta", user="U1")
        client.chat_postMessage(channel="C1", text="resposta", thread_ts=parent.ts)
        fake.add_message("C1", "valeu", user="U1", thread_ts=parent.ts)

        msgs = client.conversations_replies(channel="C1", ts=parent.ts)["messages"]

        assert [m["text"] for m in msgs] == ["pergunta", "resposta", "valeu"]
        assert msgs[0]["reply_count"] == 2
        assert msgs[1]["parent_user_id"] == "U1"


class TestUsersAndConversations:
    def test_users_info_gives_locale_only_with_include_locale(self, client: WebClient) -> None:
        plain = client.users_info(user="U1")["user"]
        with_locale = client.users_info(user="U1", include_locale=True)["user"]

        assert "locale" not in plain
        assert with_locale["locale"] == "pt-BR"
        assert with_locale["profile"]["email"] == "ana@example.com"
        assert with_locale["tz"] == "America/Sao_Paulo"

    def test_english_user(self, client: WebClient) -> None:
        user = client.users_info(user="U2", include_locale=True)["user"]
        assert (user["name"], user["locale"]) == ("bob", "en-US")

    def test_unknown_user(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.users_info(user="U404")
        assert error_of(exc) == "user_not_found"

    def test_opened_dm_is_a_known_channel(self, fake: FakeSlack, client: WebClient) -> None:
        first = client.conversations_open(users="U1")
        again = client.conversations_open(users=["U1"])

        dm = first["channel"]["id"]
        assert dm.startswith("D") and again["channel"]["id"] == dm and again["already_open"]
        client.chat_postMessage(channel=dm, text="oi")
        assert client.conversations_info(channel=dm)["channel"]["is_im"] is True
        assert fake.last_message(dm).text == "oi"  # type: ignore[union-attr]

    def test_posting_to_a_user_id_lands_in_the_dm(self, fake: FakeSlack, client: WebClient) -> None:
        resp = client.chat_postMessage(channel="U1", text="oi")
        assert resp["channel"] == fake.dm_channel("U1")

    def test_channel_info_by_id(self, client: WebClient) -> None:
        info = client.conversations_info(channel="C1")["channel"]
        assert (info["name"], info["is_channel"]) == ("suporte", True)

    def test_file_info_and_private_download(self, fake: FakeSlack, client: WebClient) -> None:
        f = fake.add_file("F1", "erro.log", content=b"boom", user="U1")

        assert client.files_info(file="F1")["file"]["name"] == "erro.log"
        req = urllib.request.Request(f["url_private"], headers={"Authorization": f"Bearer {fake.token}"})
        with urllib.request.urlopen(req) as resp:
            assert resp.read() == b"boom"
        with urllib.request.urlopen(f["url_private"]) as resp:  # no token: the sign-in page
            assert b"Sign in" in resp.read()


class TestValidation:
    @pytest.mark.parametrize(
        "blocks",
        [
            pytest.param([{"type": "carousel"}], id="unknown type"),
            pytest.param(["section"], id="not an object"),
            pytest.param([section("x" * 3001)], id="section text over 3000"),
            pytest.param([{"type": "section"}], id="section without text"),
            pytest.param(
                [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Ok"}}]}],
                id="button without action_id",
            ),
            pytest.param([buttons(("a", "x" * 76))], id="button text over 75"),
            pytest.param(
                [
                    {
                        "type": "actions",
                        "elements": [{"type": "button", "action_id": "a", "text": {"type": "mrkdwn", "text": "*Ok*"}}],
                    }
                ],
                id="button text mrkdwn",
            ),
            pytest.param(
                [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "action_id": "a",
                                "text": {"type": "plain_text", "text": "Ok"},
                                "value": "v" * 2001,
                            }
                        ],
                    }
                ],
                id="button value over 2000",
            ),
            pytest.param([buttons(*[(f"b{i}", "Ok") for i in range(26)])], id="26 elements in actions"),
            pytest.param([section("x")] * 51, id="51 blocks"),
            pytest.param([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], id="header over 150"),
        ],
    )
    def test_malformed_blocks_are_invalid_blocks(self, client: WebClient, blocks: list[Any]) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
        assert error_of(exc) == "invalid_blocks"
        assert "json-pointer:/blocks" in exc.value.response["errors"][0]

    def test_every_known_block_type_is_accepted(self) -> None:
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": "Chamado #42"}},
            section("*Status:* Respondida"),
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "aberto ontem"}]},
            {"type": "image", "image_url": "https://example.invalid/a.png", "alt_text": "print"},
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "oi"}]}],
            },
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Descreva"},
                "element": {"type": "plain_text_input", "action_id": "desc"},
            },
            buttons(*[(f"b{i}", "Ok") for i in range(25)]),
        ]
        assert block_kit_errors(blocks) == []

    @pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
    def test_neither_text_nor_blocks_is_no_text(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="")
        assert error_of(exc) == "no_text"

    def test_text_over_40000_chars_is_msg_too_long(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="x" * 40_001)
        assert error_of(exc) == "msg_too_long"

    def test_unknown_channel(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C404", text="x")
        assert error_of(exc) == "channel_not_found"

    def test_wrong_token_is_invalid_auth(self, fake: FakeSlack) -> None:
        with pytest.raises(SlackApiError) as exc:
            WebClient(token="xoxb-wrong", base_url=fake.base_url).auth_test()
        assert exc.value.response.status_code == 200
        assert error_of(exc) == "invalid_auth"

    def test_missing_token_is_not_authed(self, fake: FakeSlack) -> None:
        with pytest.raises(SlackApiError) as exc:
            WebClient(base_url=fake.base_url).chat_postMessage(channel="C1", text="x")
        assert error_of(exc) == "not_authed"

    def test_token_inside_a_json_body_is_ignored_like_slack(self, fake: FakeSlack) -> None:
        req = urllib.request.Request(
            fake.base_url + "chat.postMessage",
            data=json.dumps({"token": fake.token, "channel": "C1", "text": "x"}).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        with urllib.request.urlopen(req) as resp:
            assert json.loads(resp.read())["error"] == "not_authed"

    def test_unknown_method(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.api_call("chat.sendCarrierPigeon", json={"channel": "C1"})
        assert error_of(exc) == "unknown_method"

    def test_every_call_is_recorded_with_blocks_decoded(self, fake: FakeSlack) -> None:
        # form-encoded blocks arrive as a JSON string and are recorded decoded
        WebClient(token=fake.token, base_url=fake.base_url).api_call(
            "chat.postMessage", data={"channel": "C1", "text": "t", "blocks": json.dumps(RESOLVEU)}
        )
        (call,) = fake.calls
        assert call.method == "chat.postMessage" and call.args["blocks"] == RESOLVEU
        assert "token" not in call.args


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
