"""Hypothesis-made requests against the Telegram webhook: never a 5xx, never an error logged,
and a refused request changes nothing in the database."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.telegram import updates as u
from tests.fuzz.conftest import fuzz, row_counts
from tests.telegram.conftest import ANA, ANALYSTS_CHAT, PAULA, VISITOR, WEBHOOK_SECRET, Harness, HarnessFactory

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
people = st.sampled_from([PAULA, VISITOR, ANA])  # people the fake Telegram knows (their chats exist)
_ids = iter(range(10_000_000, 99_999_999))


@st.composite
def update(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(st.text(max_size=60) | st.sampled_from(["/start", "/abrir x", "/status 2026-1", "/vincular X"]))
    made = draw(st.sampled_from(["text", "group", "button"]))
    if made == "text":
        body = u.text_message(draw(people), text)
    elif made == "group":
        body = u.group_message(ANALYSTS_CHAT, draw(people), text, message_thread_id=draw(st.none() | st.integers(1, 5)))
    else:
        who = draw(people)
        body = u.callback_query(who, draw(st.text(max_size=40)), chat_id=who, message_id=draw(st.integers(1, 50)))
    body["update_id"] = next(_ids)
    if draw(st.booleans()):  # a field replaced by anything
        part = body.get("message") or body.get("callback_query") or body
        key = draw(st.sampled_from(sorted(part)))
        part[key] = draw(values)
    return body


bodies = st.one_of(update().map(json.dumps), values.map(json.dumps), st.text(max_size=200))
secrets = st.sampled_from([WEBHOOK_SECRET] * 4 + ["wrong", None])
content_types = st.sampled_from(["application/json"] * 4 + ["text/plain", "application/x-www-form-urlencoded"])
methods = st.sampled_from(["POST"] * 8 + ["GET", "PUT"])


@pytest.fixture
async def hooked(make_harness: HarnessFactory) -> Harness:
    return await make_harness(mode="webhook")


@pytest.mark.filterwarnings("ignore")
@fuzz
@given(body=bodies, secret=secrets, content_type=content_types, method=methods)
async def test_no_request_makes_the_telegram_webhook_fail(hooked: Harness, caplog: pytest.LogCaptureFixture,
                                                          body: str, secret: str | None, content_type: str,
                                                          method: str) -> None:
    tg = hooked
    assert tg.webhook_url is not None
    caplog.clear()
    caplog.set_level(logging.WARNING)
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    before = row_counts(tg.desk.db)

    async with aiohttp.ClientSession() as session, session.request(method, tg.webhook_url, data=body.encode(),
                                                                    headers=headers) as resp:
        status, answer = resp.status, await resp.read()
    await tg.deliver()

    assert status < 500, caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    if status >= 400:
        assert answer == b""
        assert row_counts(tg.desk.db) == before
    if secret != WEBHOOK_SECRET:
        assert status in (403, 405)
