"""A fuzzy, IDF-weighted inverted index of phrasings: the matcher's scoring engine ("soft TF-IDF").

Plain string scorers (``token_set_ratio``, ``WRatio``) treat every word alike, so a message
"reabrir chamado" scores as well against any phrasing mentioning "chamado" as against the one about
reopening. This index weighs words by their rarity across entries (IDF) and lets them match
fuzzily, in the spirit of Cohen, Ravikumar & Fienberg's SoftTFIDF (2003):

* two tokens *match* when ``fuzz.ratio >= token_cutoff`` (85: "chamdo" ~ "chamado", "cancela" ~
  "cancelar"); their similarity is that ratio / 100. Fuzzy neighbours of a query token are found in
  the vocabulary with rapidfuzz's C batch API (``process.extract``) and cached per token;
* ``R`` (query coverage) of a phrasing = sum over query tokens of IDF x best similarity within the
  phrasing, over the sum of the query tokens' IDF. A query token unknown to the whole index weighs
  the highest IDF, so off-topic words pull the score down;
* ``P`` (phrasing coverage) = the same, the other way round: how much of the phrasing's IDF mass
  the query covers;
* a phrasing scores ``F_beta(P, R)`` (beta > 1 favours covering the message), and an entry scores
  ``(1 - entry_weight) * best phrasing F + entry_weight * R of the entry`` where the entry's R lets
  a message combine words spread over several of the entry's phrasings. All scores are 0-100.

Scoring walks the postings of the matched tokens only (numpy, no Python loop over choices); a
choice sharing no token with the message scores 0 without being looked at.
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

TOKEN_CUTOFF = 85.0
BETA = 2.0
ENTRY_WEIGHT = 0.5
_NEIGHBOUR_CACHE_SIZE = 100_000


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

    def row(self, k: int) -> IntArray:
        return self.ids[self.start[k] : self.start[k + 1]]


class SoftTfidfIndex:
    """Choices (token lists) grouped by owner (entry numbers 0..n-1, each owner's choices
    contiguous); scores every owner for a query."""

    def __init__(
        self,
        choices: Sequence[Sequence[str]],
        owners: Sequence[int],
        *,
        token_cutoff: float = TOKEN_CUTOFF,
        beta: float = BETA,
        entry_weight: float = ENTRY_WEIGHT,
    ) -> None:
        if len(choices) != len(owners):
            raise ValueError("one owner per choice")
        if list(owners) != sorted(owners) or (owners and owners[-1] != len(set(owners)) - 1):
            raise ValueError("owners must be 0, 1, 2, ... with each owner's choices contiguous")
        self.owners = len(set(owners))
        self._owner: IntArray = np.asarray(owners, dtype=np.int64)
        self._entry_starts: IntArray = np.flatnonzero(
            np.r_[True, self._owner[1:] != self._owner[:-1]]
        ).astype(np.int64)
        self._token_cutoff = token_cutoff
        self._beta2 = beta * beta
        self._entry_weight = entry_weight
        vocabulary: dict[str, int] = {}
        choice_rows: list[list[int]] = []
        entry_rows: list[set[int]] = []
        for tokens, owner in zip(choices, owners, strict=True):
            ids = sorted({vocabulary.setdefault(t, len(vocabulary)) for t in tokens})
            for token_id in ids:
                while token_id >= len(entry_rows):
                    entry_rows.append(set())
                entry_rows[token_id].add(owner)
            choice_rows.append(ids)
        self._vocabulary = vocabulary
        self._tokens = list(vocabulary)
        postings: list[list[int]] = [[] for _ in vocabulary]
        for choice_id, ids in enumerate(choice_rows):
            for token_id in ids:
                postings[token_id].append(choice_id)
        self._postings = _Csr.build(postings)
        self._entry_postings = _Csr.build([sorted(r) for r in entry_rows])
        entry_df = np.diff(self._entry_postings.start).astype(np.float64)
        n = max(self.owners, 1)
        self._idf = np.log1p(n / np.maximum(entry_df, 1.0)).astype(np.float32)
        self._unknown_idf = float(math.log1p(n / 0.5))
        weight = np.zeros(len(choice_rows), dtype=np.float32)
        for choice_id, ids in enumerate(choice_rows):
            weight[choice_id] = float(self._idf[ids].sum()) if ids else 1.0
        self._choice_weight = weight
        self._neighbours: dict[str, tuple[tuple[int, float], ...]] = {}
        self._token_lengths = np.fromiter(map(len, self._tokens), dtype=np.int64)
        bigram_ids: dict[str, int] = {}
        bigram_rows: list[list[int]] = []
        for token_id, token in enumerate(self._tokens):
            for gram in _bigrams(token):
                key = bigram_ids.setdefault(gram, len(bigram_ids))
                if key == len(bigram_rows):
                    bigram_rows.append([])
                bigram_rows[key].append(token_id)
        self._bigram_ids = bigram_ids
        self._bigram_postings = _Csr.build(bigram_rows)

    @property
    def vocabulary_size(self) -> int:
        return len(self._tokens)

    def score(self, tokens: Sequence[str]) -> FloatArray:
        """Score (0-100) of every owner for the query ``tokens``; 0 for owners sharing nothing."""
        entry_score = np.zeros(self.owners, dtype=np.float32)
        query = list(dict.fromkeys(tokens))
        if not query or not self._tokens:
            return entry_score
        n_choices = len(self._owner)
        query_hit = np.zeros(n_choices, dtype=np.float32)  # sum of IDF x best similarity
        entry_hit = np.zeros(self.owners, dtype=np.float32)
        best_per_token: dict[int, float] = {}  # vocabulary id -> best similarity to the query
        query_weight = 0.0
        for token in query:
            neighbours = self.neighbours(token)
            if not neighbours:
                query_weight += self._unknown_idf
                continue
            weight = float(self._idf[max(neighbours, key=lambda n: (n[1], self._idf[n[0]]))[0]])
            query_weight += weight
            query_hit += weight * self._best_similarity(neighbours, self._postings, n_choices)
            entry_hit += weight * self._best_similarity(neighbours, self._entry_postings, self.owners)
            for token_id, similarity in neighbours:
                best_per_token[token_id] = max(best_per_token.get(token_id, 0.0), similarity)
        if not best_per_token:
            return entry_score
        recall = query_hit / np.float32(query_weight)
        precision = self._phrasing_coverage(best_per_token, n_choices) / self._choice_weight
        denominator = self._beta2 * precision + recall
        f_beta = np.divide(
            (1 + self._beta2) * precision * recall,
            denominator,
            out=np.zeros_like(recall),
            where=denominator > 0,
        )
        entry_score = np.maximum.reduceat(f_beta, self._entry_starts)
        entry_recall = entry_hit / np.float32(query_weight)
        blended = (1 - self._entry_weight) * entry_score + self._entry_weight * entry_recall
        return np.asarray(100.0 * blended, dtype=np.float32)

    def neighbours(self, token: str) -> tuple[tuple[int, float], ...]:
        """Vocabulary ids matching ``token`` (ratio >= cutoff) with their similarity in [0, 1]."""
        cached = self._neighbours.get(token)
        if cached is not None:
            return cached
        exact = self._vocabulary.get(token)
        candidates = self._fuzzy_candidates(token)
        found = process.extract(
            token,
            [self._tokens[i] for i in candidates],
            scorer=fuzz.ratio,
            score_cutoff=self._token_cutoff,
            limit=None,
        )
        result = tuple(
            (int(candidates[i]), 1.0 if candidates[i] == exact else float(score) / 100.0)
            for _, score, i in found
        )
        if len(self._neighbours) >= _NEIGHBOUR_CACHE_SIZE:
            self._neighbours.clear()
        self._neighbours[token] = result
        return result

    def _fuzzy_candidates(self, token: str) -> IntArray:
        """Vocabulary ids that can reach the cutoff, by length and shared bigrams (q-gram lemma).

        ``ratio = 1 - d / (la + lb) >= c`` bounds the other token's length to
        ``[L c / (2 - c), L (2 - c) / c]`` and the Indel distance to ``d <= 2 L (1 - c) / c``;
        each insertion or deletion destroys at most two bigrams of the padded token, so a
        candidate shares at least ``|bigrams| - 2 d`` distinct bigrams with it. Only those
        candidates are scored, which gives the same result as scoring the whole vocabulary.
        """
        c = self._token_cutoff / 100.0
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

    @staticmethod
    def _best_similarity(
        neighbours: Sequence[tuple[int, float]], postings: _Csr, size: int
    ) -> FloatArray:
        best = np.zeros(size, dtype=np.float32)
        if len(neighbours) == 1:
            token_id, similarity = neighbours[0]
            best[postings.row(token_id)] = similarity
            return best
        for token_id, similarity in neighbours:
            np.maximum.at(best, postings.row(token_id), np.float32(similarity))
        return best

    def _phrasing_coverage(self, best_per_token: dict[int, float], size: int) -> FloatArray:
        rows = [self._postings.row(t) for t in best_per_token]
        weights = [
            np.full(len(r), self._idf[t] * s, dtype=np.float32)
            for r, (t, s) in zip(rows, best_per_token.items(), strict=True)
        ]
        covered = np.bincount(np.concatenate(rows), np.concatenate(weights), minlength=size)
        return covered.astype(np.float32)


def _bigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}
