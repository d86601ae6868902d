"""The three-band decision shared by every matcher: answer, suggest, or hand over to a human.

A ranker hands over a ``Ranking``: the served entries ranked best first (one per entry, score
0-100), the best score of the FAQ's "not ours" examples (messages no entry should answer although
they share its words: "esqueci a senha do meu gmail"), and the entry whose phrasing the message
exactly is, if any. Then:

* ANSWER  -- the message, once normalized, IS one of the best entry's phrasings (the same words)
             and no other entry's: the FAQ's authors wrote that question for that entry (on the
             development pool this rule never answered wrong); or the best score is >= ``answer``
             AND beats both the second-best entry and the "not ours" examples by >= ``margin``.
             One match is returned.
* NONE    -- the "not ours" examples score at least as high as the best entry: the message is
             about something else.
* SUGGEST -- otherwise, the best score is >= ``suggest``; up to three matches scoring >= ``suggest``
             and above the "not ours" examples.
* NONE    -- otherwise; no match.

The thresholds are calibrated on the development pool (``eval/dev*.yaml``) by
``knowledge_base.calibration`` and stored in ``thresholds.yaml``, one section per matcher kind
("matcher", "bm25").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy.typing as npt
import yaml

THRESHOLDS_FILE = Path(__file__).parent / "thresholds.yaml"
MAX_SUGGESTIONS = 3


class Decision(StrEnum):
    """What the dialog should do with a client's message."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Match:
    """One FAQ entry proposed for a message, in the matcher's locale; ``score`` is 0-100."""

    entry_id: str
    question: str
    answer: str
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The decision and its matches, best first (1 for ANSWER, 1-3 for SUGGEST, 0 for NONE)."""

    decision: Decision
    matches: list[Match] = field(default_factory=list)

    @property
    def best(self) -> Match | None:
        """The top match, if any."""
        return self.matches[0] if self.matches else None


@dataclass(frozen=True, slots=True)
class Ranking:
    """What a ranker found for one message, before any decision."""

    matches: list[Match]  # served entries, best first, scores > 0
    not_ours: float = 0.0  # best score of the "not ours" examples (0 without any)
    exact: str | None = None  # the entry one of whose phrasings the message is (ExactPhrasings)

    @property
    def ours(self) -> list[Match]:
        """The matches scoring above the "not ours" examples: the candidates a decision may use."""
        return [m for m in self.matches if m.score > self.not_ours]

    @property
    def margin(self) -> float:
        """How far the best entry leads the next candidate (second entry or "not ours"); 0 if none."""
        if not self.matches:
            return 0.0
        second = self.matches[1].score if len(self.matches) > 1 else 0.0
        return self.matches[0].score - max(second, self.not_ours)


def split_not_ours(scores: npt.NDArray[Any], has_not_ours: bool) -> tuple[npt.NDArray[Any], float]:
    """The served entries' scores and the "not ours" score, which rankers keep last (0 without it)."""
    if not has_not_ours:
        return scores, 0.0
    return scores[:-1], round(float(scores[-1]), 2)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score bands: ``answer`` and ``suggest`` are scores, ``margin`` a score difference."""

    answer: float
    margin: float
    suggest: float

    def decide(self, ranking: Ranking) -> MatchResult:
        """Apply the bands (module docstring) to a ranker's findings."""
        if not ranking.matches:
            return MatchResult(Decision.NONE)
        best = ranking.matches[0]
        if ranking.exact == best.entry_id:
            return MatchResult(Decision.ANSWER, [best])
        ours = ranking.ours
        if not ours:
            return MatchResult(Decision.NONE)
        if best.score >= self.answer and ranking.margin >= self.margin:
            return MatchResult(Decision.ANSWER, [best])
        close = [m for m in ours[:MAX_SUGGESTIONS] if m.score >= self.suggest]
        if close:
            return MatchResult(Decision.SUGGEST, close)
        return MatchResult(Decision.NONE)

    def as_dict(self) -> dict[str, float]:
        return {"answer": self.answer, "margin": self.margin, "suggest": self.suggest}


class ExactPhrasings:
    """Which entry a message's words are exactly a phrasing of (as a set of normalized tokens).

    A word set shared by phrasings of two entries belongs to neither: only an unambiguous
    phrasing settles the answer on its own.
    """

    def __init__(self, phrasings: Iterable[tuple[str, Sequence[str]]]) -> None:
        owners: dict[frozenset[str], str | None] = {}
        for entry_id, tokens in phrasings:
            key = frozenset(tokens)
            if key:
                owners[key] = entry_id if owners.get(key, entry_id) == entry_id else None
        self._owners = owners

    def owner(self, tokens: Sequence[str]) -> str | None:
        """The one entry having a phrasing with exactly these words, or None."""
        return self._owners.get(frozenset(tokens))


# Used when thresholds.yaml lacks a section (e.g. before the first calibration).
FALLBACK_THRESHOLDS: dict[str, Thresholds] = {
    "matcher": Thresholds(answer=85.0, margin=5.0, suggest=60.0),
    "bm25": Thresholds(answer=60.0, margin=10.0, suggest=30.0),
}


def load_thresholds(kind: str, path: Path | None = None) -> Thresholds:
    """The calibrated thresholds for ``kind`` ("matcher" or "bm25") from ``thresholds.yaml``."""
    file = THRESHOLDS_FILE if path is None else path
    data: Any = yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else None
    section = data.get(kind) if isinstance(data, dict) else None
    if not isinstance(section, dict):
        return FALLBACK_THRESHOLDS[kind]
    return Thresholds(
        answer=float(section["answer"]),
        margin=float(section["margin"]),
        suggest=float(section["suggest"]),
    )
