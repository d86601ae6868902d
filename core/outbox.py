"""The outbox: every notification is a row written with the change that caused it.

``enqueue`` adds a row inside the caller's transaction. ``OutboxDispatcher``
claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
dispatchers can run side by side), hands each to the ``Deliverer`` registered
for its platform, and marks it delivered. Rows of one stream (one chat, one
ticket thread) go out strictly in order: a row waits while an earlier row of
its stream is pending. A failing platform only delays delivery (exponential
backoff, ``RetryAfter`` honoured); a crash between sending and marking sends
the row once more, with the same idempotency key. A database outage only
pauses the dispatcher: a failed claim is tried again, and the outcome of a
delivery already made is written as soon as the database answers again (within
the lease), so the row is not sent a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased

from core.store.db import Database, is_transient, retry_transient
from core.store.orm import OutboxMessage

log = logging.getLogger(__name__)

PENDING = "PENDING"
DELIVERED = "DELIVERED"
FAILED = "FAILED"

CLIENT = "client"
ANALYSTS = "analysts"
EMAIL = "email"


def utcnow() -> datetime:
    return datetime.now(UTC)


def enqueue(
    session: Session,
    *,
    key: str,
    platform: str,
    audience: str,
    kind: str,
    payload: Mapping[str, Any],
    address: str | None = None,
    stream: str | None = None,
    ticket_id: int | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Add one notification to the caller's transaction (nothing if ``key`` exists)."""
    already = session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))
    if already is not None:
        return None
    moment = now or utcnow()
    row = OutboxMessage(
        idempotency_key=key,
        platform=platform,
        audience=audience,
        address=address,
        kind=kind,
        stream=stream or f"{platform}:{audience}:{address or ticket_id or key}",
        ticket_id=ticket_id,
        payload=dict(payload),
        status=PENDING,
        attempts=0,
        next_attempt_at=moment,
        created_at=moment,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class OutboxItem:
    """What a deliverer gets: a detached copy of one outbox row."""

    id: int
    key: str
    platform: str
    audience: str
    address: str | None
    kind: str
    ticket_id: int | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


class RetryLater(Exception):
    """A temporary failure: try again later (after ``after`` seconds if given)."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Undeliverable(Exception):
    """A permanent failure (the user blocked the bot, the chat is gone)."""


class Deliverer(Protocol):
    """Sends outbox items of one platform. Raise RetryLater or Undeliverable on failure."""

    async def deliver(self, item: OutboxItem) -> None: ...


@dataclass
class DispatchStats:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    # The most recent delivery latencies only: a long-running service must not grow without bound.
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))


class OutboxDispatcher:
    """Delivers due outbox rows through the registered deliverers."""

    def __init__(
        self,
        db: Database,
        deliverers: Mapping[str, Deliverer],
        *,
        worker_id: str | None = None,
        batch_size: int = 50,
        lease: timedelta = timedelta(seconds=60),
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        clock: Callable[[], datetime] = utcnow,
        on_failed: Callable[[OutboxItem, str], None] | None = None,
        on_delivered: Callable[[OutboxItem], None] | None = None,
        audience: str | None = None,
        address: str | None = None,
        concurrency: int = 1,
    ) -> None:
        self.db = db
        self.deliverers = dict(deliverers)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self.lease = lease
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self.on_failed = on_failed
        self.on_delivered = on_delivered
        self.audience = audience
        self.address = address
        # Rows of one batch belong to different streams (at most one per stream), so
        # they may go out side by side without breaking any stream's order.
        self.concurrency = max(1, concurrency)
        self.stats = DispatchStats()
        self.wakeup = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- claiming -----------------------------------------------------------

    def claim_batch(self) -> list[OutboxItem]:
        """Lease up to ``batch_size`` due rows, at most one per stream, oldest first."""
        now = self.clock()
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            and_(
                earlier.stream == OutboxMessage.stream,
                earlier.id < OutboxMessage.id,
                earlier.status == PENDING,
            )
        )
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == PENDING,
                OutboxMessage.platform.in_(list(self.deliverers)),
                OutboxMessage.next_attempt_at <= now,
                (OutboxMessage.locked_until.is_(None)) | (OutboxMessage.locked_until < now),
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(self.batch_size)
        )
        if self.audience is not None:
            query = query.where(OutboxMessage.audience == self.audience)
        if self.address is not None:
            query = query.where(OutboxMessage.address == self.address)
        with self.db.uow() as uow:
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True, of=OutboxMessage)
            rows = list(uow.session.scalars(query))
            items = []
            for row in rows:
                row.locked_by = self.worker_id
                row.locked_until = now + self.lease
                items.append(
                    OutboxItem(
                        id=row.id,
                        key=row.idempotency_key,
                        platform=row.platform,
                        audience=row.audience,
                        address=row.address,
                        kind=row.kind,
                        ticket_id=row.ticket_id,
                        payload=dict(row.payload or {}),
                        attempts=row.attempts,
                        created_at=row.created_at,
                    )
                )
            uow.commit()
        return items

    # --- outcomes -------------------------------------------------------------

    def _finish(self, item: OutboxItem, **values: Any) -> None:
        with self.db.uow() as uow:
            uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == item.id, OutboxMessage.locked_by == self.worker_id)
                .values(locked_by=None, locked_until=None, **values)
            )
            uow.commit()

    async def _record(self, item: OutboxItem, **values: Any) -> bool:
        """Write a delivery's outcome, waiting out a database outage for up to the lease.

        Giving up leaves the row leased: once the lease ends it is claimed and sent
        again (the at-least-once fallback), so this tries hard not to give up.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lease.total_seconds()
        delay = 0.2
        while True:
            try:
                await asyncio.to_thread(self._finish, item, **values)
                return True
            except Exception as exc:
                if not is_transient(exc) or loop.time() + delay >= deadline:
                    log.error("outbox outcome not recorded; the row will be retried after its lease",
                              extra={"outbox_id": item.id, "error": type(exc).__name__})
                    return False
                log.warning("database unavailable; recording the outbox outcome again shortly",
                            extra={"outbox_id": item.id, "error": type(exc).__name__, "delay": delay})
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)

    async def _hook(self, hook: Callable[..., None], *args: Any) -> None:
        """Run an after-delivery hook in a thread; its database work survives a short outage."""
        try:
            await asyncio.to_thread(retry_transient, lambda: hook(*args),
                                    budget=min(30.0, self.lease.total_seconds()))
        except Exception:
            log.exception("outbox hook failed", extra={"outbox_id": args[0].id if args else None})

    def backoff(self, attempts: int) -> float:
        return float(min(self.max_backoff, self.base_backoff * (2 ** max(0, attempts - 1))))

    async def _deliver_one(self, item: OutboxItem) -> bool:
        deliverer = self.deliverers[item.platform]
        try:
            await deliverer.deliver(item)
        except RetryLater as exc:
            attempts = item.attempts + 1
            delay = exc.after if exc.after is not None else self.backoff(attempts)
            log.warning(
                "outbox delivery deferred",
                extra={"outbox_id": item.id, "kind": item.kind, "platform": item.platform,
                       "attempts": attempts, "delay": delay, "reason": str(exc)[:200]},
            )
            await self._record(
                item, attempts=attempts, last_error=str(exc)[:1000],
                next_attempt_at=self.clock() + timedelta(seconds=delay),
            )
            self.stats.retried += 1
            return False
        except Undeliverable as exc:
            log.error(
                "outbox delivery failed for good",
                extra={"outbox_id": item.id, "kind": item.kind, "platform": item.platform,
                       "reason": str(exc)[:200]},
            )
            recorded = await self._record(
                item, status=FAILED, attempts=item.attempts + 1, last_error=str(exc)[:1000],
            )
            self.stats.failed += 1
            if recorded and self.on_failed is not None:
                await self._hook(self.on_failed, item, str(exc))
            return False
        except Exception as exc:  # an unexpected bug in a deliverer must not stop the loop
            if is_transient(exc):  # the deliverer's own database reads: the database is away
                log.warning("outbox delivery deferred: database unavailable",
                            extra={"outbox_id": item.id, "error": type(exc).__name__})
            else:
                log.exception("outbox deliverer crashed", extra={"outbox_id": item.id})
            attempts = item.attempts + 1
            await self._record(
                item, attempts=attempts, last_error=repr(exc)[:1000],
                next_attempt_at=self.clock() + timedelta(seconds=self.backoff(attempts)),
            )
            self.stats.retried += 1
            return False
        now = self.clock()
        recorded = await self._record(
            item, status=DELIVERED, attempts=item.attempts + 1, delivered_at=now, last_error=None,
        )
        self.stats.delivered += 1
        self.stats.latencies.append((now - item.created_at).total_seconds())
        if recorded and self.on_delivered is not None:
            await self._hook(self.on_delivered, item)
        return True

    async def _deliver_safely(self, item: OutboxItem) -> bool:
        try:
            return await self._deliver_one(item)
        except Exception:  # nothing may stop the loop; the row's lease brings it back
            log.exception("outbox delivery crashed", extra={"outbox_id": item.id})
            return False

    async def deliver_batch(self, items: Sequence[OutboxItem]) -> int:
        """Deliver claimed rows (side by side up to ``concurrency``); returns how many went out."""
        if self.concurrency <= 1 or len(items) <= 1:
            delivered = 0
            for item in items:
                if await self._deliver_safely(item):
                    delivered += 1
            return delivered
        gate = asyncio.Semaphore(self.concurrency)

        async def one(item: OutboxItem) -> bool:
            async with gate:
                return await self._deliver_safely(item)

        return sum(await asyncio.gather(*(one(item) for item in items)))

    async def run_once(self) -> int:
        """Deliver one batch; returns how many rows were delivered."""
        items = await asyncio.to_thread(self.claim_batch)
        return await self.deliver_batch(items)

    async def drain(self, max_rounds: int = 1000) -> int:
        """Deliver until nothing is due (tests and shutdown use this)."""
        total = 0
        for _ in range(max_rounds):
            items = await asyncio.to_thread(self.claim_batch)
            if not items:
                break
            total += await self.deliver_batch(items)
        return total

    def notify(self) -> None:
        """Wake the loop now (called after a commit that enqueued rows; any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.wakeup.set()
        else:
            loop.call_soon_threadsafe(self.wakeup.set)

    async def run_forever(self, stop: asyncio.Event, idle_interval: float = 1.0) -> None:
        """Deliver batches until ``stop`` is set; finishes the batch in hand first."""
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                items = await asyncio.to_thread(self.claim_batch)
            except Exception as exc:
                if is_transient(exc):
                    log.warning("outbox claim failed: database unavailable; retrying",
                                extra={"error": type(exc).__name__})
                else:
                    log.exception("outbox claim failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_interval)
                continue
            await self.deliver_batch(items)
            if items:
                continue
            self.wakeup.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wakeup.wait())]
            await asyncio.wait(waiters, timeout=idle_interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()


def pending_count(db: Database) -> int:
    from sqlalchemy import func

    with db.session() as session:
        return int(
            session.scalar(select(func.count()).where(OutboxMessage.status == PENDING)) or 0
        )
