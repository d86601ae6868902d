"""The events URL checks a request before anything parses it: a 4xx, no body, one WARNING line, no change."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import aiohttp
import pytest

from core.store.orm import ProcessedUpdate
from tests.fakes.slack import event_body, message_event, signed_headers, wrong_secret_headers
from tests.slack.conftest import PAULA, SECRET, SlackWorkspace

BROKEN_JSON = '{"type": "event_callback", "event": {"type": "message", "text": "minha senha é 1234"'
BROKEN_PAYLOAD = urlencode({"payload": '{"type": "block_actions", "user": {"id": "UPAULA"'})


async def send(slack: SlackWorkspace, body: bytes | str, headers: dict[str, str],
               method: str = "POST") -> tuple[int, bytes]:
    data = body.encode() if isinstance(body, str) else body
    async with aiohttp.ClientSession() as session, session.request(method, slack.url, data=data,
                                                                    headers=headers) as resp:
        return resp.status, await resp.read()


def signed(body: str | bytes, content_type: str | None = None) -> dict[str, str]:
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    return signed_headers(text, SECRET, content_type=content_type)


def unchanged(slack: SlackWorkspace) -> bool:
    return slack.count(ProcessedUpdate) == 0 and slack.stored_messages() == 0


def _event(kind: str = "message", **extra: object) -> str:
    return json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": kind, **extra}})


CASES = [
    pytest.param(BROKEN_JSON, None, 400, id="signed malformed JSON"),
    pytest.param(BROKEN_PAYLOAD, None, 400, id="signed payload= form with broken JSON"),
    pytest.param("[1, 2]", "application/json", 400, id="JSON that is not an object"),
    pytest.param('{"event": {}}', None, 400, id="no type"),
    pytest.param('{"type": "event_callback"}', None, 400, id="event_callback without event"),
    pytest.param(_event(user=["UPAULA"]), None, 400, id="event field of the wrong type"),
    pytest.param(_event("reaction_added"), None, 404, id="unknown event type"),
    pytest.param('{"type": "app_rate_limited"}', None, 404, id="unknown request type"),
    pytest.param(urlencode({"payload": json.dumps({"type": "view_submission"})}), None, 404,
                 id="unhandled interaction"),
    pytest.param(urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}), None, 400,
                 id="block_actions without user or actions"),
    pytest.param(urlencode({"command": "/hack", "user_id": PAULA}), None, 404, id="unknown command"),
    pytest.param(urlencode({"command": "/chamado", "text": "fila"}), None, 400, id="command without user"),
    pytest.param('{"type": "url_verification"}', None, 400, id="handshake without challenge"),
    pytest.param(_event(text="oi"), "text/plain", 415, id="wrong content type"),
]


@pytest.mark.parametrize(("body", "content_type", "status"), CASES)
async def test_a_signed_request_the_app_cannot_read_gets_a_4xx_with_no_body(
    slack: SlackWorkspace, caplog: pytest.LogCaptureFixture, body: str, content_type: str | None, status: int
) -> None:
    caplog.set_level(logging.DEBUG)

    got = await send(slack, body, signed(body, content_type))
    await slack.settle()

    assert got == (status, b"")
    assert unchanged(slack)
    refusals = [r for r in caplog.records if r.getMessage() == "request refused"]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "1234" not in caplog.text


@pytest.mark.parametrize("body", [BROKEN_JSON, BROKEN_PAYLOAD, "\xff\xfe"])
async def test_a_forged_malformed_request_gets_401_before_anything_is_parsed(
    slack: SlackWorkspace, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    caplog.set_level(logging.DEBUG)

    got = await send(slack, body, wrong_secret_headers(body))

    assert got == (401, b"")
    assert unchanged(slack)
    assert [r.levelname for r in caplog.records if "refused" in r.getMessage()] == ["WARNING"]
    assert "1234" not in caplog.text and "body" not in caplog.text


async def test_a_body_that_is_not_utf8_gets_400(slack: SlackWorkspace) -> None:
    raw = b'{"type": "event_callback", "event": {"type": "message", "text": "\xff"}}'
    assert await send(slack, raw, signed(raw, "application/json")) == (400, b"")


async def test_an_oversized_body_gets_413_without_being_read(slack: SlackWorkspace) -> None:
    from bot.slack.gate import MAX_BODY_BYTES

    body = _event(text="x" * MAX_BODY_BYTES)
    assert await send(slack, body, signed(body)) == (413, b"")
    assert unchanged(slack)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_method_other_than_post_gets_405(slack: SlackWorkspace, method: str) -> None:
    body = event_body(message_event(PAULA, slack.fake.dm_channel(PAULA), "oi", channel_type="im"))
    assert await send(slack, body, signed(body), method=method) == (405, b"")


async def test_a_bad_timestamp_header_is_a_bad_signature(slack: SlackWorkspace) -> None:
    body = _event(text="oi")
    headers = {**signed(body), "X-Slack-Request-Timestamp": "soon"}
    assert await send(slack, body, headers) == (401, b"")


async def test_a_well_formed_signed_request_still_goes_through(slack: SlackWorkspace) -> None:
    slack.link_client()
    assert await slack.client_says(PAULA, "esqueci minha senha") == 200
    await slack.settle()
    assert slack.dm()
