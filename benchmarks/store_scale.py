"""The store at scale: ``python -m benchmarks.store_scale [--tickets 100000] [--database-url URL]``.

Bulk-loads a synthetic help desk with SQLAlchemy Core (not the use cases, for
speed): organizations of every plan and billing mode, their contacts,
analysts, N tickets spread over a few months with 3 messages each, their
status events, logged hours (with SaaS approvals), FAQ questions and some
historical SLA alerts. Statuses follow age: old tickets are mostly closed,
recent ones open, answered or forwarded. Then it times, as the median of a
few runs after one warm-up:

- the analyst queue page (``HelpDesk.analyst_queue(analyst_id, limit=50)``),
- a contact's ticket list (``HelpDesk.contact_tickets``),
- an SLA sweep over every active ticket (``core.reports.sla_sweep_snapshot``,
  read-only, and ``SlaService.sweep`` when it exists: its first run records
  and announces every alert due, later runs find nothing new),
- the monthly reports (billing, SLA, FAQ) of the last full month, and the
  all-time FAQ report.

Without ``--database-url`` it uses a temporary SQLite file. With a
PostgreSQL server URL (database ``postgres`` or none) it creates a fresh
``chamado_bench`` database and drops it afterwards (``--keep`` keeps it);
with any other URL it uses that database as is, loading the data only when
it has no tickets yet.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Connection, make_url

from core.billing import month_of
from core.desk import HelpDesk
from core.model import Criticality, Plan
from core.store.db import Database
from core.store.orm import (
    Analyst,
    Base,
    BillingApproval,
    Contact,
    FaqQuestion,
    Message,
    Organization,
    SlaAlert,
    Ticket,
    TicketEvent,
    TicketSequence,
    TimeEntry,
)

BENCH_DB = "chamado_bench"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
CHUNK = 5000
MODULES = ("Financeiro", "Fiscal", "Estoque", "Compras", "Vendas", "Produção", "Contabilidade", "Folha/RH", "CRM",
           "Segurança e acessos", "Outros")
MODES = ("ON_DEMAND", "CONTRACT", "SAAS")
TOPICS = (
    "emitir nota fiscal", "nota rejeitada pela sefaz", "segunda via do boleto", "boleto vencido",
    "exportar relatório de estoque", "inventário não bate", "cadastrar produto novo", "alterar preço de venda",
    "pedido de compra travado", "aprovar pedido de compra", "fechamento do caixa", "conciliação bancária",
    "folha de pagamento atrasada", "cálculo de férias", "lançamento contábil errado", "balancete não fecha",
    "ordem de produção parada", "apontamento de produção", "senha expirada", "usuário bloqueado",
    "permissão de acesso ao módulo", "integração com o e-commerce", "importar planilha de clientes",
    "certificado digital vencido", "sped fiscal com erro", "cfop incorreto", "ncm inválido",
    "comissão de vendedores", "funil de vendas no crm", "relatório de vendas por vendedor",
    "backup do banco de dados", "sistema lento", "tela travando ao salvar", "erro de conexão com o servidor",
    "atualizar versão do sistema", "treinamento para novo usuário", "personalização de relatório",
    "orçamento de implantação", "contrato de suporte", "horas de suporte cobradas",
)
PREFIXES = ("", "como faço para ", "não consigo ", "preciso de ajuda com ", "dúvida sobre ", "erro ao ", "oi, ")
SUFFIXES = ("", "?", " urgente", " pf", " desde ontem", " no sistema", "!!")
TARGETS_MS = {"queue": 50.0, "contact": 50.0, "sweep": 2000.0, "report": 5000.0}


# --- synthetic data ------------------------------------------------------------------------------


@dataclass
class World:
    """What the loader created, for the timed operations to pick from."""

    now: datetime
    months: int
    tickets: int = 0
    n1_analyst: int = 0
    busiest_contact: int = 0


def _business_moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random instant in ``[start, end)``, four times out of five inside São Paulo office hours."""
    moment = start + (end - start) * rng.random()
    if rng.random() < 0.8:
        local = moment.astimezone(SAO_PAULO)
        local = local.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        if local.weekday() >= 5:
            local -= timedelta(days=local.weekday() - 4)
        moment = local.astimezone(UTC)
    return min(max(moment, start), end - timedelta(seconds=1))


def _rows_orgs(now: datetime, count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    orgs, contacts = [], []
    plans = [p.value for p in Plan]
    for i in range(1, count + 1):
        mode = MODES[i % 3]
        orgs.append({
            "id": i, "name": f"Cliente {i:03d}", "slug": f"cliente-{i:03d}", "plan": plans[i % 3],
            "billing_mode": mode, "acceptance_signed_on": (now - timedelta(days=400)).date(), "active": True,
            "hourly_rate_cents": 10000 + 2500 * (i % 9), "email_copies": True,
            "contract_minutes_month": 600 * (1 + i % 4) if mode == "CONTRACT" else 0, "created_at": now,
        })
        for j, role in enumerate(("PROJECT_MANAGER", "OTHER", "OTHER")):
            contacts.append({
                "id": 3 * (i - 1) + j + 1, "organization_id": i, "name": f"Contato {i}-{j}",
                "email": f"c{j}@cliente-{i:03d}.example", "role": role, "ticket_designee": j == 1 and i % 3 == 2,
                "active": True, "created_at": now,
            })
    return orgs, contacts


def _rows_analysts(now: datetime) -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"Analista {i}", "email": f"analista{i}@suporte.example",
         "level": "N1" if i <= 6 else "N2", "specialties": [MODULES[i % len(MODULES)]], "active": True,
         "created_at": now}
        for i in range(1, 11)
    ]


def _status(rng: random.Random, age: timedelta) -> str:
    roll = rng.random()
    if age > timedelta(days=14):
        return "CLOSED" if roll < 0.96 else ("FORWARDED" if roll < 0.98 else "ANSWERED")
    if age > timedelta(days=3):
        return "CLOSED" if roll < 0.6 else ("ANSWERED" if roll < 0.8 else ("OPEN" if roll < 0.95 else "FORWARDED"))
    return "OPEN" if roll < 0.45 else ("ANSWERED" if roll < 0.75 else ("CLOSED" if roll < 0.95 else "FORWARDED"))


class Generator:
    """Tickets with their messages, events, hours and approvals, chunk by chunk, in creation order."""

    def __init__(self, rng: random.Random, world: World, orgs: list[dict[str, Any]],
                 contacts: list[dict[str, Any]]) -> None:
        self.rng = rng
        self.world = world
        self.orgs = {o["id"]: o for o in orgs}
        self.contacts = contacts
        self.ids = {"message": 0, "event": 0, "entry": 0, "approval": 0, "alert": 0}
        self.sequence: dict[int, int] = {}

    def _next(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def moments(self, count: int) -> list[datetime]:
        start = self.world.now - timedelta(days=30 * self.world.months)
        return sorted(_business_moment(self.rng, start, self.world.now) for _ in range(count))

    def chunk(self, first_id: int, created: list[datetime]) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, list[dict[str, Any]]] = {k: [] for k in
                                                 ("tickets", "messages", "events", "entries", "approvals", "alerts")}
        for offset, created_at in enumerate(created):
            self._ticket(rows, first_id + offset, created_at)
        return rows

    def _ticket(self, rows: dict[str, list[dict[str, Any]]], tid: int, created: datetime) -> None:
        rng, now = self.rng, self.world.now
        contact = self.contacts[int(len(self.contacts) * rng.random() ** 1.5)]  # a few contacts open most
        org = self.orgs[contact["organization_id"]]
        status = _status(rng, now - created)
        level = "N2" if rng.random() < 0.2 else "N1"
        self.sequence[created.year] = self.sequence.get(created.year, 0) + 1
        first = created + timedelta(minutes=rng.expovariate(1 / 240) + 5)
        answered = status != "OPEN" or rng.random() < 0.5
        if not answered or first >= now:
            first, answered = None, False
            status = "OPEN" if status != "CLOSED" else status
        closed = None
        if status == "CLOSED":
            base = first or created
            closed = min(base + timedelta(minutes=rng.expovariate(1 / 1440) + 10), now - timedelta(seconds=1))
        analysts = range(1, 7) if level == "N1" else range(7, 11)
        assignee = rng.choice(analysts) if (answered or rng.random() < 0.4) else None
        rows["tickets"].append({
            "id": tid, "number": f"{created.year}-{self.sequence[created.year]:06d}", "organization_id": org["id"],
            "requester_id": contact["id"], "subject": rng.choice(TOPICS).capitalize(),
            "description": "Descrição do problema " * 3, "module": rng.choice(MODULES),
            "criticality": rng.choice([c.value for c in Criticality]), "status": status, "level": level,
            "assignee_id": assignee, "origin_platform": "telegram", "origin_chat": str(contact["id"]),
            "created_at": created, "first_response_at": first, "last_client_activity_at": created,
            "last_analyst_activity_at": first, "closed_at": closed, "forwarded_area": None, "routed_to_id": None,
            "requested_analyst_id": None, "first_response_due_at": None, "resolution_due_at": None,
            "satisfaction": rng.choice((3, 4, 5, 5, 2, 1)) if closed and rng.random() < 0.4 else None,
            "satisfaction_comment": None,
        })
        self._history(rows, tid, status, created, first, closed, assignee or 1, contact["id"])
        if answered and assignee is not None:
            self._hours(rows, tid, org, first or created, assignee)

    def _history(self, rows: dict[str, list[dict[str, Any]]], tid: int, status: str, created: datetime,
                 first: datetime | None, closed: datetime | None, analyst: int, contact: int) -> None:
        now = self.world.now
        later = min((first or created) + timedelta(hours=2), now - timedelta(seconds=1))
        events = [("opened", None, "OPEN", created)]
        messages = [("CLIENT", created)]
        if first is not None:
            events.append(("analyst_reply", "OPEN", "ANSWERED", first))
            messages.append(("ANALYST", first))
        if status == "CLOSED" and closed is not None:
            events.append(("accepted", "ANSWERED" if first else "OPEN", "CLOSED", closed))
            messages.append(("CLIENT", closed))
        elif status == "FORWARDED":
            events.append(("forwarded", "ANSWERED", "FORWARDED", later))
            messages.append(("ANALYST", later))
        elif status == "OPEN" and first is not None:
            events.append(("client_message", "ANSWERED", "OPEN", later))
            messages.append(("CLIENT", later))
        while len(messages) < 3:
            messages.append(("CLIENT" if first is None else "ANALYST", max(m for _, m in messages)))
        for kind, source, target, at in events:
            rows["events"].append({"id": self._next("event"), "ticket_id": tid, "kind": kind, "from_status": source,
                                   "to_status": target, "actor_kind": "SYSTEM", "actor_id": None, "detail": {},
                                   "created_at": at})
        for author, at in messages:
            rows["messages"].append({
                "id": self._next("message"), "ticket_id": tid, "author_kind": author,
                "contact_id": contact if author == "CLIENT" else None,
                "analyst_id": analyst if author == "ANALYST" else None, "body": "Mensagem do chamado " * 4,
                "visibility": "PUBLIC", "attachments": [], "platform": None, "platform_chat": None,
                "platform_message_id": None, "created_at": at,
            })

    def _hours(self, rows: dict[str, list[dict[str, Any]]], tid: int, org: dict[str, Any], after: datetime,
               analyst: int) -> None:
        rng, now = self.rng, self.world.now
        cause = org["billing_mode"] == "SAAS" and rng.random() < 0.15
        for _ in range(rng.choice((1, 1, 2))):
            at = min(after + timedelta(minutes=rng.randint(10, 600)), now - timedelta(seconds=1))
            rows["entries"].append({"id": self._next("entry"), "ticket_id": tid, "analyst_id": analyst,
                                    "minutes": rng.choice((15, 30, 45, 60, 90, 120, 240)), "note": None,
                                    "client_cause": cause, "created_at": at})
        if cause:
            status = rng.choice(("PENDING", "APPROVED", "APPROVED", "DECLINED"))
            rows["approvals"].append({"id": self._next("approval"), "ticket_id": tid, "status": status,
                                      "reason": "Causa no ambiente do cliente", "requested_by_id": analyst,
                                      "requested_at": after, "decided_by_id": None,
                                      "decided_at": None if status == "PENDING" else after})
        if rng.random() < 0.05:
            rows["alerts"].append({"id": self._next("alert"), "ticket_id": tid, "target": "first_response",
                                   "level": "breach", "created_at": after})


def _faq_rows(rng: random.Random, world: World, count: int, contacts: int) -> Iterator[list[dict[str, Any]]]:
    start = world.now - timedelta(days=30 * world.months)
    batch: list[dict[str, Any]] = []
    for i in range(1, count + 1):
        topic = rng.choice(TOPICS[: len(TOPICS) // 2] if rng.random() < 0.6 else TOPICS)
        words = topic.split()
        if len(words) > 2 and rng.random() < 0.3:
            words.pop(rng.randrange(len(words)))
        decision = rng.choices(("answer", "suggest", "none"), (50, 25, 25))[0]
        feedback = rng.choices((None, "helpful", "unhelpful", "none_fit"), (40, 35, 15, 10))[0]
        if decision == "none":
            feedback = None
        batch.append({
            "id": i, "platform": "telegram", "user_id": str(i % 997), "locale": "pt-BR",
            "contact_id": rng.randint(1, contacts) if rng.random() < 0.7 else None,
            "text": rng.choice(PREFIXES) + " ".join(words) + rng.choice(SUFFIXES), "decision": decision,
            "entry_id": None, "suggested": [], "score": None, "feedback": feedback, "ticket_id": None,
            "created_at": _business_moment(rng, start, world.now),
        })
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def load(db: Database, tickets: int, months: int, now: datetime, seed: int, console: Console) -> World:
    """Fill an empty, migrated database; returns what the timings need."""
    rng = random.Random(seed)
    world = World(now=now, months=months, tickets=tickets)
    orgs, contacts = _rows_orgs(now, 60)
    generator = Generator(rng, world, orgs, contacts)
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(insert(Organization), orgs)
        conn.execute(insert(Contact), contacts)
        conn.execute(insert(Analyst), _rows_analysts(now))
    created = generator.moments(tickets)
    counts: dict[str, int] = {}
    tables = {"tickets": Ticket, "messages": Message, "events": TicketEvent, "entries": TimeEntry,
              "approvals": BillingApproval, "alerts": SlaAlert}
    for first in range(0, tickets, CHUNK):
        rows = generator.chunk(first + 1, created[first:first + CHUNK])
        with db.engine.begin() as conn:
            for name, table in tables.items():
                if rows[name]:
                    conn.execute(insert(table), rows[name])
                counts[name] = counts.get(name, 0) + len(rows[name])
        console.print(f"  {min(first + CHUNK, tickets):,} tickets loaded ({time.perf_counter() - started:.0f}s)",
                      style="dim")
    counts["faq_questions"] = 0
    for batch in _faq_rows(rng, world, tickets // 2, len(contacts)):
        with db.engine.begin() as conn:
            conn.execute(insert(FaqQuestion), batch)
        counts["faq_questions"] += len(batch)
    with db.engine.begin() as conn:
        conn.execute(insert(TicketSequence), [{"year": y, "last_value": v} for y, v in generator.sequence.items()])
        _after_load(conn)
    console.print(f"loaded in {time.perf_counter() - started:.1f}s: "
                  + ", ".join(f"{v:,} {k}" for k, v in counts.items()), highlight=False)
    return world


def _after_load(conn: Connection) -> None:
    """PostgreSQL: move the id sequences past the explicit ids, and gather planner statistics."""
    if conn.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is not False and table.name != "ticket_sequences":
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
    conn.execute(text("ANALYZE"))


def _pick(db: Database, world: World) -> None:
    with db.session() as session:
        world.n1_analyst = 1
        world.busiest_contact = int(session.scalar(
            select(Ticket.requester_id).group_by(Ticket.requester_id).order_by(func.count().desc()).limit(1)) or 1)
        world.tickets = int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


# --- timing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    name: str
    target_ms: float | None
    runs_ms: tuple[float, ...]
    note: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)


def timed(name: str, call: Callable[[], Any], runs: int, target_ms: float | None, *, warmup: bool = True,
          note: Callable[[Any], str] | None = None) -> Timing:
    result = call() if warmup else None
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(name, target_ms, tuple(samples), note(result) if note else "")


def measure(desk: HelpDesk, world: World, runs: int, console: Console) -> list[Timing]:
    from core.reports import billing_report, kb_report, sla_report, sla_sweep_snapshot

    start_of_month = world.now.astimezone(SAO_PAULO).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = month_of(start_of_month - timedelta(days=1))
    timings = [
        timed("analyst queue page (N1, 50)", lambda: desk.analyst_queue(world.n1_analyst, limit=50), runs * 4,
              TARGETS_MS["queue"]),
        timed("contact's ticket list (50)", lambda: desk.contact_tickets(world.busiest_contact, limit=50),
              runs * 4, TARGETS_MS["contact"]),
        timed("SLA sweep: sla_sweep_snapshot", lambda: sla_sweep_snapshot(desk, world.now), runs,
              TARGETS_MS["sweep"], note=lambda s: f"{len(s.items):,} active, {len(s.due):,} alerts due"),
    ]
    console.print("  queue, contact list and snapshot timed", style="dim")
    sweep = _service_sweep(desk)
    if sweep is not None:
        timings.append(timed("SLA sweep: SlaService.sweep, 1st run", lambda: sweep(world.now), 1,
                             None, warmup=False, note=lambda n: f"{n:,} alerts recorded and announced"))
        timings.append(timed("SLA sweep: SlaService.sweep, steady", lambda: sweep(world.now), runs,
                             TARGETS_MS["sweep"], note=lambda n: f"{n:,} new alerts"))
        console.print("  SlaService.sweep timed", style="dim")
    timings += [
        timed(f"billing report {month}", lambda: billing_report(desk, month), runs, TARGETS_MS["report"],
              note=lambda r: f"{len(r.rows()):,} ticket lines"),
        timed(f"SLA report {month}", lambda: sla_report(desk, month), runs, TARGETS_MS["report"],
              note=lambda r: f"{r.totals.tickets:,} tickets, {len(r.breaches):,} breaches"),
        timed(f"FAQ report {month}", lambda: kb_report(desk, month), runs, TARGETS_MS["report"],
              note=lambda r: f"{r.questions:,} questions, {len(r.gaps)} gaps"),
        timed("FAQ report, all time", lambda: kb_report(desk), max(1, runs // 2), TARGETS_MS["report"],
              note=lambda r: f"{r.questions:,} questions"),
    ]
    return timings


def _service_sweep(desk: HelpDesk) -> Callable[[datetime], int] | None:
    """The scheduler's own sweep (``core/sla_service.py``), when that module exists."""
    try:
        from core.sla_service import SlaService
    except ImportError:
        return None
    return SlaService(desk).sweep


def render(timings: list[Timing], title: str) -> Table:
    table = Table(title=title)
    for column, justify in (("operation", "left"), ("median ms", "right"), ("min ms", "right"),
                            ("runs", "right"), ("target ms", "right"), ("", "center"), ("notes", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for t in timings:
        ok = t.target_ms is None or t.median_ms <= t.target_ms
        table.add_row(t.name, f"{t.median_ms:,.1f}", f"{min(t.runs_ms):,.1f}", str(len(t.runs_ms)),
                      "—" if t.target_ms is None else f"{t.target_ms:,.0f}",
                      "[green]ok[/green]" if ok else "[red]MISSED[/red]", t.note)
    return table


# --- the database ---------------------------------------------------------------------------------


def _prepare_url(url: str | None, console: Console) -> tuple[str, Callable[[], None]]:
    """The URL to benchmark on, and how to clean up afterwards."""
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="chamado-bench-"))
        return f"sqlite:///{folder / 'bench.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.database not in (None, "", "postgres"):
        return url, lambda: None
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": BENCH_DB})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}"'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    console.print(f"created database {BENCH_DB}", style="dim")
    return parsed.set(database=BENCH_DB).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Store and report timings on a synthetic help desk")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to load (3 messages each)")
    parser.add_argument("--months", type=int, default=3, help="months the tickets are spread over")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL server URL (creates chamado_bench) or a database to use as is; "
                             "default: a temporary SQLite file")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per report (4x for the short queries)")
    parser.add_argument("--seed", type=int, default=20260311)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the sweep logs every alert it raises
    console = Console(width=200)
    url, cleanup = _prepare_url(args.database_url, console)
    db = Database(url)
    try:
        db.upgrade()
        now = datetime.now(UTC).replace(microsecond=0)
        with db.session() as session:
            existing = int(session.scalar(select(func.count()).select_from(Ticket)) or 0)
        world = World(now=now, months=args.months)
        if existing == 0:
            world = load(db, args.tickets, args.months, now, args.seed, console)
        else:
            console.print(f"using the {existing:,} tickets already in the database", style="dim")
        _pick(db, world)
        desk = HelpDesk(db, clock=lambda: now, analyst_desks=("console",))
        timings = measure(desk, world, args.runs, console)
        backend = db.dialect
        console.print(render(timings, f"{backend}: {world.tickets:,} tickets over {args.months} months "
                                      f"(median of the runs after one warm-up)"))
    finally:
        db.dispose()
        if not args.keep:
            cleanup()
        else:
            console.print(f"kept {make_url(url).render_as_string(hide_password=True)}")


if __name__ == "__main__":
    main()

