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
    """Choices (token lists) grouped by owner (an entry number); scores owners for a query."""

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
        self.owners = len(set(owners))
        self._owner: IntArray = np.asarray(owners, dtype=np.int64)
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
        candidates = np.flatnonzero(query_hit)
        if len(candidates) == 0:
            return entry_score
        covered = self._phrasing_coverage(best_per_token, n_choices)[candidates]
        recall = query_hit[candidates] / query_weight
        precision = covered / self._choice_weight[candidates]
        f_beta = (1 + self._beta2) * precision * recall / (self._beta2 * precision + recall)
        np.maximum.at(entry_score, self._owner[candidates], f_beta.astype(np.float32))
        entry_recall = entry_hit / query_weight
        blended = (1 - self._entry_weight) * entry_score + self._entry_weight * entry_recall
        return np.asarray(100.0 * blended, dtype=np.float32)

    def neighbours(self, token: str) -> tuple[tuple[int, float], ...]:
        """Vocabulary ids matching ``token`` (ratio >= cutoff) with their similarity in [0, 1]."""
        cached = self._neighbours.get(token)
        if cached is not None:
            return cached
        exact = self._vocabulary.get(token)
        found = process.extract(
            token, self._tokens, scorer=fuzz.ratio, score_cutoff=self._token_cutoff, limit=None
        )
        result = tuple(
            (int(index), 1.0 if index == exact else float(score) / 100.0)
            for _, score, index in found
        )
        if len(self._neighbours) >= _NEIGHBOUR_CACHE_SIZE:
            self._neighbours.clear()
        self._neighbours[token] = result
        return result

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
