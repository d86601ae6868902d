"""The decision shared by every matcher: answer, confirm, suggest, or hand over to a human.

A ranker hands over a ``Ranking``: the served entries ranked best first (one per entry, score
0-100), the best score of the FAQ's "not ours" examples (messages no entry should answer although
they share its words: "esqueci a senha do meu gmail"), the entry whose phrasing the message
exactly is, if any, and the best entry's known neighbours (its ``related:`` list in the YAML). Then:

* ANSWER  -- the message, once normalized, IS one of the best entry's phrasings (the same words)
             and no other entry's: the FAQ's authors wrote that question for that entry (on the
             development pool this rule never answered wrong); or the best score is >= ``answer``
             AND beats both the second-best entry and the "not ours" examples by >= ``margin``;
             or (a decision that knows related entries) the runner-up is a neighbour of the best,
             the best scores >= ``related_answer``, leads that neighbour by >= ``related_gap`` and
             leads the best candidate that is NOT a neighbour (and the "not ours" examples) by
             >= ``related_margin``: two related entries are no real ambiguity. One match is
             returned; but for an exact phrasing, ``see_also`` holds the best entry's neighbours
             among the next candidates scoring >= ``suggest`` (at most ``MAX_SEE_ALSO``),
             offered under the answer.
* NONE    -- the "not ours" examples score at least as high as the best entry: the message is
             about something else.
* CONFIRM -- one entry well ahead in rank but with a low score: the best scores >= ``confirm``
             and leads the next candidate (and the "not ours" examples) by >= ``confirm_margin``.
             One match; the dialog asks "did you mean ...?".
* SUGGEST -- otherwise, the best score is >= ``suggest``; up to three matches scoring >= ``suggest``
             and above the "not ours" examples (real ambiguity between unrelated entries).
* NONE    -- otherwise; no match.

The thresholds are calibrated on the development pool (``eval/dev*.yaml``) by
``knowledge_base.calibration`` and stored in ``thresholds.yaml``, one section per matcher kind
("matcher", "bm25"); a band whose thresholds are missing (101) is off.
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
MAX_SEE_ALSO = 2
RANK_DEPTH = 5  # candidates a ranker hands the decision: enough to find the best non-neighbour
OFF = 101.0  # a score threshold no score reaches: the band is off


class Decision(StrEnum):
    """What the dialog should do with a client's message."""

    ANSWER = "answer"
    CONFIRM = "confirm"
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
    """The decision and its matches, best first (1 for ANSWER and CONFIRM, 1-3 for SUGGEST, 0 for
    NONE); ``see_also``: related entries offered under an answer."""

    decision: Decision
    matches: list[Match] = field(default_factory=list)
    see_also: list[Match] = field(default_factory=list)

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
    related: frozenset[str] = frozenset()  # the best entry's neighbours (its ``related:`` list)

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

    @property
    def neighbour_second(self) -> bool:
        """The runner-up is a known neighbour of the best entry."""
        return len(self.matches) > 1 and self.matches[1].entry_id in self.related

    @property
    def unrelated_margin(self) -> float:
        """How far the best entry leads the best candidate that is not its neighbour (or "not ours")."""
        if not self.matches:
            return 0.0
        rival = next((m.score for m in self.matches[1:] if m.entry_id not in self.related), 0.0)
        return self.matches[0].score - max(rival, self.not_ours)

    @property
    def gap(self) -> float:
        """How far the best entry leads the runner-up, whatever it is (0 if none)."""
        if len(self.matches) < 2:
            return self.matches[0].score if self.matches else 0.0
        return self.matches[0].score - self.matches[1].score


def split_not_ours(scores: npt.NDArray[Any], has_not_ours: bool) -> tuple[npt.NDArray[Any], float]:
    """The served entries' scores and the "not ours" score, which rankers keep last (0 without it)."""
    if not has_not_ours:
        return scores, 0.0
    return scores[:-1], round(float(scores[-1]), 2)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score bands: ``answer``, ``related_answer``, ``confirm`` and ``suggest`` are scores, the
    margins and ``related_gap`` score differences. The related and confirm bands are off by default."""

    answer: float
    margin: float
    suggest: float
    related_answer: float = OFF
    related_margin: float = 0.0
    related_gap: float = 0.0
    confirm: float = OFF
    confirm_margin: float = 0.0

    def decide(self, ranking: Ranking) -> MatchResult:
        """Apply the bands (module docstring) to a ranker's findings."""
        if not ranking.matches:
            return MatchResult(Decision.NONE)
        best = ranking.matches[0]
        if ranking.exact == best.entry_id:  # the FAQ's own words: nothing to see besides
            return MatchResult(Decision.ANSWER, [best])
        ours = ranking.ours
        if not ours:
            return MatchResult(Decision.NONE)
        if self.answers(ranking):
            return self._answer(ranking)
        if best.score >= self.confirm and ranking.margin >= self.confirm_margin:
            return MatchResult(Decision.CONFIRM, [best])
        close = [m for m in ours[:MAX_SUGGESTIONS] if m.score >= self.suggest]
        if close:
            return MatchResult(Decision.SUGGEST, close)
        return MatchResult(Decision.NONE)

    def answers(self, ranking: Ranking) -> bool:
        """The score bands alone answer (the exact-phrasing rule aside): plain or related ANSWER."""
        best = ranking.matches[0].score if ranking.ours else 0.0
        if best <= 0:
            return False
        if best >= self.answer and ranking.margin >= self.margin:
            return True
        return (
            ranking.neighbour_second
            and best >= self.related_answer
            and ranking.gap >= self.related_gap
            and ranking.unrelated_margin >= self.related_margin
        )

    def _answer(self, ranking: Ranking) -> MatchResult:
        best = ranking.matches[0]
        see_also = [m for m in ranking.ours[1 : 1 + MAX_SUGGESTIONS]
                    if m.entry_id in ranking.related and m.score >= self.suggest]
        return MatchResult(Decision.ANSWER, [best], see_also[:MAX_SEE_ALSO])

    def as_dict(self) -> dict[str, float]:
        return {
            "answer": self.answer, "margin": self.margin, "suggest": self.suggest,
            "related_answer": self.related_answer, "related_margin": self.related_margin,
            "related_gap": self.related_gap, "confirm": self.confirm, "confirm_margin": self.confirm_margin,
        }


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
    optional = {k: float(section[k]) for k in _OPTIONAL if k in section}
    return Thresholds(
        answer=float(section["answer"]),
        margin=float(section["margin"]),
        suggest=float(section["suggest"]),
        **optional,
    )


_OPTIONAL = ("related_answer", "related_margin", "related_gap", "confirm", "confirm_margin")
