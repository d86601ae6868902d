"""Hypothesis-made requests against ``/slack/events``: never a 5xx, never an error logged,
and a refused request changes nothing in the database."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.slack import signed_headers, unsigned_headers, wrong_secret_headers
from tests.fuzz.conftest import fuzz, row_counts
from tests.slack.conftest import ANA, CHANNEL, PAULA, SECRET, SlackWorkspace

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
users = st.sampled_from([PAULA, ANA, "UNOBODY", "", "U" + "9" * 30])
channels = st.sampled_from(["DPAULA", CHANNEL, "C404", ""])
maybe = st.one_of(values, users, st.text(max_size=30))  # a field: the right kind of thing, or anything


@st.composite
def event(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"type": draw(st.sampled_from(["message", "message", "reaction_added", "app_mention"])),
                            "user": draw(st.one_of(users, maybe)), "channel": draw(st.one_of(channels, maybe)),
                            "ts": draw(st.one_of(st.just("1700000000.000100"), maybe)),
                            "text": draw(st.text(max_size=60))}
    for key in draw(st.sets(st.sampled_from(["thread_ts", "subtype", "channel_type", "files", "bot_id"]))):
        body[key] = draw(maybe)
    for key in draw(st.sets(st.sampled_from(list(body)), max_size=2)):
        del body[key]
    return body


@st.composite
def json_body(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["event_callback", "event_callback", "url_verification", "app_rate_limited",
                                 "block_actions", None]))
    body: dict[str, Any] = {"event_id": draw(st.one_of(st.text(min_size=1, max_size=8), maybe)),
                            "event": draw(st.one_of(event(), values)), "challenge": draw(maybe)}
    if kind is not None:
        body["type"] = kind
    return json.dumps(draw(st.one_of(st.just(body), values)))


@st.composite
def form_body(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        fields = {"command": draw(st.sampled_from(["/chamado", "/abrir", "/vincular", "/x", ""])),
                  "user_id": draw(users), "channel_id": draw(channels), "text": draw(st.text(max_size=40))}
        drop = draw(st.sets(st.sampled_from(list(fields)), max_size=2))
        return urlencode({k: v for k, v in fields.items() if k not in drop})
    action = {"action_id": draw(st.one_of(st.sampled_from(["dlg:0", "dlg:1", "desk:claim", "desk:close"]), maybe)),
              "value": draw(st.one_of(st.text(max_size=20), maybe))}
    payload = {"type": draw(st.sampled_from(["block_actions", "view_submission", "shortcut"])),
               "user": draw(st.one_of(st.fixed_dictionaries({"id": users}), maybe)),
               "actions": draw(st.one_of(st.lists(st.just(action), max_size=2), maybe)),
               "container": draw(st.one_of(st.fixed_dictionaries({"channel_id": channels}), maybe)),
               "trigger_id": draw(st.text(min_size=1, max_size=10))}
    text = json.dumps(payload)
    if draw(st.booleans()):  # cut short: broken JSON inside the form
        text = text[: draw(st.integers(0, len(text)))]
    return urlencode({"payload": text})


bodies = st.one_of(json_body(), form_body(), st.text(max_size=200))
signing = st.sampled_from(["signed", "signed", "signed", "forged", "unsigned"])
content_types = st.sampled_from([None, None, "application/json", "application/x-www-form-urlencoded",
                                 "text/plain", "multipart/form-data"])
methods = st.sampled_from(["POST"] * 8 + ["GET", "PUT"])


@pytest.mark.filterwarnings("ignore")
@fuzz
@given(body=bodies, how=signing, content_type=content_types, method=methods)
async def test_no_request_makes_the_slack_door_fail(slack: SlackWorkspace, caplog: pytest.LogCaptureFixture,
                                                    body: str, how: str, content_type: str | None,
                                                    method: str) -> None:
    slack.link_client()
    caplog.clear()
    caplog.set_level(logging.WARNING)
    headers = {"signed": lambda: signed_headers(body, SECRET, content_type=content_type),
               "forged": lambda: wrong_secret_headers(body), "unsigned": lambda: unsigned_headers(body)}[how]()
    before = row_counts(slack.desk.db)

    async with aiohttp.ClientSession() as session, session.request(method, slack.url, data=body.encode(),
                                                                    headers=headers) as resp:
        status, answer = resp.status, await resp.read()
    await slack.settle()

    assert status < 500
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    if status >= 400:
        assert answer == b""
        assert row_counts(slack.desk.db) == before
    if how != "signed":
        assert status == 401 or (status == 405 and method != "POST")
