"""Web pages at scale: ``python -m benchmarks.web_pages [--quick] [--postgres URL] [--json]``.

Loads the store benchmark's synthetic help desk (``benchmarks.store_scale``:
100,000 tickets over 3 months by default, 5,000 with ``--quick``), gives one
ticket 200 messages, makes an analyst a manager, builds the web workspace
(``bot.web.app.build_web_app``) on an aiohttp test server and signs in through
a real sign-in link. Then it requests, after a warm-up:

- the queue page (``/fila``), target p50 <= 50 ms;
- the page of the ticket with 200 messages, target p50 <= 50 ms;
- the dashboard of the last full month (``/relatorios/painel``), target p50 <= 500 ms: as managers
  get it (the month's figures are kept for a minute), and measured again on each request (``?fresh=1``:
  every SLA clock of the month evaluated, the cost of the first view each minute).

"Server time" is measured by an outermost middleware (from the request
reaching the application to its response, the workspace's own middlewares
included); the round trip over localhost is shown beside it. Always on a
temporary SQLite file; with ``--postgres URL`` (a server URL) also on a fresh
PostgreSQL database, created and dropped like the store benchmark does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, update

from benchmarks.store_scale import SAO_PAULO, _prepare_url, load
from bot.web.app import build_web_app
from bot.web.config import WebConfig
from bot.web.context import WebContext
from core.billing import month_of
from core.desk import HelpDesk
from core.sla_service import SlaService
from core.store.db import Database
from core.store.orm import Analyst, Message, Ticket
from core.web_sign_in import issue_sign_in

TARGETS_MS = {"queue": 50.0, "ticket": 50.0, "dashboard": 500.0}
THREAD_MESSAGES = 200
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
TIMING_KEY = web.AppKey("bench_server_ms", list)


@dataclass(frozen=True)
class PageTiming:
    backend: str
    page: str
    runs: int
    server_p50_ms: float
    server_p95_ms: float
    roundtrip_p50_ms: float
    target_ms: float
    status: int
    bytes: int

    @property
    def ok(self) -> bool:
        return self.server_p50_ms <= self.target_ms


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] if len(samples) > 1 else samples[0]


def _timing_middleware(samples: list[float]) -> Any:
    @web.middleware
    async def timing(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            samples.append((time.perf_counter() - started) * 1000)

    return timing


def prepare(db: Database) -> tuple[str, str]:
    """A ticket with ``THREAD_MESSAGES`` messages and a manager; returns (ticket number, manager e-mail)."""
    with db.engine.begin() as conn:
        ticket_id, number, created, requester = conn.execute(
            select(Ticket.id, Ticket.number, Ticket.created_at, Ticket.requester_id)
            .where(Ticket.status == "OPEN").order_by(Ticket.id.desc()).limit(1)).one()
        have = int(conn.execute(select(func.count()).select_from(Message)
                                .where(Message.ticket_id == ticket_id)).scalar_one())
        rows = [{"ticket_id": ticket_id, "author_kind": "CLIENT" if i % 2 else "ANALYST",
                 "contact_id": requester if i % 2 else None, "analyst_id": None if i % 2 else 1,
                 "body": f"Mensagem {i} da conversa longa " * 3, "visibility": "INTERNAL" if i % 10 == 0
                 else "PUBLIC", "attachments": [], "platform": None, "platform_chat": None,
                 "platform_message_id": None, "created_at": created + timedelta(minutes=i)}
                for i in range(have, THREAD_MESSAGES)]
        if rows:
            conn.execute(insert(Message), rows)
        conn.execute(update(Analyst).where(Analyst.id == 1).values(manager=True))
        email = conn.execute(select(Analyst.email).where(Analyst.id == 1)).scalar_one()
    return str(number), str(email)


async def _measure(desk: HelpDesk, backend: str, number: str, email: str, month: str, runs: int
                   ) -> list[PageTiming]:
    context = WebContext(desk, WebConfig(secret_key="benchmark-secret", session_hours=8), sla=SlaService(desk))
    app = build_web_app(context)
    samples: list[float] = []
    app.middlewares.insert(0, _timing_middleware(samples))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        issued = await asyncio.to_thread(issue_sign_in, desk, email)
        page = await client.get(f"/entrar/{issued.token}")
        token = _CSRF.search(await page.text())
        assert token, "no CSRF token on the sign-in page"
        signed = await client.post(f"/entrar/{issued.token}", data={"csrf_token": token.group(1)},
                                   allow_redirects=False)
        assert signed.status == 303, signed.status
        ticket_path = (str(app.router["ticket"].url_for(number=number)) if "ticket" in app.router
                       else f"/chamados/{number}")
        dashboard = f"/relatorios/painel?month={month}"
        pages = [("queue", "/fila", runs * 4, "queue"), ("ticket", ticket_path, runs * 4, "ticket"),
                 ("dashboard", dashboard, runs, "dashboard"),
                 ("dashboard, measured again (?fresh=1)", dashboard + "&fresh=1", max(2, runs // 3), "dashboard")]
        timings = []
        for name, path, count, target in pages:
            response = await client.get(path)  # warm-up
            body = await response.read()
            samples.clear()
            trips = []
            for _ in range(count):
                started = time.perf_counter()
                response = await client.get(path)
                await response.read()
                trips.append((time.perf_counter() - started) * 1000)
            timings.append(PageTiming(backend, f"{name} {path.split('?')[0]}", count,
                                      round(statistics.median(samples), 1), round(p95(samples), 1),
                                      round(statistics.median(trips), 1), TARGETS_MS[target], response.status,
                                      len(body)))
        return timings
    finally:
        await client.close()


def run_backend(url: str | None, tickets: int, months: int, runs: int, seed: int, console: Console
                ) -> list[PageTiming]:
    target, cleanup = _prepare_url(url, console)
    db = Database(target)
    try:
        db.upgrade()
        now = datetime.now(UTC).replace(microsecond=0)
        load(db, tickets, months, now, seed, console)
        number, email = prepare(db)
        desk = HelpDesk(db, clock=lambda: now, analyst_desks=("console",))
        start_of_month = now.astimezone(SAO_PAULO).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month = month_of(start_of_month - timedelta(days=1))
        return asyncio.run(_measure(desk, db.dialect, number, email, month, runs))
    finally:
        db.dispose()
        cleanup()


def render(timings: list[PageTiming], title: str) -> Table:
    table = Table(title=title)
    for column in ("backend", "page", "runs", "server p50 ms", "server p95 ms", "round trip p50 ms",
                   "target p50 ms", "", "status", "KiB"):
        table.add_column(column, justify="left" if column in ("backend", "page") else "right")
    for t in timings:
        table.add_row(t.backend, t.page, str(t.runs), f"{t.server_p50_ms:,.1f}", f"{t.server_p95_ms:,.1f}",
                      f"{t.roundtrip_p50_ms:,.1f}", f"{t.target_ms:,.0f}",
                      "[green]ok[/green]" if t.ok else "[red]MISSED[/red]", str(t.status), f"{t.bytes / 1024:,.0f}")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Server time of the web workspace's pages on a large help desk")
    parser.add_argument("--tickets", type=int, default=None, help="tickets to load (default 100,000; --quick 5,000)")
    parser.add_argument("--quick", action="store_true", help="a small run: 5,000 tickets, fewer requests")
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--postgres", default=None, metavar="URL",
                        help="also on PostgreSQL: a server URL (creates and drops chamado_bench)")
    parser.add_argument("--runs", type=int, default=None, help="dashboard requests (4x for queue and ticket)")
    parser.add_argument("--seed", type=int, default=20260311)
    parser.add_argument("--json", action="store_true", help="print the timings as JSON")
    args = parser.parse_args(argv)
    tickets = args.tickets or (5_000 if args.quick else 100_000)
    runs = args.runs or (5 if args.quick else 10)
    logging.disable(logging.WARNING)
    console = Console(width=200, stderr=args.json)
    timings = []
    for url in (None, args.postgres) if args.postgres else (None,):
        timings += run_backend(url, tickets, args.months, runs, args.seed, console)
    if args.json:
        print(json.dumps({"tickets": tickets, "months": args.months, "thread_messages": THREAD_MESSAGES,
                          "timings": [asdict(t) | {"ok": t.ok} for t in timings]}, indent=2))
    else:
        console.print(render(timings, f"web pages at {tickets:,} tickets over {args.months} months "
                                      f"(server time after one warm-up)"))


if __name__ == "__main__":
    main()
