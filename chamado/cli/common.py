"""What the commands share: settings, the help desk, one-line refusals, JSON and hours output.

Any refusal is one line on stderr and a non-zero exit code (``fail``,
``handle_errors``), never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from chamado.app import build_helpdesk
from chamado.settings import Settings, load_settings
from core.billing import format_minutes
from core.desk import HelpDesk
from core.errors import DomainError
from core.store.db import Database

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

JsonFlag = Annotated[bool, typer.Option("--json")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as one line on stderr; the caller raises the returned ``typer.Exit``."""
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn domain and configuration errors into one line on stderr."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise fail(f"erro: {exc.render(_locale())}") from None
        except SQLAlchemyError as exc:
            raise fail(f"erro de banco de dados: {str(exc).splitlines()[0][:200]}") from None
        except (ValueError, OSError) as exc:
            raise fail(f"erro: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None

    return wrapper  # type: ignore[return-value]


def _locale() -> str:
    try:
        return load_settings().locale
    except Exception:
        return "pt-BR"


def settings() -> Settings:
    try:
        return load_settings()
    except Exception as exc:  # pydantic ValidationError: one line per bad variable
        raise fail(f"erro de configuração: {str(exc).splitlines()[0]}") from None


def helpdesk(*, migrate: bool = False) -> HelpDesk:
    """The help desk on the configured database, refusing an unmigrated one."""
    conf = settings()
    db = Database(conf.database_url)
    if migrate:
        db.upgrade()
    else:
        db.check_ready()
    return build_helpdesk(conf, db)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def hours_text(minutes: int | None) -> str:
    """``1h30``, or a dash when nothing was logged."""
    return "—" if not minutes else format_minutes(minutes)
