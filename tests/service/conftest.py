"""Fixtures for tests that run ``chamado serve`` as a real process (see helpers.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PG_ENV
from tests.service.helpers import ANALYSTS_CHAT, Cluster, ServiceFake, ServiceProcess, chamado_init, scratch_database


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs chamado serve as a subprocess (seconds, not milliseconds)")


@pytest.fixture
def pg_server() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"service tests need PostgreSQL: set {PG_ENV}")
    return url


@pytest.fixture
def service_db(pg_server: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database on the shared server, after ``chamado init --demo``."""
    with scratch_database(pg_server) as url:
        chamado_init(url, tmp_path)
        yield url


@pytest.fixture
def fake() -> Iterator[ServiceFake]:
    """FakeTelegram with the analysts' forum group."""
    fake = ServiceFake()
    fake.start()
    fake.add_group(ANALYSTS_CHAT, "Suporte N1", is_forum=True)
    yield fake
    fake.stop()


ServiceFactory = Callable[..., ServiceProcess]


@pytest.fixture
def services(fake: ServiceFake, tmp_path: Path) -> Iterator[ServiceFactory]:
    """``services(db_url, webhook=True, name="a", **settings)`` starts a worker; all are killed at the end."""
    started: list[ServiceProcess] = []

    def start(database_url: str, **options: Any) -> ServiceProcess:
        process = ServiceProcess(fake, database_url, tmp_path, **options)
        started.append(process)
        process.start()
        return process

    yield start
    for process in started:
        process.kill()
    for process in started:  # shown by pytest when the test failed
        print(f"===== {process.name} log =====\n{process.log(tail=80)}")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster the test may stop and start (never the shared one)."""
    reason = Cluster.missing()
    if reason:
        pytest.skip(f"no throwaway PostgreSQL cluster: {reason}")
    base = Path(tempfile.mkdtemp(prefix="chamado-pg-"))
    made = Cluster(base)
    try:
        made.create()
        yield made
    finally:
        made.destroy()
        shutil.rmtree(base, ignore_errors=True)
