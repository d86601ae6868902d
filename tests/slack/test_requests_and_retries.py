"""Only Slack may talk to the bot, and a delivery Slack repeats is handled once."""

from __future__ import annotations

import pytest

from core.store.orm import ProcessedUpdate
from tests.fakes.slack import (
    event_body,
    message_event,
    stale_headers,
    unsigned_headers,
    wrong_secret_headers,
)
from tests.slack.conftest import ANA, CHANNEL, PAULA, SECRET, SlackFactory, SlackWorkspace


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(wrong_secret_headers, id="forged signature"),
        pytest.param(unsigned_headers, id="missing signature"),
        pytest.param(lambda body: stale_headers(body, SECRET), id="replayed 6-minute-old request"),
    ],
)
async def test_unverified_request_gets_401_and_changes_nothing(slack: SlackWorkspace, forge: object) -> None:
    number = slack.open_ticket()
    await slack.settle()
    root = slack.card(number)
    said = slack.fake.add_message(CHANNEL, "Pode fechar, resolvido", ANA, thread_ts=root.ts)
    body = event_body(message_event(ANA, CHANNEL, said.text, ts=said.ts, thread_ts=root.ts))
    before = slack.stored_messages()
    calls = len(slack.fake.calls)

    status = await slack.post_with(body, forge(body))  # type: ignore[operator]
    await slack.settle()

    assert status == 401
    assert slack.stored_messages() == before
    assert slack.count(ProcessedUpdate) == 0
    assert slack.ticket(number).status == "OPEN"
    assert len(slack.fake.calls) == calls


async def test_retried_thread_event_is_handled_once(slack: SlackWorkspace) -> None:
    number = slack.open_ticket()
    await slack.settle()
    root = slack.card(number)
    said = slack.fake.add_message(CHANNEL, "Reenvie a nota, por favor.", ANA, thread_ts=root.ts)
    event = message_event(ANA, CHANNEL, said.text, ts=said.ts, thread_ts=root.ts)

    assert await slack.event(event, event_id="Ev0001") == 200
    assert await slack.event(event, event_id="Ev0001", retry=1) == 200
    await slack.settle()

    assert [m.body for m in slack.ticket(number).messages].count("Reenvie a nota, por favor.") == 1
    assert len([m for m in slack.dm() if "Reenvie a nota" in m.all_text]) == 1
    assert len(slack.fake.reactions) == 1


async def test_retry_racing_the_first_delivery_is_still_handled_once(slack: SlackWorkspace) -> None:
    import asyncio

    number = slack.open_ticket()
    await slack.settle()
    root = slack.card(number)
    said = slack.fake.add_message(CHANNEL, "Teste agora.", ANA, thread_ts=root.ts)
    event = message_event(ANA, CHANNEL, said.text, ts=said.ts, thread_ts=root.ts)

    await asyncio.gather(slack.event(event, event_id="Ev0002"), slack.event(event, event_id="Ev0002", retry=1))
    await slack.settle()

    assert [m.body for m in slack.ticket(number).messages].count("Teste agora.") == 1


async def test_retried_dm_event_is_handled_once(slack: SlackWorkspace) -> None:
    slack.link_client()

    assert await slack.client_says(PAULA, "esqueci minha senha", event_id="EvDM1") == 200
    await slack.settle()
    first = len(slack.dm())
    assert await slack.post(event_body(message_event(PAULA, slack.fake.dm_channel(PAULA), "esqueci minha senha",
                                                     channel_type="im"), event_id="EvDM1"), retry=2) == 200
    await slack.settle()

    assert first >= 1 and len(slack.dm()) == first


async def test_url_verification_handshake_is_answered(slack: SlackWorkspace) -> None:
    from tests.fakes.slack import apost_signed, url_verification_body

    status, text = await apost_signed(slack.url, url_verification_body("desafio-123"), SECRET)

    assert status == 200 and "desafio-123" in text


async def test_without_a_signing_secret_every_request_is_refused(slack_factory: SlackFactory) -> None:
    slack = await slack_factory(slack_signing_secret=None)
    body = event_body(message_event(PAULA, slack.fake.dm_channel(PAULA), "oi", channel_type="im"))

    assert await slack.post_with(body, unsigned_headers(body)) == 401
    assert await slack.post(body) == 401
    await slack.settle()
    assert slack.dm() == []
