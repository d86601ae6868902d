"""A BM25 baseline (bm25s) over the matcher's normalized text, with the same three-band decision.

Each served entry is one document: the tokens of its question and all its phrasings (one document
per entry ranked better on dev than one per phrasing: 88% vs 76% top-1). Raw BM25 scores are
unbounded, so they are mapped to 0-100 by dividing by the score of an average-length document
holding each message token once, i.e. the sum of the message tokens' IDF (a token unknown to the
index counts at the highest IDF): "how much of the message this entry explains". The thresholds
(section "bm25" of ``thresholds.yaml``) are calibrated like the matcher's, on dev only. It exists
for comparison. The FAQ's "not ours" examples are one more document, never served, weighed by
the decision like the matcher's.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import bm25s
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
from knowledge_base.loader import KnowledgeBase
from knowledge_base.locales import Locale, normalize_locale
from knowledge_base.normalize import tokenize
from knowledge_base.schema import LocalizedEntry


@dataclass(frozen=True, slots=True)
class _Served:
    entry_id: str
    text: LocalizedEntry


class Bm25Matcher:
    """BM25 ranking of FAQ entries; same ``rank``/``ask`` interface as ``Matcher``."""

    kind = "bm25"

    def __init__(
        self,
        kb: KnowledgeBase,
        locale: str = "pt-BR",
        *,
        thresholds: Thresholds | None = None,
        answer: float | None = None,
        margin: float | None = None,
        suggest: float | None = None,
        k1: float = 1.5,
        b: float = 0.75,
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
        corpus: list[list[str]] = []
        phrasings: list[tuple[str, list[str]]] = []
        for entry in kb.served:
            text = entry.localized(self.locale)
            tokenized = [tokenize(s, self.locale) for s in (text.question, *text.phrasings)]
            tokens = [t for p in tokenized for t in p]
            if tokens:
                self._served.append(_Served(entry.id, text))
                corpus.append(tokens)
                phrasings.extend((entry.id, p) for p in tokenized)
        self._exact = ExactPhrasings(phrasings)
        not_ours = [t for message in kb.not_ours_for(self.locale) for t in tokenize(message, self.locale)]
        self._has_not_ours = bool(not_ours and corpus)
        if self._has_not_ours:
            corpus.append(not_ours)  # last, after the served entries
        self._retriever = bm25s.BM25(k1=k1, b=b)
        if corpus:
            self._retriever.index(corpus, show_progress=False)
        # The 0-100 scale counts a word only the "not ours" examples use as unknown (as the matcher does).
        served = corpus[:-1] if self._has_not_ours else corpus
        df: Counter[str] = Counter(t for doc in served for t in set(doc))
        n = len(served)
        self._idf = {t: _lucene_idf(n, d) for t, d in df.items()}
        self._unknown_idf = _lucene_idf(n, 0)

    def ask(self, text: str) -> MatchResult:
        """Answer, suggest up to three entries, or decide that none fits (same rules as ``Matcher``)."""
        return self.thresholds.decide(self._ranking(tokenize(text, self.locale), limit=RANK_DEPTH))

    def ranking(self, text: str, limit: int = 3) -> Ranking:
        """The best ``limit`` entries for ``text`` and what the decision weighs them against."""
        return self._ranking(tokenize(text, self.locale), limit)

    def rank(self, text: str, limit: int = 3) -> list[Match]:
        """The best ``limit`` entries by normalized BM25 score, best first."""
        return self._ranking(tokenize(text, self.locale), limit).matches

    def _ranking(self, tokens: list[str], limit: int) -> Ranking:
        if not tokens or not self._served:
            return Ranking([])
        raw = np.asarray(self._retriever.get_scores(tokens), dtype=np.float64)
        scores = np.minimum(100.0, 100.0 * raw / self._self_score(tokens))
        scores, not_ours = split_not_ours(scores, self._has_not_ours)
        order = np.argsort(-scores, kind="stable")[:limit]
        matches = [self._match(int(i), float(scores[i])) for i in order if scores[i] > 0]
        related = self._related.get(matches[0].entry_id, frozenset()) if matches else frozenset()
        return Ranking(matches, not_ours, self._exact.owner(tokens), related)

    def _self_score(self, tokens: list[str]) -> float:
        # The score of an average-length document holding each query token once: sum of IDFs.
        return sum(self._idf.get(token, self._unknown_idf) for token in set(tokens))

    def _match(self, index: int, score: float) -> Match:
        served = self._served[index]
        return Match(served.entry_id, served.text.question, served.text.answer, round(score, 2))


def _lucene_idf(documents: int, frequency: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
