"""End-to-end Telegram throughput: ``python -m benchmarks.telegram_e2e [--clients 500 --messages 5000]``.

A fake Telegram Bot API server (``tests/fakes/telegram/``, its own
thread) talks to the real python-telegram-bot application in polling mode
(rate limiter off), the real dialog, help desk and outbox dispatcher, on a
temporary SQLite database (``--database-url postgresql+psycopg://...`` runs on a
scratch database created on that server and dropped afterwards).

Setup (not timed): the demo data, plus organizations with a signed acceptance
term holding one project manager per simulated client, each linked to a
Telegram user; a share of the clients (``--ticket-share``) already has an open
ticket, posted to the analysts' forum group.

Then every client talks at once, one message at a time: it queues an update at
the fake and waits for the bot's reply to arrive there before the next one
(after a pause of ``--think`` seconds on average; with the default 0 the
clients keep the bot saturated, so latency is mostly queueing: about
clients / throughput).
Clients with a ticket write follow-ups (relayed to the ticket and to its topic
in the analysts' group); the others ask FAQ questions picked so that the bot
answers each with exactly one message (an answer or a list of suggestions),
which is what lets a reply be matched to its message. Latency runs from queueing
the update to the fake recording the reply; a message without a reply within
``--timeout`` seconds is lost (and its client stops). The dialog's flood limit
is lifted: the simulated clients type faster than people.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.dialog import Dialog
from bot.telegram import TelegramBot
from chamado.adapters import telegram_config
from chamado.app import build_dialog, build_dispatcher, build_helpdesk
from chamado.demo import load_demo
from chamado.settings import Settings
from core.desk import HelpDesk
from core.outbox import OutboxDispatcher, pending_count
from core.store.db import Database
from knowledge_base.decision import Decision
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u

ANALYSTS_CHAT = -1001000000777
FIRST_USER = 900_000_001
CLIENTS_PER_ORG = 10
PLANS = ("PRATA", "OURO", "VIP")
FOLLOW_UPS = (
    "Segue mais um detalhe: o erro aparece também no relatório mensal.",
    "Testei de novo agora e continua igual.",
    "A mensagem na tela é 'falha ao gravar'.",
    "Acontece só no computador do financeiro.",
    "Consegui contornar reiniciando, mas voltou.",
)


# --- the fake, with a timestamp on every message the bot sends --------------------------------


class TimedFakeTelegram(FakeTelegram):
    """Records when each bot message to a private chat arrives and wakes whoever waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[int, list[float]] = {}
        self._waiters: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}
        self._arrivals_lock = threading.Lock()

    def _store_bot_message(self, chat: Any, token: str, method: str, **kwargs: Any) -> Any:
        stored = super()._store_bot_message(chat, token, method, **kwargs)
        if chat.id > 0:
            now = time.perf_counter()
            with self._arrivals_lock:
                self.arrivals.setdefault(chat.id, []).append(now)
                waiter = self._waiters.get(chat.id)
            if waiter is not None:
                loop, event = waiter
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(event.set)
        return stored

    def watch(self, chat_id: int) -> asyncio.Event:
        event = asyncio.Event()
        with self._arrivals_lock:
            self._waiters[chat_id] = (asyncio.get_running_loop(), event)
        return event

    def arrived(self, chat_id: int) -> list[float]:
        with self._arrivals_lock:
            return list(self.arrivals.get(chat_id, ()))


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Client:
    user_id: int
    contact_id: int
    ticket: str | None = None
    planned: int = 0
    sent: int = 0
    answered: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass
class Result:
    clients: int
    messages: int
    answered: int
    lost: int
    seconds: float
    latencies: list[float]
    extra_replies: int
    deliveries: int
    database: str


@contextlib.contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """A migrated empty database: a temporary SQLite file, or a new database on the given server."""
    if url is None or (make_url(url).get_backend_name() == "sqlite" and url.endswith(":memory:")):
        with tempfile.TemporaryDirectory(prefix="chamado-bench-") as folder:
            path = f"sqlite:///{Path(folder) / 'bench.db'}"
            _migrate(path)
            yield path
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _migrate(url)
        yield url
        return
    name = f"chamado_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = parsed.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(scratch)
        yield scratch
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _migrate(url: str) -> None:
    db = Database(url)
    db.upgrade()
    db.dispose()


def faq_questions(dialog: Dialog) -> list[str]:
    """Phrasings from the FAQ that the bot answers with one message (an answer or suggestions)."""
    matcher = dialog.matcher("pt-BR")
    found: list[str] = []
    for entry in dialog.kb.served:
        localized = entry.pt_br
        if localized is None:
            continue
        for question in (localized.question, *localized.phrasings):
            result = matcher.ask(question)
            if result.decision in (Decision.ANSWER, Decision.SUGGEST):
                found.append(question)
    if not found:
        raise SystemExit("the knowledge base answers none of its own questions")
    return sorted(set(found))


def create_clients(desk: HelpDesk, fake: FakeTelegram, count: int) -> list[Client]:
    """Organizations (signed term) with project managers, each linked to a Telegram user."""
    clients: list[Client] = []
    for index in range(count):
        org = f"bench-{index // CLIENTS_PER_ORG:04d}"
        if index % CLIENTS_PER_ORG == 0:
            desk.add_organization(name=f"Cliente Bench {org}", slug=org, plan=PLANS[index % len(PLANS)],
                                  billing_mode="CONTRACT", acceptance_signed_on=date(2025, 1, 2))
        contact = desk.add_contact(org_slug=org, name=f"Gerente {index:04d}", email=f"pm{index:04d}@{org}.example",
                                   role="PROJECT_MANAGER")
        user_id = FIRST_USER + index
        desk.link_identity("telegram", str(user_id), contact_id=contact.id, display_name=f"Gerente{index}")
        fake.add_private_chat(user_id, f"Gerente{index}")
        clients.append(Client(user_id, contact.id))
    return clients


def open_tickets(desk: HelpDesk, clients: list[Client], share: float, rng: random.Random) -> None:
    for client in rng.sample(clients, round(len(clients) * share)):
        ticket = desk.open_ticket(contact_id=client.contact_id, subject="Erro ao gravar nota de entrada",
                                  module=rng.choice(desk.modules), criticality=rng.choice(("BAIXA", "MEDIA")),
                                  description="O sistema mostra 'falha ao gravar' ao salvar a nota.",
                                  origin_platform="telegram", origin_chat=str(client.user_id))
        client.ticket = ticket.number


async def converse(client: Client, fake: TimedFakeTelegram, questions: list[str], rng: random.Random,
                   timeout: float, think: float) -> None:
    """Send the client's messages one by one, each after the reply to the previous one (and a pause)."""
    for n in range(client.planned):
        if think > 0:
            await asyncio.sleep(rng.expovariate(1 / think))
        body = rng.choice(FOLLOW_UPS) if client.ticket else rng.choice(questions)
        event = fake.watch(client.user_id)
        event.clear()
        started = time.perf_counter()
        fake.queue_update(u.text_message(client.user_id, f"{body}" if client.ticket is None else f"{body} ({n})",
                                         first_name=f"Gerente{client.user_id - FIRST_USER}"))
        client.sent += 1
        deadline = started + timeout
        while len(fake.arrived(client.user_id)) < client.answered + 1:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return  # lost: this client stops here
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            event.clear()
        arrival = fake.arrived(client.user_id)[client.answered]
        client.answered += 1
        client.latencies.append(arrival - started)


async def run(args: argparse.Namespace, database_url: str, console: Console) -> Result:
    rng = random.Random(args.seed)
    fake = TimedFakeTelegram().start()
    try:
        fake.add_group(ANALYSTS_CHAT, "Suporte (benchmark)", is_forum=True)
        settings = Settings(
            database_url=database_url, telegram_bot_token=fake.token, telegram_api_base_url=fake.url,
            telegram_analysts_chat_id=ANALYSTS_CHAT, analyst_desks=["telegram"],
            flood_max_messages=1_000_000, locale="pt-BR", telegram_rate_limit=False,
        )
        db = Database(database_url, **({} if database_url.startswith("sqlite") else {"pool_size": 20}))
        desk = build_helpdesk(settings, db)
        dialog = build_dialog(settings, desk)
        assert isinstance(dialog, Dialog)
        with console.status("setting up: demo data, clients, tickets"):
            load_demo(desk)
            clients = create_clients(desk, fake, args.clients)
            open_tickets(desk, clients, args.ticket_share, rng)
            questions = faq_questions(dialog)
        bot = TelegramBot(telegram_config(settings), desk, dialog)
        dispatcher: OutboxDispatcher = build_dispatcher(desk, {"telegram": bot.deliverer}, batch_size=100)
        with console.status("posting the open tickets to the analysts' group"):
            await dispatcher.drain()
        for index, client in enumerate(clients):
            client.planned = args.messages // len(clients) + (1 if index < args.messages % len(clients) else 0)
        stop = asyncio.Event()
        dispatching = asyncio.create_task(dispatcher.run_forever(stop, idle_interval=0.5))
        await bot.start_polling()
        delivered_before = dispatcher.stats.delivered
        try:
            with console.status(f"{args.clients} clients sending {args.messages} messages"):
                started = time.perf_counter()
                await asyncio.gather(*(converse(c, fake, questions, random.Random(rng.random()), args.timeout,
                                                args.think) for c in clients))
                finished = max((fake.arrived(c.user_id)[-1] for c in clients if c.answered), default=started)
        finally:
            await bot.stop()
            stop.set()
            await dispatching
        await asyncio.sleep(0.2)  # anything still in flight lands in the fake's records
        extra = sum(max(0, len(fake.arrived(c.user_id)) - c.sent) for c in clients)
        latencies = [latency for c in clients for latency in c.latencies]
        answered = sum(c.answered for c in clients)
        backlog = await asyncio.to_thread(pending_count, db)
        if backlog:
            console.print(f"[yellow]{backlog} outbox rows still pending at the end[/yellow]")
        db.dispose()
        return Result(
            clients=len(clients), messages=args.messages, answered=answered,
            lost=args.messages - answered,  # unanswered, or never sent after its client's lost one
            seconds=finished - started, latencies=latencies, extra_replies=extra,
            deliveries=dispatcher.stats.delivered - delivered_before,
            database=make_url(database_url).get_backend_name(),
        )
    finally:
        fake.stop()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(result: Result, console: Console) -> None:
    table = Table(title="Telegram end to end (fake Bot API, real PTB polling, real dialog and outbox)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("database", result.database)
    table.add_row("clients", f"{result.clients}")
    table.add_row("messages queued", f"{result.messages}")
    table.add_row("messages answered", f"{result.answered}")
    table.add_row("messages lost", f"[{'green' if result.lost == 0 else 'red'}]{result.lost}")
    table.add_row("unexpected extra replies", f"{result.extra_replies}")
    table.add_row("outbox rows delivered", f"{result.deliveries}")
    table.add_row("wall time", f"{result.seconds:.1f} s")
    table.add_row("throughput", f"{result.answered / result.seconds:.0f} messages/s" if result.seconds else "-")
    table.add_row("latency p50", f"{percentile(result.latencies, 0.50) * 1000:.0f} ms")
    table.add_row("latency p99", f"{percentile(result.latencies, 0.99) * 1000:.0f} ms")
    if result.latencies:
        table.add_row("latency mean / max", f"{statistics.fmean(result.latencies) * 1000:.0f} / "
                                            f"{max(result.latencies) * 1000:.0f} ms")
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--ticket-share", type=float, default=0.5,
                        help="share of clients that already have an open ticket (0-1)")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL server to run on (a scratch database is created); default: SQLite")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause (s, exponential) of a client between a reply and its next message; "
                             "0 = as fast as the bot answers (measures saturation)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one reply")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.messages < args.clients:
        parser.error("need at least one client and at least one message per client")
    logging.basicConfig(level=logging.ERROR)
    console = Console()
    with scratch_database(args.database_url) as url:
        result = asyncio.run(run(args, url, console))
    report(result, console)
    return 0 if result.lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
