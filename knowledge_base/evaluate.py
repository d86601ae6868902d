"""Scoring a matcher against a labelled question set: top-1, false-answer rate, recall@3.

Definitions (the same for every matcher kind):

* candidates       -- the entries a ranker proposes that score above the FAQ's "not ours" examples
                      (an entry outscored by them is never answered nor suggested);
* top-1 accuracy   -- over answerable questions (``expect`` not null): the best candidate's id equals
                      ``expect``, whatever the decision band;
* false-answer rate -- over ALL questions: the decision is ANSWER and the answer is the wrong entry,
                      or the question has ``expect: null`` and was answered anyway;
* recall@3         -- over answerable questions: ``expect`` is among the top three candidates;
* answered-right   -- over answerable questions: the decision is ANSWER with ``expect``;
* confirmed-right  -- over answerable questions: the decision is CONFIRM with ``expect``;
* suggest recall@3 -- over answerable questions that got SUGGEST: ``expect`` is among the
                      suggestions shown;
* none-precision   -- over questions that got NONE: the share with ``expect: null`` (NONE was right).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from knowledge_base.decision import RANK_DEPTH, Decision, Ranking, Thresholds
from knowledge_base.errors import EvalSetError
from knowledge_base.loader import read_yaml
from knowledge_base.locales import Locale, normalize_locale


class Ranker(Protocol):
    """Anything that ranks FAQ entries for a message and decides on them (Matcher, Bm25Matcher)."""

    @property
    def thresholds(self) -> Thresholds: ...

    def ranking(self, text: str, limit: int = 3) -> Ranking: ...


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One labelled message: the entry that should answer it, or None when none should."""

    question: str
    expect: str | None


@dataclass(frozen=True, slots=True)
class EvalSet:
    """A labelled question file (``eval/*.yaml``)."""

    locale: Locale
    questions: tuple[EvalQuestion, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a matcher did with one question (kept for error analysis)."""

    question: EvalQuestion
    decision: Decision
    answered_id: str | None  # the entry answered, confirmed or suggested first
    shown: tuple[str, ...]  # the entries the decision shows (answer, confirmation or suggestions)
    top3: tuple[str, ...]  # the candidates, best first
    best_score: float  # of the best entry, candidate or not
    not_ours: float  # the score of the "not ours" examples

    @property
    def false_answer(self) -> bool:
        return self.decision is Decision.ANSWER and self.answered_id != self.question.expect


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Counts and rates of one evaluation run."""

    questions: int
    answerable: int
    top1_hits: int
    recall3_hits: int
    false_answers: int
    decisions: dict[str, int]
    answered_right_hits: int = 0
    confirmed_right_hits: int = 0
    suggested: int = 0  # answerable questions that got SUGGEST
    suggest_hits: int = 0
    none_right: int = 0  # NONE decisions on expect: null questions
    outcomes: tuple[Outcome, ...] = field(default=(), repr=False)

    @property
    def top1(self) -> float:
        return _rate(self.top1_hits, self.answerable)

    @property
    def recall_at_3(self) -> float:
        return _rate(self.recall3_hits, self.answerable)

    @property
    def false_answer_rate(self) -> float:
        return _rate(self.false_answers, self.questions)

    @property
    def answered_right(self) -> float:
        return _rate(self.answered_right_hits, self.answerable)

    @property
    def confirmed_right(self) -> float:
        return _rate(self.confirmed_right_hits, self.answerable)

    @property
    def suggest_recall_at_3(self) -> float:
        return _rate(self.suggest_hits, self.suggested)

    @property
    def none_precision(self) -> float:
        return _rate(self.none_right, self.decisions.get(Decision.NONE.value, 0))

    def as_dict(self) -> dict[str, Any]:
        """Plain figures for JSON output (stable keys)."""
        return {
            "top1": round(self.top1, 4),
            "false_answer_rate": round(self.false_answer_rate, 4),
            "recall_at_3": round(self.recall_at_3, 4),
            "answered_right": round(self.answered_right, 4),
            "confirmed_right": round(self.confirmed_right, 4),
            "answered_or_confirmed_right": round(self.answered_right + self.confirmed_right, 4),
            "suggest_recall_at_3": round(self.suggest_recall_at_3, 4),
            "none_precision": round(self.none_precision, 4),
            "questions": self.questions,
            "answerable": self.answerable,
            "top1_hits": self.top1_hits,
            "false_answers": self.false_answers,
            "recall3_hits": self.recall3_hits,
            "answered_right_hits": self.answered_right_hits,
            "confirmed_right_hits": self.confirmed_right_hits,
            "suggested": self.suggested,
            "suggest_hits": self.suggest_hits,
            "none_right": self.none_right,
            "decisions": dict(self.decisions),
        }


def evaluate(matcher_like: Ranker, questions: Iterable[EvalQuestion]) -> EvalReport:
    """Rank every question once: the candidates give top-1/recall@3, the decision false answers."""
    outcomes: list[Outcome] = []
    for item in questions:
        ranking = matcher_like.ranking(item.question, limit=RANK_DEPTH)
        result = matcher_like.thresholds.decide(ranking)  # what ask() returns
        outcomes.append(
            Outcome(
                question=item,
                decision=result.decision,
                answered_id=result.best.entry_id if result.best else None,
                shown=tuple(m.entry_id for m in result.matches),
                top3=tuple(m.entry_id for m in ranking.ours[:3]),
                best_score=ranking.matches[0].score if ranking.matches else 0.0,
                not_ours=ranking.not_ours,
            )
        )
    answerable = [o for o in outcomes if o.question.expect is not None]
    suggested = [o for o in answerable if o.decision is Decision.SUGGEST]
    decisions = {d.value: sum(o.decision is d for o in outcomes) for d in Decision}
    return EvalReport(
        questions=len(outcomes),
        answerable=len(answerable),
        top1_hits=sum(bool(o.top3) and o.top3[0] == o.question.expect for o in answerable),
        recall3_hits=sum(o.question.expect in o.top3 for o in answerable),
        false_answers=sum(o.false_answer for o in outcomes),
        decisions=decisions,
        answered_right_hits=sum(_right(o, Decision.ANSWER) for o in answerable),
        confirmed_right_hits=sum(_right(o, Decision.CONFIRM) for o in answerable),
        suggested=len(suggested),
        suggest_hits=sum(o.question.expect in o.shown for o in suggested),
        none_right=sum(o.decision is Decision.NONE and o.question.expect is None for o in outcomes),
        outcomes=tuple(outcomes),
    )


def _rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _right(outcome: Outcome, decision: Decision) -> bool:
    return outcome.decision is decision and outcome.answered_id == outcome.question.expect


def load_eval_set(path: Path) -> EvalSet:
    """Read ``{locale, questions: [{question, expect}]}``; raises ``EvalSetError`` if malformed."""
    try:
        data = read_yaml(path)
    except Exception as exc:
        raise EvalSetError(str(exc), file=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise EvalSetError(f"{path}: expected a mapping with a 'questions' list", file=str(path))
    questions: list[EvalQuestion] = []
    for number, raw in enumerate(data["questions"], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
            raise EvalSetError(f"{path}: question #{number} lacks a 'question' text", file=str(path))
        expect = raw.get("expect")
        if expect is not None and not isinstance(expect, str):
            raise EvalSetError(f"{path}: question #{number}: 'expect' must be an id or null",
                               file=str(path))
        questions.append(EvalQuestion(question=raw["question"], expect=expect))
    return EvalSet(locale=normalize_locale(str(data.get("locale") or "")), questions=tuple(questions))
