"""The FAQ log: every question put to the matcher, what it showed, and what came of it.

One ``faq_questions`` row per question, written in the chat turn's transaction;
its id travels in the answer's buttons, so the client's "Sim" / "Não" later
finds the row again (``find_question``, only for the user who asked). The
FAQ report reads these rows for deflection and gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.store.orm import FaqQuestion
from knowledge_base.decision import MatchResult

HELPFUL = "helpful"
UNHELPFUL = "unhelpful"
NONE_FIT = "none_fit"


@dataclass(frozen=True)
class LoggedQuestion:
    """A question as the dialog needs it back: its text, the suggestions shown, the feedback so far."""

    id: int
    text: str
    suggested: tuple[str, ...]
    feedback: str | None


def record_question(session: Session, *, platform: str, user_id: str, contact_id: int | None,
                    locale: str, text: str, result: MatchResult, now: datetime) -> int:
    """Log a question and the matcher's decision; returns its id (flushed, not committed)."""
    row = FaqQuestion(
        platform=platform, user_id=user_id, contact_id=contact_id, locale=locale, text=text,
        decision=result.decision.value,
        entry_id=result.best.entry_id if result.best else None,
        suggested=[m.entry_id for m in result.matches],
        score=result.best.score if result.best else None, created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def find_question(session: Session, question_id: int, *, platform: str,
                  user_id: str) -> LoggedQuestion | None:
    """The question if this chat user asked it (a button pressed by anyone else finds nothing)."""
    row = session.get(FaqQuestion, question_id)
    if row is None or row.platform != platform or row.user_id != user_id:
        return None
    return LoggedQuestion(row.id, row.text, tuple(row.suggested or ()), row.feedback)


def record_feedback(session: Session, question_id: int, feedback: str) -> None:
    """What the client said of the answer: ``HELPFUL``, ``UNHELPFUL`` or ``NONE_FIT``."""
    row = session.get(FaqQuestion, question_id)
    if row is not None:
        row.feedback = feedback


def record_shown_entry(session: Session, question_id: int, entry_id: str) -> None:
    """The entry the client picked among the suggestions (its feedback comes next)."""
    row = session.get(FaqQuestion, question_id)
    if row is not None:
        row.entry_id = entry_id


def link_ticket(session: Session, question_id: int, ticket_id: int) -> None:
    """The ticket the client opened after this question (the FAQ did not solve it)."""
    row = session.get(FaqQuestion, question_id)
    if row is not None:
        row.ticket_id = ticket_id
