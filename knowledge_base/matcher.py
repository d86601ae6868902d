"""The level-0 FAQ matcher: ranks served entries for a client's message and decides what to do.

At construction it normalizes the question and phrasings of every non-draft entry in its locale
(``knowledge_base.normalize``) and builds ONE ``SoftTfidfIndex`` over them (fuzzy token matching
with rapidfuzz, IDF weights, an entry's score blending its best phrasing with the whole entry, its
tags and its answer; see ``knowledge_base.index``). A message is normalized the same way and scored; the ranked
entries go through the three-band decision of ``knowledge_base.decision``. The FAQ's "not ours"
examples are indexed as one more entry, never served: its score is the one the best entry must
beat. A message with no
meaningful token (greetings, thanks, laughter, stop words) gets NONE without scoring; a long one
(more than ``WINDOW`` tokens) is also scored on overlapping windows, so that the question buried
in a story is not drowned by the words around it.

Usage::

    matcher = Matcher(load_knowledge_base(), "pt-BR")
    result = matcher.ask("como abro um chamado")
    if result.decision is Decision.ANSWER: ...
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from knowledge_base.decision import (
    OFF,
    RANK_DEPTH,
    ExactPhrasings,
    Match,
    MatchResult,
    Ranking,
    Thresholds,
    load_thresholds,
    split_not_ours,
)
from knowledge_base.index import IndexedEntry, ScoringWeights, SoftTfidfIndex
from knowledge_base.loader import KnowledgeBase
from knowledge_base.locales import Locale, normalize_locale
from knowledge_base.normalize import stemmer, tokenize
from knowledge_base.schema import LocalizedEntry

# A message longer than this many tokens is also scored window by window (stride half a window),
# each entry keeping its best score: the question buried in a long story is found on its own.
# (8 suited a FAQ of 4-6 phrasings per entry; with ~30, whole-entry coverage already finds the
# question in a message of a dozen words, and shorter windows mislead more than they help.)
WINDOW = 16


@dataclass(frozen=True, slots=True)
class _Served:
    entry_id: str
    text: LocalizedEntry


class Matcher:
    """Fuzzy FAQ matcher for one locale.

    ``answer``, ``margin`` and ``suggest`` (or a whole ``thresholds``) override the calibrated
    values read from ``thresholds.yaml``; given as keywords they describe the plain three bands,
    so the related-answer and confirm bands are then off; ``weights`` overrides the scoring constants (experiments).
    """

    kind = "matcher"

    def __init__(
        self,
        kb: KnowledgeBase,
        locale: str = "pt-BR",
        *,
        thresholds: Thresholds | None = None,
        answer: float | None = None,
        margin: float | None = None,
        suggest: float | None = None,
        weights: ScoringWeights | None = None,
    ) -> None:
        self.locale: Locale = normalize_locale(locale)
        base = thresholds or load_thresholds(self.kind)
        if thresholds is None and (answer, margin, suggest) != (None, None, None):
            base = replace(base, related_answer=OFF, confirm=OFF)  # keywords set the three plain bands
        self.thresholds = replace(
            base,
            answer=base.answer if answer is None else answer,
            margin=base.margin if margin is None else margin,
            suggest=base.suggest if suggest is None else suggest,
        )
        self._served: list[_Served] = []
        self._related = {entry.id: kb.related(entry.id) for entry in kb.served}
        self._choices: list[str] = []
        self._owners: list[int] = []
        indexed: list[IndexedEntry] = []
        for entry in kb.served:
            text = entry.localized(self.locale)
            phrasings: dict[str, list[str]] = {}
            for phrasing in (text.question, *text.phrasings):
                tokens = tokenize(phrasing, self.locale)
                if tokens:
                    phrasings.setdefault(" ".join(tokens), tokens)
            if not phrasings:
                continue
            self._choices.extend(phrasings)
            self._owners.extend([len(self._served)] * len(phrasings))
            self._served.append(_Served(entry.id, text))
            indexed.append(
                IndexedEntry(
                    phrasings=list(phrasings.values()),
                    keywords=[t for tag in entry.tags for t in tokenize(tag, self.locale)],
                    background=tokenize(text.answer, self.locale),
                )
            )
        not_ours = [tokens for tokens in (tokenize(m, self.locale) for m in kb.not_ours_for(self.locale)) if tokens]
        self._has_not_ours = bool(not_ours)
        if not_ours:
            indexed.append(IndexedEntry(phrasings=not_ours, served=False))  # last, after the served entries
        self._index = SoftTfidfIndex(indexed, weights, stem=stemmer(self.locale))
        owners = (self._served[i].entry_id for i in self._owners)
        self._exact = ExactPhrasings(zip(owners, (c.split() for c in self._choices), strict=True))
        self.window = WINDOW

    def __len__(self) -> int:
        """Number of indexed choices (normalized questions and phrasings)."""
        return len(self._choices)

    @property
    def choices(self) -> list[str]:
        """The indexed strings (normalized questions and phrasings), grouped by entry."""
        return list(self._choices)

    @property
    def choice_owner_ids(self) -> list[str]:
        """The entry id of each string in ``choices``."""
        return [self._served[i].entry_id for i in self._owners]

    def ask(self, text: str) -> MatchResult:
        """Answer (one match), suggest (up to three) or NONE for a client's message."""
        return self.thresholds.decide(self._ranking(tokenize(text, self.locale), limit=RANK_DEPTH))

    def ranking(self, text: str, limit: int = 3) -> Ranking:
        """The best ``limit`` entries for ``text`` and what the decision weighs them against."""
        return self._ranking(tokenize(text, self.locale), limit)

    def rank(self, text: str, limit: int = 3) -> list[Match]:
        """The best ``limit`` entries for ``text``, best first, whatever their score (> 0).

        Empty when the message has no meaningful token or shares nothing with the FAQ.
        """
        return self._ranking(tokenize(text, self.locale), limit).matches

    def _ranking(self, tokens: list[str], limit: int) -> Ranking:
        if not tokens or not self._served:
            return Ranking([])
        scores = self._index.score(tokens)
        if self.window and len(tokens) > self.window:
            step = max(1, self.window // 2)
            for start in range(0, len(tokens) - self.window + step, step):
                scores = np.maximum(scores, self._index.score(tokens[start : start + self.window]))
        scores, not_ours = split_not_ours(scores, self._has_not_ours)
        count = min(limit, len(scores))
        if count <= 0:
            return Ranking([], not_ours)
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top], kind="stable")]
        matches = [self._match(int(i), float(scores[i])) for i in top if scores[i] > 0]
        related = self._related.get(matches[0].entry_id, frozenset()) if matches else frozenset()
        return Ranking(matches, not_ours, self._exact.owner(tokens), related)

    def _match(self, index: int, score: float) -> Match:
        served = self._served[index]
        return Match(served.entry_id, served.text.question, served.text.answer, round(score, 2))
