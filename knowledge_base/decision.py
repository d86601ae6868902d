"""The three-band decision shared by every matcher: answer, suggest, or hand over to a human.

Given candidates ranked best first (one per entry, score 0-100):

* ANSWER  -- the best score is >= ``answer`` AND beats the second-best *entry* by >= ``margin``;
             or the message, once normalized, IS one of the best entry's phrasings (the same
             words) and no other entry's: the FAQ's authors wrote that question for that entry
             (on the development pool this rule never answered wrong). One match is returned.
* SUGGEST -- otherwise, the best score is >= ``suggest``; up to three matches scoring >= ``suggest``.
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
class Thresholds:
    """Score bands: ``answer`` and ``suggest`` are scores, ``margin`` a score difference."""

    answer: float
    margin: float
    suggest: float

    def decide(self, ranked: list[Match], exact: str | None = None) -> MatchResult:
        """Apply the bands to candidates ranked best first (one per entry).

        ``exact`` is the entry whose phrasing the message is, if any (``ExactPhrasings.owner``).
        """
        if not ranked:
            return MatchResult(Decision.NONE)
        best = ranked[0]
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if exact == best.entry_id or (best.score >= self.answer and best.score - second >= self.margin):
            return MatchResult(Decision.ANSWER, [best])
        if best.score >= self.suggest:
            close = [m for m in ranked[:MAX_SUGGESTIONS] if m.score >= self.suggest]
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
