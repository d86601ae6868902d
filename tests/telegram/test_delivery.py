"""Outbox delivery through the Bot API: rate limits, outages and blocked clients."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.outbox import CLIENT, DELIVERED, FAILED, PENDING, OutboxItem
from core.store.orm import OutboxMessage
from tests.telegram.conftest import ANA, PAULA, Harness

# PTB itself warns about RetryAfter.retry_after's future type while building the exception.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def rows(tg: Harness, kind: str, audience: str = CLIENT) -> list[OutboxMessage]:
    with tg.desk.db.session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind,
                                                                OutboxMessage.audience == audience)
                                    .order_by(OutboxMessage.id)))


class TestRetries:
    async def test_a_429_goes_back_to_the_outbox_and_is_delivered_once_after_retry_after(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        tg.fake.rate_limit_next("sendMessage", retry_after=3)
        await tg.analyst_says(ANA, number, "Pode testar de novo?")
        await tg.deliver()
        [row] = rows(tg, "analyst_reply")[-1:]
        assert (row.status, row.attempts) == (PENDING, 1)
        assert "rate limited" in (row.last_error or "")
        assert not any("Pode testar" in text for text in tg.texts(PAULA))
        await tg.deliver()  # retry_after has not passed: nothing is sent
        assert not any("Pode testar" in text for text in tg.texts(PAULA))
        tg.advance(seconds=4)
        await tg.deliver()
        assert sum("Pode testar de novo?" in text for text in tg.texts(PAULA)) == 1
        assert rows(tg, "analyst_reply")[-1].status == DELIVERED
        statuses = [c.status for c in tg.fake.calls if c.method == "sendMessage" and c.params["chat_id"] == PAULA]
        assert statuses[-2:] == [429, 200]

    async def test_a_server_error_is_retried_later(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        tg.fake.fail_next("sendMessage", status=502)
        await tg.analyst_says(ANA, number, "Estamos verificando.")
        await tg.deliver()
        assert rows(tg, "analyst_reply")[-1].status == PENDING
        tg.advance(seconds=5)
        await tg.deliver()
        assert sum("Estamos verificando." in text for text in tg.texts(PAULA)) == 1
        assert rows(tg, "analyst_reply")[-1].status == DELIVERED


class TestBlockedClient:
    async def test_a_client_who_blocked_the_bot_fails_the_row_and_the_analysts_are_told(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        tg.fake.block_user(PAULA)
        await tg.analyst_says(ANA, number, "Conseguiu testar?")
        await tg.deliver()
        [row] = rows(tg, "analyst_reply")
        assert (row.status, row.attempts) == (FAILED, 1)
        assert "blocked" in (row.last_error or "")
        assert tg.thread_texts(number)[-1].startswith(
            f"⚠️ Não consegui entregar mensagens ao cliente do chamado {number}")
        tg.advance(seconds=600)
        await tg.deliver()  # no endless retry
        assert rows(tg, "analyst_reply")[0].attempts == 1
        assert len([c for c in tg.fake.calls if c.method == "sendMessage" and c.params["chat_id"] == PAULA
                    and c.status == 403]) == 1


class TestIdempotence:
    async def test_showing_a_pressed_button_again_is_harmless(self, tg: Harness) -> None:
        await tg.client_says(PAULA, "esqueci minha senha")
        await tg.deliver()
        await tg.press(PAULA, "Sim")
        await tg.deliver()
        [row] = rows(tg, "button_pressed")
        item = OutboxItem(row.id, row.idempotency_key, row.platform, row.audience, row.address, row.kind,
                          row.ticket_id, dict(row.payload), row.attempts, row.created_at)
        await tg.bot.deliverer.deliver(item)  # the dispatcher crashed before marking it: sent again
        assert [e.method for e in tg.fake.edits] == ["editMessageText"]
