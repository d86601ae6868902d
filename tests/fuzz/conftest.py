"""Fuzzing the doors: the platforms' fixtures, and how many examples a run tries.

``CHAMADO_FUZZ_EXAMPLES`` (default 40 per test: a few seconds each) sets the
number of examples; ``CHAMADO_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/fuzz``
is the long run.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from core.store.orm import Base
from tests.bot.conftest import harness
from tests.slack.conftest import fake, kb, slack, slack_desk, slack_factory
from tests.telegram.conftest import db_url, knowledge_base, make_harness, offline

__all__ = ["db_url", "fake", "fuzz", "fuzz_conversations", "harness", "kb", "knowledge_base", "make_harness",
           "offline", "row_counts", "slack", "slack_desk", "slack_factory"]

EXAMPLES = int(os.environ.get("CHAMADO_FUZZ_EXAMPLES", "40"))

# One workspace serves every example of a test (the point: state carried from one request to the next).
fuzz = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
# A dialog example is a whole conversation of several turns: half as many.
fuzz_conversations = settings(fuzz, max_examples=max(10, EXAMPLES // 2))


def row_counts(db: Any) -> dict[str, int]:
    """Rows per table: a refused request must leave every count as it was."""
    with db.session() as session:
        return {t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables}
