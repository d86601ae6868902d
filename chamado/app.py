"""The composition root: builds the help desk (and later the bot) from settings.

Nothing is created at import time; the CLI, ``chamado serve`` and the tests all
build their objects here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from chamado.settings import Settings
from core.services import HelpDesk
from core.store.db import Database


def build_database(settings: Settings) -> Database:
    return Database(settings.database_url)


def build_helpdesk(
    settings: Settings, db: Database | None = None, *, analyst_desks: Sequence[str] = ()
) -> HelpDesk:
    return HelpDesk(
        db or build_database(settings),
        reopen_window=timedelta(days=settings.reopen_window_days),
        modules=settings.modules,
        analyst_desks=analyst_desks,
    )
