"""Engines, sessions and the unit of work; migration state checks.

``Database`` is built once by the composition root from a URL. A unit of work
is one session and one transaction: ``with db.uow() as uow: ...; uow.commit()``;
leaving the block without committing rolls back. A unit of work that will write
from its first statement on (a chat turn) asks for ``db.uow(immediate=True)``:
on SQLite its transaction starts with ``BEGIN IMMEDIATE``, so two writers queue
for the lock instead of one failing on a stale snapshot; other databases ignore it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import DomainError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
T = TypeVar("T")

# PostgreSQL pool: the update handlers' threads each hold up to two connections
# (the dialog's session and a use case's), next to the dispatcher's and /metrics.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 20
PG_CONNECT_TIMEOUT = 10  # seconds; an unreachable host must not hang a handler for minutes


class DatabaseNotReady(DomainError):
    """The database is unreachable or not migrated to the current schema."""


IMMEDIATE = "chamado_begin_immediate"  # execution option read by the SQLite "begin" listener


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling would begin lazily and silently; SQLAlchemy emits
    # BEGIN itself (below), which makes SAVEPOINT and BEGIN IMMEDIATE work as documented.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``hide_parameters``: a database error's text (logged with its traceback) never carries the
    statement's values, which are people's messages, names and e-mails.
    """
    kwargs.setdefault("hide_parameters", True)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseNotReady("db.bad_url", url=url) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_size", PG_POOL_SIZE)
        kwargs.setdefault("max_overflow", PG_MAX_OVERFLOW)
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT, **kwargs.get("connect_args", {})}
    return create_engine(url, **kwargs)


def is_transient(exc: BaseException) -> bool:
    """True for database failures that trying again later can cure.

    The server restarting or unreachable, a dropped connection, a deadlock or
    serialization failure, an exhausted pool: yes. A constraint violation, bad
    SQL or bad data: no (trying again would fail the same way).
    """
    if isinstance(exc, (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError)):
        return False
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                            sa_exc.TimeoutError))


def retry_transient(
    fn: Callable[[], T],
    *,
    budget: float = 15.0,
    first_delay: float = 0.2,
    max_delay: float = 3.0,
    stop: threading.Event | None = None,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> T:
    """Call ``fn``; while it fails with a transient database error, wait and call it again.

    Gives up (re-raising the last error) after ``budget`` seconds or once
    ``stop`` is set. Only for idempotent work: a commit whose answer was lost
    may have happened.
    """
    deadline = time.monotonic() + budget
    delay = first_delay
    while True:
        try:
            return fn()
        except Exception as exc:
            remaining = deadline - time.monotonic()
            if not is_transient(exc) or remaining <= 0 or (stop is not None and stop.is_set()):
                raise
            wait = min(delay, remaining)
            if on_retry is not None:
                on_retry(exc, wait)
            if stop is not None:
                if stop.wait(wait):
                    raise
            else:
                time.sleep(wait)
            delay = min(max_delay, delay * 2)


class UnitOfWork:
    """One session, one transaction. Commit explicitly; otherwise it rolls back.

    ``on_commit`` runs after each successful commit (the composition root uses it to
    wake the outbox dispatcher when new rows may be waiting).
    """

    def __init__(self, session: Session, on_commit: Callable[[], None] | None = None) -> None:
        self.session = session
        self.on_commit = on_commit

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
        if self.on_commit is not None:
            self.on_commit()

    def rollback(self) -> None:
        self.session.rollback()


class Database:
    """Holds the engine and makes units of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._immediate_sessions = sessionmaker(
            self.engine.execution_options(**{IMMEDIATE: True}), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self, *, immediate: bool = False, on_commit: Callable[[], None] | None = None) -> UnitOfWork:
        """A new unit of work; ``immediate`` takes SQLite's write lock at BEGIN."""
        sessions = self._immediate_sessions if immediate else self._sessions
        return UnitOfWork(sessions(), on_commit)

    def new_session(self) -> Session:
        """A session the caller closes (for use cases that may join a caller's session)."""
        return self._sessions()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    # --- migrations ---------------------------------------------------------

    def alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> None:
        """Migrate to the newest schema (what ``chamado init`` runs)."""
        from alembic import command

        command.upgrade(self.alembic_config(), "head")

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def check_ready(self) -> None:
        """Refuse to work on an unreachable or unmigrated database, in one line."""
        try:
            current = self.current_revision()
        except Exception as exc:  # any driver error: unreachable, bad credentials
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseNotReady("db.unreachable", reason=reason[:200]) from None
        if current != self.head_revision():
            raise DatabaseNotReady("db.not_migrated")

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()
