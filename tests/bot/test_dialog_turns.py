"""One incoming, one unit of work: deliveries racing on several workers are handled once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.messages import Incoming, Reply
from core.store.conversations import begin_turn, mark_processed
from core.store.orm import Conversation, FaqQuestion, OutboxMessage
from tests.bot.conftest import Harness

WORKERS = 4


def handle_at_once(harness: Harness, incomings: list[Incoming]) -> list[list[Reply]]:
    barrier = threading.Barrier(len(incomings))

    def run(incoming: Incoming) -> list[Reply]:
        barrier.wait()
        return harness.dialog.handle(incoming)

    with ThreadPoolExecutor(max_workers=len(incomings)) as pool:
        return list(pool.map(run, incomings))


def count(harness: Harness, table: type) -> int:
    with harness.desk.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_one_delivery_on_several_workers_at_once_is_answered_once(harness: Harness) -> None:
    harness.client("paula@prata.example")
    incoming = Incoming(platform="test", user_id="paula@prata.example", chat_id="paula@prata.example",
                        text="como abro um chamado", message_id="race-1", update_key="race-1")
    results = handle_at_once(harness, [incoming] * WORKERS)
    assert sum(1 for replies in results if replies) == 1
    assert count(harness, FaqQuestion) == 1
    assert count(harness, OutboxMessage) == 1


def test_first_messages_of_a_new_user_racing_make_one_conversation(harness: Harness) -> None:
    incomings = [Incoming(platform="test", user_id="new-user", chat_id="new-user", text=f"oi {i}",
                          message_id=f"first-{i}", update_key=f"first-{i}") for i in range(WORKERS)]
    results = handle_at_once(harness, incomings)
    assert all(results)
    assert count(harness, Conversation) == 1


def test_a_delivery_marked_processed_begins_no_turn(harness: Harness) -> None:
    now = harness.desk.clock()
    with harness.desk.uow() as uow:
        assert begin_turn(uow.session, platform="test", user_id="u", chat_id="c", update_key="k",
                          now=now) is not None
        mark_processed(uow.session, "test", "k", now)
        uow.commit()
    with harness.desk.uow() as uow:
        assert begin_turn(uow.session, platform="test", user_id="u", chat_id="c", update_key="k",
                          now=now) is None
