"""A fuzzy, IDF-weighted inverted index of FAQ entries: the matcher's scoring engine ("soft TF-IDF").

Plain string scorers (``token_set_ratio``, ``WRatio``) treat every word alike, so "reabrir chamado"
scores as well against any phrasing mentioning "chamado" as against the one about reopening (on the
dev set ``token_set_ratio`` alone reaches 72% top-1). This index weighs words by their rarity across
entries (IDF) and lets them match fuzzily, in the spirit of Cohen, Ravikumar & Fienberg's SoftTFIDF
(2003):

* two tokens *match* when ``fuzz.ratio >= token_cutoff`` (85: "chamdo" ~ "chamado", "cancela" ~
  "cancelar"), with similarity ratio / 100. Neighbours of a query token are looked up in the
  vocabulary once, through rapidfuzz's C batch API (``process.extract``) on the few candidates a
  length and shared-bigram filter lets through, and cached. A message token shorter than four
  letters matches only exactly: one letter more or less turns a short word into another word
  ("lot" / "lost", "bom" / "boom"), not a typo. A token the vocabulary itself holds is a word,
  not a typo: its look-alikes count ``known_fuzzy`` (0.8) x their similarity ("respondeu" is not
  "responder"). Two words of one Snowball stem also match, at ``stem_similarity`` (0.85):
  "acompanhar" ~ "acompanho" ~ "acompanhamento" (ratio 84, below the cutoff);
* adjacent words of a phrasing (after stop words) are also indexed as one more term, "sem
  contrato", weighing ``pair_weight`` (0.25) x its IDF, and so are the message's: a message
  saying "cliente sem contrato" prefers the phrasing with those words in that order over one
  that merely holds all three. A message pair no served entry uses is ignored (no evidence);
* ``R`` (message coverage) of a phrasing = sum over the message's tokens of IDF x best similarity
  within the phrasing, over the sum of their IDF; a token unknown to the index weighs 1.5 x the
  IDF of a word rarer than any in the FAQ, so off-topic words ("previsão do tempo amanhã") pull
  the score down. ``P`` (phrasing
  coverage) is the same the other way round, and the phrasing scores ``F1(P, R)``, so an exact
  phrasing beats one that merely contains the message;
* an entry scores ``(1 - a) * [(1 - l) * best phrasing F + l * R1 + t * (R2 - R1)] + a * R3``,
  where R1, R2, R3 are the message coverage by all the entry's phrasings together, plus its tags,
  plus its answer text: a message may combine words of several phrasings, name a tag, or use a
  word only the answer mentions. In R1 a matched word also counts by how characteristic it is of
  the entry, BM25's saturation ``tf / (tf + k1 (1 - b + b |e| / avg|e|))`` with ``tf`` the number
  of the entry's phrasings holding it and ``|e|`` the entry's length, relative to a word all its
  phrasings hold: a word that a third of an entry's phrasings use says more about that entry than
  a word one phrasing happens to contain (a "soft BM25" over the whole entry).
  ``l = 0.85, t = 0.25, a = 0.1, k1 = 1.5, b = 0.75``. All scores are 0-100;
* an entry built with ``served=False`` (the FAQ's "not ours" examples) is scored like the others,
  but IDF counts the served entries only and a word only it uses weighs in a message as an
  unknown word: adding examples never raises a served entry's score.

Those constants were chosen on the development pool (``eval/dev*.yaml``) together with a
leave-one-phrasing-out check on the FAQ itself (each phrasing asked against an index without it:
independent of every eval file). With 16 phrasings per entry, the BM25 saturation in R1 raised
that check from 65% to 70% top-1 and the pooled pt-BR dev top-1 from 92.2% to 94.2%; ``l = 0.85``
rather than 0.7 gave 72% on that check and the same dev top-1. With about 30 phrasings per entry,
the known-word discount, stems and pairs together raised that check from 84.8% to 86.4% (pt-BR)
and 80.8% to 82.5% (English; BM25: 81.6% and 77.4%) and the dev pool top-1 from 94.6% to 95.8%
(pt-BR) and 96.5% to 97.1% (English); each value moved by +-0.1 changes either by under 1 point.
The decision thresholds are calibrated separately (``knowledge_base.calibration``).

Scoring walks the postings of the matched tokens only, with numpy (no Python loop over phrasings);
a phrasing sharing no token with the message scores 0 without being looked at.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

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
    min_fuzzy_length: int = 4  # shorter message tokens match only exactly ("lot" is not "lost")
    beta: float = 1.0  # F_beta of phrasing coverage (P) and message coverage (R)
    entry_weight: float = 0.85  # l: message coverage by the whole entry
    keyword_weight: float = 0.25  # t: extra coverage by the entry's tags
    background_weight: float = 0.1  # a: coverage including the answer text
    unknown_weight: float = 1.5  # an unknown message token weighs this x the IDF of a df=0.5 word
    k1: float = 1.5  # BM25 term-frequency saturation of the whole-entry coverage (0: presence only)
    b: float = 0.75  # BM25 length normalization of the whole-entry coverage
    known_fuzzy: float = 0.8  # a fuzzy neighbour's similarity x this when the token is itself a known word
    pair_weight: float = 0.25  # adjacent word pairs are terms too, weighing this x their IDF (0: off)
    stem_similarity: float = 0.85  # similarity of two words with the same stem (0: off, or no stemmer)


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    """What the index knows of one entry, already tokenized."""

    phrasings: Sequence[Sequence[str]]  # question and phrasings; at least one, none empty
    keywords: Sequence[str] = ()  # tags
    background: Sequence[str] = ()  # answer text
    served: bool = True  # False: the "not ours" examples; its words stay unknown to the FAQ


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

    def __init__(
        self,
        entries: Sequence[IndexedEntry],
        weights: ScoringWeights | None = None,
        stem: Callable[[str], str] | None = None,
    ) -> None:
        self.weights = weights or ScoringWeights()
        self._stem = stem if self.weights.stem_similarity > 0 else None
        self.size = len(entries)
        vocabulary: dict[str, int] = {}

        def ids(tokens: Sequence[str]) -> list[int]:
            return sorted({vocabulary.setdefault(t, len(vocabulary)) for t in tokens})

        choice_rows: list[list[int]] = []
        owners: list[int] = []
        entry_rows: list[list[int]] = []
        for number, entry in enumerate(entries):
            rows = [ids(self._with_pairs(p)) for p in entry.phrasings]
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
        self._served = np.array([e.served for e in entries], dtype=np.bool_)
        self._owner = np.asarray(owners, dtype=np.int64)
        self._postings = _Csr.invert(choice_rows, size)
        self._entry_postings = _Csr.invert(entry_rows, size)
        self._entry_saturation = self._bm25_saturation(choice_rows)
        self._keyword_postings = _Csr.invert(keyword_rows, size)
        self._background_postings = _Csr.invert(background_rows, size)

        # IDF over the served entries, from the phrasings: a word only tags or answers use counts as
        # rare. A word only the "not ours" examples use is unknown to the FAQ: it weighs in a message
        # as an unknown word does, so adding examples never raises a served entry's score.
        served_ids = [np.asarray(r, dtype=np.int64) for r, e in zip(entry_rows, entries, strict=True) if e.served]
        entry_df = np.bincount(np.concatenate(served_ids or [np.empty(0, np.int64)]), minlength=size)
        entry_df = entry_df.astype(np.float64)
        n = max(int(self._served.sum()), 1)
        self._idf = np.log1p(n / np.maximum(entry_df, 1.0)).astype(np.float32)
        self._is_pair = np.array([" " in t for t in self._tokens], dtype=np.bool_)
        self._idf[self._is_pair] *= self.weights.pair_weight
        self._known = entry_df > 0
        self._unknown_idf = self.weights.unknown_weight * float(math.log1p(n / 0.5))
        self._choice_weight = np.array([self._idf[r].sum() for r in choice_rows], dtype=np.float32)

        self._neighbours: dict[str, Neighbours] = {}
        self._stem_family: dict[str, list[int]] = {}  # stem -> vocabulary ids of the words having it
        if self._stem is not None:
            for i in np.flatnonzero(~self._is_pair):
                self._stem_family.setdefault(self._stem(self._tokens[i]), []).append(int(i))
        # A word pair gets length 0 and no character bigrams: it is never a fuzzy candidate.
        lengths = np.fromiter(map(len, self._tokens), dtype=np.int64, count=size)
        self._token_lengths = np.where(self._is_pair, 0, lengths)
        bigram_ids: dict[str, int] = {}
        token_bigrams = [
            [] if pair else [bigram_ids.setdefault(g, len(bigram_ids)) for g in _bigrams(t)]
            for t, pair in zip(self._tokens, self._is_pair, strict=True)
        ]
        self._bigram_ids = bigram_ids
        self._bigram_postings = _Csr.invert(token_bigrams, len(bigram_ids))

    @property
    def vocabulary_size(self) -> int:
        return len(self._tokens)

    def score(self, tokens: Sequence[str]) -> FloatArray:
        """Score (0-100) of every entry for the message ``tokens``; 0 for entries sharing nothing."""
        w = self.weights
        query = list(dict.fromkeys(self._with_pairs(tokens)))
        if not query or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        phrasing_hit = np.zeros(len(self._owner), dtype=np.float32)  # sum of IDF x best similarity
        entry_hit = np.zeros(self.size, dtype=np.float32)  # R1 numerator
        keyword_extra = np.zeros(self.size, dtype=np.float32)  # R2 - R1 numerator
        background_extra = np.zeros(self.size, dtype=np.float32)  # R3 - R2 numerator
        best_phrasing_so_far = np.zeros(len(self._owner), dtype=np.float32)  # scratch, zero between tokens
        best_entry_so_far = np.zeros(self.size, dtype=np.float32)  # scratch, zero between tokens
        best_per_token: dict[int, float] = {}  # vocabulary id -> best similarity to the message
        query_weight = 0.0
        for token in query:
            neighbours = self.neighbours(token)
            known = any(self._known[i] for i, _ in neighbours)
            if " " in token and not known:  # a pair no served entry uses is no evidence either way
                continue
            if not neighbours:
                query_weight += self._unknown_idf
                continue
            weight = float(self._idf[max(neighbours, key=lambda n: (n[1], self._idf[n[0]]))[0]])
            query_weight += weight if known else self._unknown_idf
            _add_best(phrasing_hit, best_phrasing_so_far, weight, neighbours, self._postings, first=True, last=True)
            # Within the entry, then also its tags, then also its answer: R1, R2, R3 are nested maxima.
            entry, saturation = self._entry_postings, self._entry_saturation
            _add_best(entry_hit, best_entry_so_far, weight, neighbours, entry, saturation, first=True)
            _add_best(keyword_extra, best_entry_so_far, weight, neighbours, self._keyword_postings)
            _add_best(background_extra, best_entry_so_far, weight, neighbours, self._background_postings, last=True)
            if len(neighbours) > 1:  # (a single neighbour leaves it untouched)
                best_phrasing_so_far[:] = 0.0
            best_entry_so_far[:] = 0.0
            for token_id, similarity in neighbours:
                best_per_token[token_id] = max(best_per_token.get(token_id, 0.0), similarity)
        if not best_per_token:
            return np.zeros(self.size, dtype=np.float32)
        total = np.float32(query_weight)
        choices = np.flatnonzero(phrasing_hit > 0)  # (on a bool array: several times faster)
        f_beta = self._f_beta(choices, phrasing_hit[choices] / total, best_per_token)
        best_phrasing = np.zeros(self.size, dtype=np.float32)
        np.maximum.at(best_phrasing, self._owner[choices], f_beta)
        r1 = entry_hit / total
        r2 = r1 + keyword_extra / total
        r3 = r2 + background_extra / total
        blended = (1 - w.entry_weight) * best_phrasing + w.entry_weight * r1 + w.keyword_weight * (r2 - r1)
        final = (1 - w.background_weight) * blended + w.background_weight * r3
        return np.asarray(100.0 * final, dtype=np.float32)

    def neighbours(self, token: str) -> Neighbours:
        """Vocabulary ids matching ``token`` with their similarity in (0, 1]; cached per token."""
        cached = self._neighbours.get(token)
        if cached is not None:
            return cached
        exact = self._vocabulary.get(token)
        w = self.weights
        fuzzy = len(token) >= w.min_fuzzy_length and " " not in token  # (a pair matches only exactly)
        candidates = self._fuzzy_candidates(token) if fuzzy else np.empty(0, dtype=np.int64)
        found: dict[int, float] = {}
        for _, score, i in process.extract(
            token,
            [self._tokens[i] for i in candidates],
            scorer=fuzz.ratio,
            score_cutoff=w.token_cutoff,
            limit=None,
        ):
            found[int(candidates[i])] = float(score) / 100.0
        if fuzzy and self._stem is not None:
            for i in self._stem_family.get(self._stem(token), ()):
                found[i] = max(found.get(i, 0.0), w.stem_similarity)
        if exact is not None:
            # A word the FAQ spells this way is no typo: its look-alikes count for less.
            found = {i: similarity * w.known_fuzzy for i, similarity in found.items()}
            found[exact] = 1.0
        result = tuple(found.items())
        if len(self._neighbours) >= _NEIGHBOUR_CACHE_SIZE:
            self._neighbours.clear()
        self._neighbours[token] = result
        return result

    def _with_pairs(self, tokens: Sequence[str]) -> list[str]:
        """``tokens`` followed by each adjacent pair ("abrir chamado"), when pairs weigh."""
        if not self.weights.pair_weight:
            return list(tokens)
        return [*tokens, *(f"{a} {b}" for a, b in pairwise(tokens) if a != b)]

    def _bm25_saturation(self, choice_rows: Sequence[Sequence[int]]) -> FloatArray:
        """How characteristic each (word, entry) posting of ``_entry_postings`` is, in (0, 1].

        BM25's saturation ``s(tf) = tf / (tf + k1 (1 - b + b |e| / avg|e|))``, with ``tf`` the number
        of the entry's phrasings holding the word and ``|e|`` the entry's phrasing tokens in all,
        divided by ``s(n)`` for the entry's ``n`` phrasings: a word every phrasing uses weighs 1
        (an exact match of a one-phrasing entry still scores 100). Aligned with
        ``_entry_postings.ids`` (words in id order, entries ascending).
        """
        w = self.weights
        n = max(self.size, 1)
        word = np.fromiter((i for r in choice_rows for i in r), dtype=np.int64)
        entry = np.repeat(self._owner, [len(r) for r in choice_rows])
        keys, tf = np.unique(word * n + entry, return_counts=True)
        owner = keys % n
        length = np.bincount(entry, minlength=self.size).astype(np.float64)
        phrasings = np.bincount(self._owner, minlength=self.size).astype(np.float64)
        served_lengths = length[self._served]  # (the "not ours" examples do not move the average)
        average = float(served_lengths.mean()) if len(served_lengths) else 1.0
        damping = w.k1 * (1 - w.b + w.b * length[owner] / max(average, 1e-9))
        saturation = (tf / (tf + damping)) / (phrasings[owner] / (phrasings[owner] + damping))
        assert len(saturation) == len(self._entry_postings.ids)
        return np.asarray(saturation, dtype=np.float32)

    def _f_beta(self, choices: IntArray, recall: FloatArray, best_per_token: dict[int, float]) -> FloatArray:
        """F_beta of the phrasings ``choices`` given their message coverage ``recall``."""
        beta2 = self.weights.beta**2
        covered = np.zeros(len(self._owner), dtype=np.float32)
        for token_id, similarity in best_per_token.items():
            covered[self._postings.row(token_id)] += self._idf[token_id] * similarity
        precision = covered[choices] / self._choice_weight[choices]
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


def _add_best(
    hit: FloatArray,
    best: FloatArray,
    weight: float,
    neighbours: Neighbours,
    postings: _Csr,
    scale: FloatArray | None = None,
    *,
    first: bool = False,
    last: bool = False,
) -> None:
    """Raise ``best`` (by row) to the similarity of every neighbour a row holds; add ``weight`` x the rise to ``hit``.

    Called in turn with nested posting lists on the same ``best`` (entry, then tags, then answer),
    each ``hit`` receives what its level adds to the maximum. ``scale`` (aligned with
    ``postings.ids``) multiplies each posting's similarity. ``first``: ``best`` is all zero, so a
    single neighbour needs no comparison (the common case, and the big posting lists); ``last``:
    no later level reads ``best`` (with a single neighbour it need not be written).
    """
    single = first and len(neighbours) == 1
    for token_id, similarity in neighbours:
        lo, hi = int(postings.start[token_id]), int(postings.start[token_id + 1])
        if lo == hi:
            continue
        rows = postings.ids[lo:hi]  # a row appears once per token
        value = similarity * scale[lo:hi] if scale is not None else np.float32(similarity)
        if single:
            hit[rows] += weight * value
            if not last:
                best[rows] = value
            continue
        before = best[rows]
        after = np.maximum(before, value)
        hit[rows] += weight * (after - before)
        if not (last and len(neighbours) == 1):
            best[rows] = after


def _bigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}
