"""The outbox over Slack's Web API: rate limits, outages and chats that are gone."""

from __future__ import annotations

from core.outbox import FAILED, PENDING
from core.store.orm import OutboxMessage
from tests.slack.conftest import ANA, CHANNEL, PAULA, SlackWorkspace


async def test_rate_limited_post_is_retried_after_retry_after_and_delivered_once(slack: SlackWorkspace) -> None:
    slack.fake.rate_limit_next("chat.postMessage", retry_after=30)
    number = slack.open_ticket()

    await slack.settle()

    (row,) = slack.pending_rows()
    assert row.kind == "ticket_opened" and row.attempts == 1 and "rate limit" in (row.last_error or "")
    assert slack.fake.messages(CHANNEL) == []
    slack.later(31)

    await slack.settle()

    cards = [m for m in slack.fake.messages(CHANNEL) if m.thread_ts is None]
    assert [m.ts for m in cards] == [slack.card(number).ts]
    posts = [c for c in slack.fake.calls_to("chat.postMessage") if "thread_ts" not in c]
    assert len(posts) == 2  # the 429, then the card
    assert slack.pending_rows() == []


async def test_server_error_is_retried_later(slack: SlackWorkspace) -> None:
    slack.fake.fail_next("chat.postMessage", status=503)
    number = slack.open_ticket()
    await slack.settle()
    assert slack.count(OutboxMessage, OutboxMessage.status == PENDING) == 1

    slack.later(5)
    await slack.settle()

    assert slack.card(number).text.startswith(f"Chamado {number}")


async def test_slack_being_unreachable_is_retried_later(slack: SlackWorkspace) -> None:
    slack.fake.go_down()
    number = slack.open_ticket()
    await slack.settle()
    assert slack.count(OutboxMessage, OutboxMessage.status == PENDING) == 1

    slack.fake.come_back()
    slack.later(5)
    await slack.settle()

    assert slack.card(number)


async def test_a_client_dm_that_is_gone_fails_for_good_and_the_analysts_are_told(slack: SlackWorkspace) -> None:
    number = slack.open_ticket(origin_chat="DGONE")
    await slack.settle()

    await slack.analyst_says(ANA, number, "Pode testar?")
    await slack.settle()

    assert slack.count(OutboxMessage, OutboxMessage.status == FAILED) == 1
    assert "Não consegui entregar" in slack.thread_text(number)
    assert slack.fake.reactions == []  # nothing to confirm


async def test_long_reply_to_the_client_is_split_within_slacks_limits(slack: SlackWorkspace) -> None:
    number = slack.open_ticket()
    await slack.settle()

    await slack.analyst_says(ANA, number, "passo a passo: " + "abra o menu Fiscal e confira o CFOP; " * 300)
    await slack.settle()

    reply = slack.last_dm(PAULA)
    sections = [b for b in reply.blocks or [] if b["type"] == "section"]
    assert len(sections) >= 4 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert len(reply.text) <= 3000
    assert [b.text for b in reply.buttons] == ["Resolvido", "Ainda não"]
