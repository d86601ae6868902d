"""A fuzzy, IDF-weighted inverted index of FAQ entries: the matcher's scoring engine ("soft TF-IDF").

Plain string scorers (``token_set_ratio``, ``WRatio``) treat every word alike, so "reabrir chamado"
scores as well against any phrasing mentioning "chamado" as against the one about reopening (on the
dev set ``token_set_ratio`` alone reaches 72% top-1). This index weighs words by their rarity across
entries (IDF) and lets them match fuzzily, in the spirit of Cohen, Ravikumar & Fienberg's SoftTFIDF
(2003):

* two tokens *match* when ``fuzz.ratio >= token_cutoff`` (85: "chamdo" ~ "chamado", "cancela" ~
  "cancelar"), with similarity ratio / 100. Neighbours of a query token are looked up in the
  vocabulary once, through rapidfuzz's C batch API (``process.extract``) on the few candidates a
  length and shared-bigram filter lets through, and cached;
* ``R`` (message coverage) of a phrasing = sum over the message's tokens of IDF x best similarity
  within the phrasing, over the sum of their IDF; a token unknown to the index weighs 1.5 x the
  IDF of a word rarer than any in the FAQ, so off-topic words ("previsão do tempo amanhã") pull
  the score down. ``P`` (phrasing
  coverage) is the same the other way round, and the phrasing scores ``F1(P, R)``, so an exact
  phrasing beats one that merely contains the message;
* an entry scores ``(1 - a) * [(1 - l) * best phrasing F + l * R1 + t * (R2 - R1)] + a * R3``,
  where R1, R2, R3 are the message coverage by all the entry's phrasings together, plus its tags,
  plus its answer text: a message may combine words of several phrasings, name a tag, or use a
  word only the answer mentions. ``l = 0.5, t = 0.25, a = 0.1``. All scores are 0-100.

Those constants were chosen on the dev set together with a leave-one-phrasing-out check on the FAQ
itself (each phrasing asked against an index without it: independent of every eval file); the
decision thresholds are calibrated separately (``knowledge_base.calibration``).

Scoring walks the postings of the matched tokens only, with numpy (no Python loop over phrasings);
a phrasing sharing no token with the message scores 0 without being looked at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Neighbours = tuple[tuple[int, float], ...]

_NEIGHBOUR_CACHE_SIZE = 100_000


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """The scoring constants (see the module docstring)."""

    token_cutoff: float = 85.0  # fuzz.ratio for two tokens to match
    beta: float = 1.0  # F_beta of phrasing coverage (P) and message coverage (R)
    entry_weight: float = 0.5  # l: message coverage by the whole entry
    keyword_weight: float = 0.25  # t: extra coverage by the entry's tags
    background_weight: float = 0.1  # a: coverage including the answer text
    unknown_weight: float = 1.5  # an unknown message token weighs this x the IDF of a df=0.5 word


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    """What the index knows of one entry, already tokenized."""

    phrasings: Sequence[Sequence[str]]  # question and phrasings; at least one, none empty
    keywords: Sequence[str] = ()  # tags
    background: Sequence[str] = ()  # answer text


@dataclass(frozen=True, slots=True)
class _Csr:
    """Rows of ids, stored flat: row ``k`` is ``ids[start[k]:start[k + 1]]``."""

    start: IntArray
    ids: IntArray

    @classmethod
    def build(cls, rows: Sequence[Sequence[int]]) -> _Csr:
        start = np.zeros(len(rows) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(r) for r in rows])
        ids = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(start[-1]))
        return cls(start, ids)

    @classmethod
    def invert(cls, rows: Sequence[Sequence[int]], columns: int) -> _Csr:
        """Postings: for each column id, the (sorted) rows that contain it."""
        inverted: list[list[int]] = [[] for _ in range(columns)]
        for row, ids in enumerate(rows):
            for column in ids:
                inverted[column].append(row)
        return cls.build(inverted)

    def row(self, k: int) -> IntArray:
        return self.ids[self.start[k] : self.start[k + 1]]


class SoftTfidfIndex:
    """Scores every entry (by position in ``entries``) for a tokenized message."""

    def __init__(self, entries: Sequence[IndexedEntry], weights: ScoringWeights | None = None) -> None:
        self.weights = weights or ScoringWeights()
        self.size = len(entries)
        vocabulary: dict[str, int] = {}

        def ids(tokens: Sequence[str]) -> list[int]:
            return sorted({vocabulary.setdefault(t, len(vocabulary)) for t in tokens})

        choice_rows: list[list[int]] = []
        owners: list[int] = []
        entry_rows: list[list[int]] = []
        for number, entry in enumerate(entries):
            rows = [ids(p) for p in entry.phrasings]
            if not rows or not all(rows):
                raise ValueError(f"entry #{number} needs at least one non-empty phrasing")
            choice_rows.extend(rows)
            owners.extend([number] * len(rows))
            entry_rows.append(sorted({i for r in rows for i in r}))
        keyword_rows = [ids(e.keywords) for e in entries]
        background_rows = [ids(e.background) for e in entries]

        self._vocabulary = vocabulary
        self._tokens = list(vocabulary)
        size = len(self._tokens)
        self._owner = np.asarray(owners, dtype=np.int64)
        self._entry_starts = np.flatnonzero(np.r_[True, self._owner[1:] != self._owner[:-1]])
        self._postings = _Csr.invert(choice_rows, size)
        self._entry_postings = _Csr.invert(entry_rows, size)
        self._keyword_postings = _Csr.invert(keyword_rows, size)
        self._background_postings = _Csr.invert(background_rows, size)

        # IDF over entries, from the phrasings: a word only tags or answers use counts as rare.
        entry_df = np.diff(self._entry_postings.start).astype(np.float64)
        n = max(self.size, 1)
        self._idf = np.log1p(n / np.maximum(entry_df, 1.0)).astype(np.float32)
        self._unknown_idf = self.weights.unknown_weight * float(math.log1p(n / 0.5))
        self._choice_weight = np.array([self._idf[r].sum() for r in choice_rows], dtype=np.float32)

        self._neighbours: dict[str, Neighbours] = {}
        self._token_lengths = np.fromiter(map(len, self._tokens), dtype=np.int64, count=size)
        bigram_ids: dict[str, int] = {}
        token_bigrams = [[bigram_ids.setdefault(g, len(bigram_ids)) for g in _bigrams(t)] for t in self._tokens]
        self._bigram_ids = bigram_ids
        self._bigram_postings = _Csr.invert(token_bigrams, len(bigram_ids))

    @property
    def vocabulary_size(self) -> int:
        return len(self._tokens)

    def score(self, tokens: Sequence[str]) -> FloatArray:
        """Score (0-100) of every entry for the message ``tokens``; 0 for entries sharing nothing."""
        w = self.weights
        query = list(dict.fromkeys(tokens))
        if not query or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        n_choices = len(self._owner)
        phrasing_hit = np.zeros(n_choices, dtype=np.float32)  # sum of IDF x best similarity
        entry_hit = np.zeros(self.size, dtype=np.float32)  # R1 numerator
        keyword_hit = np.zeros(self.size, dtype=np.float32)  # R2 numerator
        background_hit = np.zeros(self.size, dtype=np.float32)  # R3 numerator
        best_per_token: dict[int, float] = {}  # vocabulary id -> best similarity to the message
        query_weight = 0.0
        for token in query:
            neighbours = self.neighbours(token)
            if not neighbours:
                query_weight += self._unknown_idf
                continue
            weight = float(self._idf[max(neighbours, key=lambda n: (n[1], self._idf[n[0]]))[0]])
            query_weight += weight
            phrasing_hit += weight * _best_similarity(neighbours, self._postings, n_choices)
            in_entry = _best_similarity(neighbours, self._entry_postings, self.size)
            with_keywords = np.maximum(in_entry, _best_similarity(neighbours, self._keyword_postings, self.size))
            with_background = np.maximum(
                with_keywords, _best_similarity(neighbours, self._background_postings, self.size)
            )
            entry_hit += weight * in_entry
            keyword_hit += weight * with_keywords
            background_hit += weight * with_background
            for token_id, similarity in neighbours:
                best_per_token[token_id] = max(best_per_token.get(token_id, 0.0), similarity)
        if not best_per_token:
            return np.zeros(self.size, dtype=np.float32)
        total = np.float32(query_weight)
        best_phrasing = np.maximum.reduceat(self._f_beta(phrasing_hit / total, best_per_token), self._entry_starts)
        r1, r2, r3 = entry_hit / total, keyword_hit / total, background_hit / total
        blended = (1 - w.entry_weight) * best_phrasing + w.entry_weight * r1 + w.keyword_weight * (r2 - r1)
        final = (1 - w.background_weight) * blended + w.background_weight * r3
        return np.asarray(100.0 * final, dtype=np.float32)

    def neighbours(self, token: str) -> Neighbours:
        """Vocabulary ids matching ``token`` with their similarity in (0, 1]; cached per token."""
        cached = self._neighbours.get(token)
        if cached is not None:
            return cached
        exact = self._vocabulary.get(token)
        candidates = self._fuzzy_candidates(token)
        found: dict[int, float] = {}
        for _, score, i in process.extract(
            token,
            [self._tokens[i] for i in candidates],
            scorer=fuzz.ratio,
            score_cutoff=self.weights.token_cutoff,
            limit=None,
        ):
            found[int(candidates[i])] = float(score) / 100.0
        if exact is not None:
            found[exact] = 1.0
        result = tuple(found.items())
        if len(self._neighbours) >= _NEIGHBOUR_CACHE_SIZE:
            self._neighbours.clear()
        self._neighbours[token] = result
        return result

    def _f_beta(self, recall: FloatArray, best_per_token: dict[int, float]) -> FloatArray:
        beta2 = self.weights.beta**2
        rows = [self._postings.row(t) for t in best_per_token]
        covered = np.bincount(
            np.concatenate(rows),
            np.concatenate(
                [np.full(len(r), self._idf[t] * s) for r, (t, s) in zip(rows, best_per_token.items(), strict=True)]
            ),
            minlength=len(self._owner),
        ).astype(np.float32)
        precision = covered / self._choice_weight
        denominator = beta2 * precision + recall
        f_beta = np.divide(
            (1 + beta2) * precision * recall, denominator, out=np.zeros_like(recall), where=denominator > 0
        )
        return np.asarray(f_beta, dtype=np.float32)

    def _fuzzy_candidates(self, token: str) -> IntArray:
        """Vocabulary ids that can reach the ratio cutoff, by length and shared bigrams (q-gram lemma).

        ``ratio = 1 - d / (la + lb) >= c`` bounds the other token's length to
        ``[L c / (2 - c), L (2 - c) / c]`` and the Indel distance to ``d <= 2 L (1 - c) / c``;
        each insertion or deletion destroys at most two bigrams of the padded token, so a
        candidate shares at least ``|bigrams| - 2 d`` distinct bigrams with it. Only those
        candidates are scored, which gives the same result as scoring the whole vocabulary.
        """
        c = self.weights.token_cutoff / 100.0
        length = len(token)
        lengths = self._token_lengths
        in_range = (lengths >= length * c / (2 - c) - 1e-9) & (lengths <= length * (2 - c) / c + 1e-9)
        grams = _bigrams(token)
        needed = len(grams) - 2 * math.floor(2 * length * (1 - c) / c + 1e-9)
        if needed <= 0:
            return np.flatnonzero(in_range)
        rows = [self._bigram_postings.row(k) for k in map(self._bigram_ids.get, grams) if k is not None]
        if not rows:
            return np.empty(0, dtype=np.int64)
        shared = np.bincount(np.concatenate(rows), minlength=len(self._tokens))
        return np.flatnonzero(in_range & (shared >= needed))


def _best_similarity(neighbours: Neighbours, postings: _Csr, size: int) -> FloatArray:
    """For each row id: the best similarity of any neighbour it contains (0 if none)."""
    best = np.zeros(size, dtype=np.float32)
    if len(neighbours) == 1:
        token_id, similarity = neighbours[0]
        best[postings.row(token_id)] = similarity
        return best
    for token_id, similarity in neighbours:
        np.maximum.at(best, postings.row(token_id), np.float32(similarity))
    return best


def _bigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}
