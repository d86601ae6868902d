"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a clock, the help desk.

PostgreSQL tests need ``CHAMADO_TEST_POSTGRES_URL`` (``.ci/run`` sets it); each
test run creates its own database on that server and drops it at the end, so
parallel runs do not collide. Without the variable they are skipped with a
visible reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.desk import HelpDesk
from core.store.db import Database
from core.store.orm import Base

PG_ENV = "CHAMADO_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or real tokens."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "SLACK_", "SMTP_")) or name in {
            "DATABASE_URL", "LOCALE", "RELAY_MODE"}:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


class Clock:
    """A settable clock for use cases (starts on a Wednesday, 10:00 in São Paulo)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 11, 13, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    url = make_url(base)
    name = f"chamado_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    db = Database(test_url)
    db.upgrade()
    db.dispose()
    yield test_url
    with admin.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _truncate_postgres(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "chamado.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    db = Database(url)
    _truncate_postgres(db)
    db.dispose()
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def desk(database: Database, clock: Clock) -> HelpDesk:
    return HelpDesk(database, clock=clock, analyst_desks=("console",))


@pytest.fixture
def demo(desk: HelpDesk) -> HelpDesk:
    from chamado.demo import load_demo

    load_demo(desk)
    return desk
