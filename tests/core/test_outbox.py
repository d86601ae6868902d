"""The outbox and its dispatcher: retries, ordering, crash recovery, parallel dispatchers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.outbox import Deliverer, OutboxDispatcher, OutboxItem, RetryLater, Undeliverable, enqueue, pending_count
from core.store.db import Database
from core.store.orm import OutboxMessage
from tests.conftest import Clock


class Flaky:
    """Fails ``failures`` times, then records deliveries."""

    def __init__(self, failures: int = 0, delay: float = 0.0) -> None:
        self.failures = failures
        self.delay = delay
        self.delivered: list[str] = []

    async def deliver(self, item: OutboxItem) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures > 0:
            self.failures -= 1
            raise RetryLater("platform down")
        self.delivered.append(item.key)


def fill(db: Database, count: int, *, streams: int = 1, clock: Clock | None = None) -> None:
    with db.session() as session:
        for i in range(count):
            enqueue(session, key=f"k{i}", platform="fake", audience="client", kind="reply",
                    address=f"chat{i % streams}", stream=f"s{i % streams}", payload={"i": i},
                    now=clock() if clock else None)
        session.commit()


def statuses(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(session.scalars(select(OutboxMessage.status)))


def test_adapter_failing_three_times_then_succeeding_delivers_once(database: Database, clock: Clock) -> None:
    fill(database, 1, clock=clock)
    flaky = Flaky(failures=3)
    dispatcher = OutboxDispatcher(database, {"fake": flaky}, clock=clock, base_backoff=1)
    for expected_wait in (1, 2, 4):
        asyncio.run(dispatcher.run_once())
        assert flaky.delivered == []
        assert asyncio.run(dispatcher.run_once()) == 0  # not due yet: exponential backoff
        clock.advance(seconds=expected_wait)
    asyncio.run(dispatcher.run_once())
    assert flaky.delivered == ["k0"]
    asyncio.run(dispatcher.drain())
    assert flaky.delivered == ["k0"]
    with database.session() as s:
        row = s.scalars(select(OutboxMessage)).one()
    assert (row.status, row.attempts) == ("DELIVERED", 4)


def test_rows_of_one_stream_go_out_in_order_even_after_failures(database: Database, clock: Clock) -> None:
    fill(database, 6, streams=2, clock=clock)
    flaky = Flaky(failures=1)
    dispatcher = OutboxDispatcher(database, {"fake": flaky}, clock=clock, base_backoff=0)
    asyncio.run(dispatcher.drain())
    asyncio.run(dispatcher.drain())
    assert sorted(flaky.delivered) == [f"k{i}" for i in range(6)]
    for stream in ("0", "1"):
        keys = [k for k in flaky.delivered if int(k[1:]) % 2 == int(stream)]
        assert keys == sorted(keys, key=lambda k: int(k[1:]))


def test_retry_after_is_honoured(database: Database, clock: Clock) -> None:
    fill(database, 1, clock=clock)

    class RateLimited:
        calls = 0

        async def deliver(self, item: OutboxItem) -> None:
            self.calls += 1
            if self.calls == 1:
                raise RetryLater("429", after=30)

    deliverer = RateLimited()
    dispatcher = OutboxDispatcher(database, {"fake": deliverer}, clock=clock)
    asyncio.run(dispatcher.run_once())
    clock.advance(seconds=29)
    assert asyncio.run(dispatcher.run_once()) == 0
    clock.advance(seconds=2)
    assert asyncio.run(dispatcher.run_once()) == 1


def test_undeliverable_is_marked_failed_and_not_retried(database: Database, clock: Clock) -> None:
    fill(database, 2, clock=clock)
    failed: list[str] = []

    class Blocked:
        async def deliver(self, item: OutboxItem) -> None:
            raise Undeliverable("Forbidden: bot was blocked by the user")

    dispatcher = OutboxDispatcher(database, {"fake": Blocked()}, clock=clock,
                                  on_failed=lambda item, reason: failed.append(item.key))
    asyncio.run(dispatcher.drain())
    clock.advance(hours=1)
    asyncio.run(dispatcher.drain())
    assert failed == ["k0", "k1"]
    assert statuses(database) == Counter({"FAILED": 2})


def test_same_idempotency_key_is_enqueued_once(database: Database) -> None:
    with database.session() as session:
        assert enqueue(session, key="same", platform="fake", audience="client", kind="x", payload={})
        session.flush()
        assert enqueue(session, key="same", platform="fake", audience="client", kind="x", payload={}) is None
        session.commit()
    assert pending_count(database) == 1


def test_dispatcher_killed_mid_batch_resumes_after_the_lease(database: Database, clock: Clock) -> None:
    fill(database, 5, streams=5, clock=clock)
    crashed = OutboxDispatcher(database, {"fake": Flaky()}, clock=clock, lease=timedelta(seconds=60),
                               worker_id="dead")
    claimed = crashed.claim_batch()  # ... and the process dies before delivering anything
    assert len(claimed) == 5
    survivor_sink = Flaky()
    survivor = OutboxDispatcher(database, {"fake": survivor_sink}, clock=clock, worker_id="alive")
    assert asyncio.run(survivor.drain()) == 0  # leased by the dead worker
    clock.advance(seconds=61)
    assert asyncio.run(survivor.drain()) == 5
    assert sorted(survivor_sink.delivered) == [f"k{i}" for i in range(5)]


def test_crash_between_sending_and_marking_sends_at_most_one_duplicate_with_the_same_key(
        database: Database, clock: Clock) -> None:
    fill(database, 1, clock=clock)
    sent: list[str] = []

    class CrashAfterSend:
        async def deliver(self, item: OutboxItem) -> None:
            sent.append(item.key)
            raise SystemExit  # the process dies after the platform accepted the message

    dying = OutboxDispatcher(database, {"fake": CrashAfterSend()}, clock=clock, worker_id="dying")
    with pytest.raises(SystemExit):
        asyncio.run(dying.run_once())
    clock.advance(seconds=61)
    sink = Flaky()
    asyncio.run(OutboxDispatcher(database, {"fake": sink}, clock=clock).drain())
    assert sent + sink.delivered == ["k0", "k0"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_dispatchers_on_postgresql_deliver_200_rows_exactly_once(database: Database) -> None:
    fill(database, 200, streams=40)
    sinks = [Flaky(delay=0.001), Flaky(delay=0.001)]
    big = Database(database.url, pool_size=10)

    async def both() -> None:
        dispatchers = [OutboxDispatcher(big, {"fake": sink}, batch_size=10, worker_id=f"w{i}")
                       for i, sink in enumerate(sinks)]
        await asyncio.gather(*(d.drain() for d in dispatchers))

    asyncio.run(both())
    big.dispose()
    delivered = sinks[0].delivered + sinks[1].delivered
    assert len(delivered) == 200 and len(set(delivered)) == 200
    assert sinks[0].delivered and sinks[1].delivered  # both did work
    assert statuses(database) == Counter({"DELIVERED": 200})


def test_run_forever_stops_cleanly(database: Database) -> None:
    fill(database, 3, streams=3)
    sink = Flaky()
    dispatcher = OutboxDispatcher(database, {"fake": sink})

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run_forever(stop, idle_interval=0.05))
        for _ in range(100):
            if len(sink.delivered) == 3:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(run())
    assert len(sink.delivered) == 3


_ = Deliverer
