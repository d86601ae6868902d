"""Races that only a real server can show: PostgreSQL with many sessions at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chamado.demo import load_demo
from core.desk import HelpDesk
from core.errors import Conflict
from core.model import Actor
from core.store.db import Database


@pytest.fixture
def pg_desk(postgres_url: str, request: pytest.FixtureRequest) -> HelpDesk:
    from tests.conftest import _truncate_postgres

    db = Database(postgres_url, pool_size=25, max_overflow=5)
    _truncate_postgres(db)
    request.addfinalizer(db.dispose)
    desk = HelpDesk(db, analyst_desks=("console",))
    load_demo(desk)
    return desk


def all_at_once(count: int, fn: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        barrier.wait()
        try:
            return fn(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_tickets_opened_at_once_get_distinct_numbers(pg_desk: HelpDesk) -> None:
    paula = pg_desk.contact_by_email("paula@prata.example").id
    results = all_at_once(20, lambda i: pg_desk.open_ticket(
        contact_id=paula, subject=f"chamado {i}", module="Fiscal", criticality="MEDIA"))
    numbers = [r.number for r in results]
    assert len(set(numbers)) == 20
    assert len(pg_desk.list_tickets()) == 20


def test_two_analysts_claiming_at_once_one_wins(pg_desk: HelpDesk) -> None:
    paula = pg_desk.contact_by_email("paula@prata.example").id
    number = pg_desk.open_ticket(contact_id=paula, subject="corrida", module="Fiscal",
                                 criticality="ALTA").number
    ana = pg_desk.analyst_by_email("ana@suporte.example").id
    bruno = pg_desk.analyst_by_email("bruno@suporte.example").id
    results = all_at_once(2, lambda i: pg_desk.claim(number, [ana, bruno][i]))
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], Conflict)
    assert "já foi assumido" in losers[0].render("pt-BR")
    assert pg_desk.get_ticket(number, Actor.system()).assignee == winners[0].assignee
