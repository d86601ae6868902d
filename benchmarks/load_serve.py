"""``chamado serve`` under load: ``python -m benchmarks.load_serve [--clients 1000] [--minutes 10]``.

Two real ``chamado serve --telegram --webhook`` processes share one PostgreSQL
database (a fresh ``chamado_load`` on 127.0.0.1:5432 by default, created with
``chamado init --demo``, dropped at the end unless ``--keep``). A fake Telegram
Bot API server (``tests/fakes/telegram/``, in this process) receives
what the workers send; this process plays the clients *and* the load balancer:
it POSTs each update, with the webhook secret, to the workers in turn.

Setup (not timed): organizations with a signed acceptance term, one project
manager per simulated client linked to a Telegram user; a share of the clients
(``--ticket-share``) has an open ticket, posted to the analysts' forum group by
the workers before the clock starts.

Then every client talks at once, one message at a time: clients with a ticket
write follow-ups (stored on the ticket, relayed to its topic, acknowledged to
the client), the others ask FAQ questions the bot answers with one message.
A message's latency runs from POSTing its update to the fake recording the
reply in the client's chat. A message with no reply within ``--timeout`` is
lost (and its client stops); the run stops sending after ``--minutes``.
Errors are webhook answers other than 200 and refused connections (the update
is POSTed again, like Telegram would). Afterwards the database is checked:
every update handled once, every outbox row delivered, no reply sent twice.
Rate limiting towards Telegram is off (``TELEGRAM_RATE_LIMIT=false``): this
measures chamado, not Telegram's flood limits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.telegram_e2e import (
    FIRST_USER,
    FOLLOW_UPS,
    TimedFakeTelegram,
    create_clients,
    faq_questions,
    percentile,
)
from chamado.app import build_dialog, build_helpdesk
from chamado.settings import Settings
from core.store.db import Database
from tests.fakes.telegram import updates as u

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/chamado_load"
ANALYSTS_CHAT = -1001000000778
SECRET = "load-webhook-s3cret"
CHAMADO = str(Path(sys.executable).with_name("chamado"))


# --- the fake, seen from a load balancer --------------------------------------------------------


class LoadFake(TimedFakeTelegram):
    def absorb(self, update: dict[str, Any]) -> int:
        with self._changed:
            return self._absorb_update(update)


# --- the database and the workers -------------------------------------------------------------


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    assert name and name != "postgres", "give a database of its own (it is dropped and created)"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                     {"n": parsed.database})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
    admin.dispose()


def base_env() -> dict[str, str]:
    drop = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("TELEGRAM_", "SLACK_"))}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Worker:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def start_workers(count: int, url: str, fake: LoadFake, folder: Path) -> list[Worker]:
    ports = [free_port() for _ in range(count)]
    hook = f"http://127.0.0.1:{ports[0]}/telegram/webhook"  # where "Telegram" itself would post
    workers = []
    for index, port in enumerate(ports):
        env = {**base_env(), "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": fake.token,
               "TELEGRAM_API_BASE_URL": fake.url, "TELEGRAM_ANALYSTS_CHAT_ID": str(ANALYSTS_CHAT),
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_RATE_LIMIT": "false", "ANALYST_DESKS": "telegram",
               "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), "FLOOD_MAX_MESSAGES": "1000000",
               "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING"}
        log = folder / f"worker{index}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([CHAMADO, "serve", "--telegram", "--webhook", hook], env=env, cwd=folder,
                                    stdout=out, stderr=subprocess.STDOUT)
        workers.append(Worker(port, proc, log))
    deadline = time.monotonic() + 60
    for worker in workers:
        while not worker.healthy():
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker on port {worker.port} did not start:\n{worker.log.read_text()[-2000:]}")
            time.sleep(0.1)
    return workers


def stop_workers(workers: list[Worker], timeout: float = 30.0) -> list[int | None]:
    for worker in workers:
        if worker.proc.poll() is None:
            worker.proc.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for worker in workers:
        try:
            codes.append(worker.proc.wait(timeout))
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            codes.append(None)
    return codes


# --- the clients ----------------------------------------------------------------------------------


@dataclass
class Stats:
    sent: int = 0
    answered: int = 0
    lost: int = 0
    errors: int = 0
    posts: list[int] = field(default_factory=lambda: [0, 0])
    latencies: list[float] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    sent_by: dict[int, int] = field(default_factory=dict)


class Balancer:
    """Round-robin over the workers; a refused or failed POST goes to the next one."""

    def __init__(self, http: aiohttp.ClientSession, workers: list[Worker], stats: Stats) -> None:
        self.http = http
        self.workers = workers
        self.stats = stats
        self.turn = itertools.count()

    async def post(self, update: dict[str, Any], deadline: float) -> bool:
        while time.perf_counter() < deadline:
            index = next(self.turn) % len(self.workers)
            self.stats.posts[index] += 1
            try:
                async with self.http.post(self.workers[index].webhook, json=update,
                                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                    await response.read()
                    if response.status == 200:
                        return True
            except (aiohttp.ClientError, TimeoutError, OSError):
                pass
            self.stats.errors += 1
            await asyncio.sleep(0.2)
        return False


async def converse(user_id: int, ticket: bool, planned: int, fake: LoadFake, balancer: Balancer,
                   questions: list[str], rng: random.Random, stats: Stats, timeout: float, think: float,
                   stop_at: float) -> None:
    for n in range(planned):
        if think > 0:
            await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, stop_at - time.perf_counter())))
        if time.perf_counter() >= stop_at:
            return  # time is up: no new message (the ones under way are still awaited)
        body = f"{rng.choice(FOLLOW_UPS)} ({n})" if ticket else rng.choice(questions)
        update = u.text_message(user_id, body, first_name=f"Gerente{user_id - FIRST_USER}")
        fake.absorb(update)
        event = fake.watch(user_id)
        started = time.perf_counter()
        deadline = started + timeout
        stats.sent += 1
        stats.sent_by[user_id] = stats.sent_by.get(user_id, 0) + 1
        stats.update_ids.append(update["update_id"])
        if not await balancer.post(update, deadline):
            stats.lost += 1
            return
        while len(fake.arrived(user_id)) < n + 1:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                stats.lost += 1
                return  # lost: this client stops here
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            event.clear()
        stats.latencies.append(fake.arrived(user_id)[n] - started)
        stats.answered += 1


# --- the run ----------------------------------------------------------------------------------------


def check_database(url: str, update_ids: list[int]) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        statuses: dict[str, int] = {row[0]: row[1] for row in conn.execute(
            text("SELECT status, count(*) FROM outbox GROUP BY status"))}
        processed = {row[0] for row in conn.execute(text(
            "SELECT update_key FROM processed_updates WHERE platform = 'telegram'"))}
        retried = conn.execute(text("SELECT count(*) FROM outbox WHERE attempts > 1")).scalar() or 0
        replies = conn.execute(text("SELECT count(*) FROM outbox WHERE kind = 'reply'")).scalar() or 0
    engine.dispose()
    return {"delivered": statuses.get("DELIVERED", 0), "pending": statuses.get("PENDING", 0),
            "failed": statuses.get("FAILED", 0), "retried": int(retried), "replies": int(replies),
            "unhandled": sum(1 for uid in update_ids if str(uid) not in processed)}


async def run(args: argparse.Namespace, console: Console) -> int:
    rng = random.Random(args.seed)
    url = args.database_url
    folder = Path(tempfile.mkdtemp(prefix="chamado-load-"))
    fake = LoadFake()
    fake.start()
    workers: list[Worker] = []
    try:
        fake.add_group(ANALYSTS_CHAT, "Suporte (carga)", is_forum=True)
        with console.status("setting up: database, chamado init --demo, clients, tickets"):
            fresh_database(url)
            done = subprocess.run([CHAMADO, "init", "--demo"], env={**base_env(), "DATABASE_URL": url},
                                  cwd=folder, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            settings = Settings(database_url=url, analyst_desks=["telegram"])
            desk = build_helpdesk(settings, Database(url))
            clients = create_clients(desk, fake, args.clients)
            with_ticket = set()
            for client in rng.sample(clients, round(len(clients) * args.ticket_share)):
                desk.open_ticket(contact_id=client.contact_id, subject="Erro ao gravar nota de entrada",
                                 module="Fiscal", criticality="MEDIA", description="Falha ao gravar.",
                                 origin_platform="telegram", origin_chat=str(client.user_id))
                with_ticket.add(client.user_id)
            questions = faq_questions(build_dialog(settings, desk))  # type: ignore[arg-type]
            desk.db.dispose()
        with console.status(f"starting {args.workers} workers; they post the open tickets to the group"):
            workers = await asyncio.to_thread(start_workers, args.workers, url, fake, folder)
            engine = create_engine(url)
            while True:
                with engine.connect() as conn:
                    if not conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'PENDING'")).scalar():
                        break
                await asyncio.sleep(0.5)
            engine.dispose()
        stats = Stats()
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=args.timeout)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            balancer = Balancer(http, workers, stats)
            with console.status(f"{args.clients} clients, {args.messages} messages each, "
                                f"at most {args.minutes} min"):
                started = time.perf_counter()
                stop_at = started + args.minutes * 60
                await asyncio.gather(*(
                    converse(c.user_id, c.user_id in with_ticket, args.messages, fake, balancer, questions,
                             random.Random(rng.random()), stats, args.timeout, args.think, stop_at)
                    for c in clients))
                finished = max((fake.arrived(c.user_id)[-1] for c in clients if fake.arrived(c.user_id)),
                               default=started)
        with console.status("letting the outbox drain, then stopping the workers"):
            engine = create_engine(url)
            drain_deadline = time.monotonic() + 60
            while time.monotonic() < drain_deadline:
                with engine.connect() as conn:
                    if not conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'PENDING'")).scalar():
                        break
                await asyncio.sleep(0.5)
            engine.dispose()
            await asyncio.sleep(0.5)  # anything still in flight lands in the fake's records
            codes = await asyncio.to_thread(stop_workers, workers)
        checked = check_database(url, stats.update_ids)
        # Each message gets exactly one reply in its chat: anything beyond is a duplicate.
        extra = sum(max(0, len(fake.arrived(c.user_id)) - stats.sent_by.get(c.user_id, 0)) for c in clients)
        seconds = finished - started
        report(console, args, stats, checked, seconds, extra, codes)
        lost = stats.lost + checked["unhandled"]
        return 0 if lost == 0 and extra == 0 and checked["failed"] == 0 and all(c == 0 for c in codes) else 1
    finally:
        for worker in workers:
            if worker.proc.poll() is None:
                worker.proc.kill()
        fake.stop()
        if not args.keep:
            with contextlib.suppress(Exception):
                drop_database(url)
        logging.getLogger(__name__).info("worker logs in %s", folder)


def report(console: Console, args: argparse.Namespace, stats: Stats, checked: dict[str, int], seconds: float,
           extra: int, codes: list[int | None]) -> None:
    table = Table(title=f"chamado serve under load: {args.workers} workers, one PostgreSQL database, fake Telegram")
    table.add_column("measure")
    table.add_column("value", justify="right")
    lost = stats.lost + checked["unhandled"]
    table.add_row("clients", f"{args.clients} ({round(args.clients * args.ticket_share)} with a ticket)")
    table.add_row("messages sent (of planned)", f"{stats.sent} of {args.clients * args.messages}")
    table.add_row("messages answered", f"{stats.answered}")
    table.add_row("messages lost", f"[{'green' if lost == 0 else 'red'}]{lost}")
    table.add_row("errors (non-200 / refused POSTs)", f"{stats.errors}")
    table.add_row("duplicate replies", f"[{'green' if extra == 0 else 'red'}]{extra}")
    table.add_row("POSTs per worker", " / ".join(str(p) for p in stats.posts[: args.workers]))
    table.add_row("wall time", f"{seconds:.1f} s")
    table.add_row("throughput", f"{stats.answered / seconds:.0f} messages/s" if seconds > 0 else "-")
    table.add_row("latency p50", f"{percentile(stats.latencies, 0.50) * 1000:.0f} ms")
    table.add_row("latency p99", f"{percentile(stats.latencies, 0.99) * 1000:.0f} ms")
    if stats.latencies:
        table.add_row("latency mean / max", f"{statistics.fmean(stats.latencies) * 1000:.0f} / "
                                            f"{max(stats.latencies) * 1000:.0f} ms")
    table.add_row("outbox delivered / pending / failed",
                  f"{checked['delivered']} / {checked['pending']} / {checked['failed']}")
    table.add_row("outbox rows retried", f"{checked['retried']}")
    table.add_row("updates not in processed_updates", f"{checked['unhandled']}")
    table.add_row("worker exit codes (SIGTERM)", ", ".join(str(c) for c in codes))
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=5, help="messages per client")
    parser.add_argument("--minutes", type=float, default=10.0, help="stop sending after this long")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ticket-share", type=float, default=0.5,
                        help="share of clients that have an open ticket and write follow-ups (0-1)")
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="PostgreSQL database to create afresh (dropped first if it exists)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause (s) of a client between messages")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one reply")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.messages < 1 or args.workers < 1:
        parser.error("need at least one client, one message and one worker")
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(run(args, Console()))


if __name__ == "__main__":
    raise SystemExit(main())
