"""The FAQ report: how the knowledge base served the clients, their ratings, and the FAQ's gaps.

``kb_report`` reads the questions put to the FAQ, the tickets their askers
opened and the satisfaction ratings; ``kb_figures`` counts them (decisions,
feedback, deflection, ratings) and ``faq_gaps`` groups the questions the FAQ
did not answer well by similarity, the candidates for new entries. Both are
plain functions, tested without a database.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.billing import parse_month
from core.reports.common import month_period, pct
from core.store.db import UnitOfWork
from core.store.faq_log import HELPFUL, NONE_FIT, UNHELPFUL
from core.store.orm import FaqQuestion, Ticket

if TYPE_CHECKING:
    from core.desk import HelpDesk

NEGATIVE_FEEDBACK = frozenset({UNHELPFUL, NONE_FIT})
DEFLECTION_WINDOW = timedelta(hours=24)
GAP_SIMILARITY = 75.0


@dataclass(frozen=True)
class FaqGap:
    """Similar questions the FAQ did not answer well: a candidate for a new entry."""

    count: int
    example: str
    variants: tuple[str, ...]
    unanswered: int
    unhelpful: int
    last_asked: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count, "example": self.example, "variants": list(self.variants),
            "unanswered": self.unanswered, "unhelpful": self.unhelpful, "last_asked": self.last_asked.isoformat(),
        }


@dataclass(frozen=True)
class KbReport:
    """How the FAQ served the clients, how they rated the support, and what to write next."""

    month: str | None
    questions: int
    decisions: dict[str, int]
    feedback: dict[str, int]
    deflected: int
    helpful_pct: float | None
    ratings: int
    satisfaction_average: float | None
    satisfaction_distribution: dict[str, int]
    gaps: tuple[FaqGap, ...] = field(default=())

    @property
    def deflection_pct(self) -> float | None:
        return pct(self.deflected, self.questions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "questions": self.questions, "decisions": dict(self.decisions),
            "feedback": dict(self.feedback), "deflected": self.deflected, "deflection_pct": self.deflection_pct,
            "helpful_pct": self.helpful_pct,
            "satisfaction": {"ratings": self.ratings, "average": self.satisfaction_average,
                             "distribution": dict(self.satisfaction_distribution)},
            "gaps": [g.to_dict() for g in self.gaps],
        }


@dataclass(frozen=True)
class AskedQuestion:
    """One question put to the FAQ, as the KB report reads it."""

    id: int
    contact_id: int | None
    locale: str
    text: str
    decision: str
    feedback: str | None
    ticket_id: int | None
    created_at: datetime


def kb_report(desk: HelpDesk, month: str | None = None, *, top: int = 10,
              similarity: float = GAP_SIMILARITY, uow: UnitOfWork | None = None) -> KbReport:
    """The FAQ's figures over all time, or over the questions asked in ``month``.

    - ``decisions``: how the matcher answered (answer / suggest / none).
    - ``feedback``: the clients' buttons (helpful, unhelpful, none_fit; ``no_feedback`` when none was pressed).
    - ``deflected``: questions the FAQ solved without a ticket. A question
      counts when the matcher answered or suggested, no ticket was opened from
      it, and either the client said it helped, or the client gave no negative
      feedback and (being a known contact) opened no ticket in the 24 hours
      after asking. An anonymous chat user cannot open tickets, so silence
      after an answer counts for them too. ``deflection_pct`` is over all questions.
    - ``helpful_pct``: helpful / (helpful + unhelpful).
    - satisfaction: the 1-5 ratings of the tickets closed in the month (all
      rated tickets without a month): count, average and distribution.
    - ``gaps``: questions the matcher could not answer (decision "none") or
      whose answer did not help (unhelpful / none_fit), normalized like the
      matcher does and grouped greedily by ``rapidfuzz`` token-sort similarity
      (>= ``similarity``), most frequent first: the ``top`` entries to write next.
    """
    month = parse_month(month) if month is not None else None
    with desk.work(uow) as uow:
        session = uow.session
        bounds = month_period(month)
        questions = _questions(session, bounds)
        opened = _tickets_opened(session, bounds)
        ratings = _ratings(session, bounds)
    return kb_figures(month, questions, opened, ratings, top=top, similarity=similarity)


def kb_figures(month: str | None, questions: Sequence[AskedQuestion], opened: Mapping[int, Sequence[datetime]],
               ratings: Mapping[int, int], *, top: int = 10, similarity: float = GAP_SIMILARITY) -> KbReport:
    """The KB report of ``questions`` asked in ``month`` (``None``: all time).

    ``opened`` holds when each asking contact opened tickets (sorted) and
    ``ratings`` how many tickets got each satisfaction score; the figures are
    those ``kb_report`` describes.
    """
    decisions = Counter({"answer": 0, "suggest": 0, "none": 0})
    feedback = Counter({HELPFUL: 0, UNHELPFUL: 0, NONE_FIT: 0, "no_feedback": 0})
    for q in questions:
        decisions[q.decision] += 1
        feedback[q.feedback if q.feedback in (HELPFUL, UNHELPFUL, NONE_FIT) else "no_feedback"] += 1
    deflected = sum(1 for q in questions if _deflected(q, opened))
    total_ratings = sum(ratings.values())
    average = (round(sum(score * n for score, n in ratings.items()) / total_ratings, 2)
               if total_ratings else None)
    gaps = faq_gaps([q for q in questions if q.decision == "none" or q.feedback in NEGATIVE_FEEDBACK],
                    top=top, similarity=similarity) if top > 0 else ()
    return KbReport(
        month=month, questions=len(questions),
        decisions=dict(decisions), feedback=dict(feedback), deflected=deflected,
        helpful_pct=pct(feedback[HELPFUL], feedback[HELPFUL] + feedback[UNHELPFUL]),
        ratings=total_ratings, satisfaction_average=average,
        satisfaction_distribution={str(score): ratings.get(score, 0) for score in range(1, 6)},
        gaps=gaps,
    )


def _questions(session: Session, period: tuple[datetime, datetime] | None) -> list[AskedQuestion]:
    query = select(FaqQuestion.id, FaqQuestion.contact_id, FaqQuestion.locale, FaqQuestion.text,
                   FaqQuestion.decision, FaqQuestion.feedback, FaqQuestion.ticket_id, FaqQuestion.created_at)
    if period is not None:
        query = query.where(FaqQuestion.created_at >= period[0], FaqQuestion.created_at < period[1])
    return [AskedQuestion(*row) for row in session.execute(query.order_by(FaqQuestion.id))]


def _tickets_opened(session: Session, period: tuple[datetime, datetime] | None) -> dict[int, list[datetime]]:
    """When each contact who asked the FAQ opened tickets (within the window after the period's questions)."""
    askers = select(FaqQuestion.contact_id).where(FaqQuestion.contact_id.is_not(None))
    query = select(Ticket.requester_id, Ticket.created_at)
    if period is not None:
        askers = askers.where(FaqQuestion.created_at >= period[0], FaqQuestion.created_at < period[1])
        query = query.where(Ticket.created_at >= period[0], Ticket.created_at < period[1] + DEFLECTION_WINDOW)
    opened: dict[int, list[datetime]] = defaultdict(list)
    for requester_id, created_at in session.execute(query.where(Ticket.requester_id.in_(askers.distinct()))):
        opened[requester_id].append(created_at)
    for moments in opened.values():
        moments.sort()
    return opened


def _ratings(session: Session, period: tuple[datetime, datetime] | None) -> dict[int, int]:
    query = select(Ticket.satisfaction, func.count()).where(Ticket.satisfaction.is_not(None))
    if period is not None:
        query = query.where(Ticket.closed_at >= period[0], Ticket.closed_at < period[1])
    return {int(score): int(n) for score, n in session.execute(query.group_by(Ticket.satisfaction))}


def _deflected(q: AskedQuestion, opened: Mapping[int, Sequence[datetime]]) -> bool:
    if q.decision not in ("answer", "confirm", "suggest") or q.ticket_id is not None:
        return False
    if q.feedback == HELPFUL:
        return True
    if q.feedback in NEGATIVE_FEEDBACK:
        return False
    if q.contact_id is None:
        return True
    moments = opened.get(q.contact_id, [])
    i = bisect.bisect_left(moments, q.created_at)
    return not (i < len(moments) and moments[i] < q.created_at + DEFLECTION_WINDOW)


def faq_gaps(questions: Sequence[AskedQuestion], *, top: int = 10,
             similarity: float = GAP_SIMILARITY) -> tuple[FaqGap, ...]:
    """Group unanswered/unhelpful questions by similarity of their normalized text; the biggest groups first.

    Identical normalized texts are counted once; then, from the most asked
    down, each text joins the most similar group whose founding text is at
    least ``similarity`` similar (``rapidfuzz`` token-sort ratio), or founds
    a new group. Only founders sharing a word stem (first 4 letters) with the
    text are compared, the most promising ``_CANDIDATES`` of them, so that
    tens of thousands of distinct questions group in about a second.
    """
    from knowledge_base.normalize import normalize

    by_text: dict[str, list[AskedQuestion]] = defaultdict(list)
    for q in questions:
        key = normalize(q.text, q.locale)
        if key:
            by_text[key].append(q)
    ordered = sorted(by_text, key=lambda k: (-len(by_text[k]), by_text[k][0].id))
    gaps = [_gap([q for key in group for q in by_text[key]]) for group in _greedy_groups(ordered, similarity)]
    gaps.sort(key=lambda g: (-g.count, -g.last_asked.timestamp()))
    return tuple(gaps[:top])


_STEM = 4
_CANDIDATES = 50
_POSTING_SCAN = 200


def _greedy_groups(keys: Sequence[str], similarity: float) -> list[list[str]]:
    from rapidfuzz import fuzz, process

    founders: list[str] = []
    members: list[list[str]] = []
    by_stem: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        stems = {word[:_STEM] for word in key.split()}
        shared: Counter[int] = Counter()
        for stem in stems:  # the earliest founders of a stem are the most asked ones
            shared.update(by_stem.get(stem, ())[:_POSTING_SCAN])
        candidates = [index for index, _ in shared.most_common(_CANDIDATES)]
        match = process.extractOne(key, [founders[i] for i in candidates], scorer=fuzz.token_sort_ratio,
                                   score_cutoff=similarity) if candidates else None
        if match is None:
            for stem in stems:
                by_stem[stem].append(len(founders))
            founders.append(key)
            members.append([key])
        else:
            members[candidates[match[2]]].append(key)
    return members


def _gap(questions: list[AskedQuestion]) -> FaqGap:
    texts = Counter(" ".join(q.text.split()) for q in questions)
    ranked = [text for text, _ in texts.most_common()]
    return FaqGap(
        count=len(questions), example=ranked[0], variants=tuple(ranked[1:4]),
        unanswered=sum(1 for q in questions if q.decision == "none"),
        unhelpful=sum(1 for q in questions if q.feedback in NEGATIVE_FEEDBACK),
        last_asked=max(q.created_at for q in questions),
    )

