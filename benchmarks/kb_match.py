"""Matcher latency on synthetic knowledge bases: ``python -m benchmarks.kb_match``.

For each size it builds a synthetic FAQ (random pt-BR-ish vocabulary with Zipf word frequencies;
per entry a question, 4 phrasings, 2 tags and a 15-30 word answer), builds a ``Matcher`` on it (timed), then times
``Matcher.ask`` on noisy client-like queries (a phrasing with a dropped word, a typo, filler words,
capitals; one in five unrelated). As references it times plain ``rapidfuzz.process.extract``
(``limit=10``) over the same pre-normalized strings with ``token_set_ratio`` (the usual FAQ scorer)
and with ``ratio`` (the cheapest one): query normalization is not timed there, but is in ``ask``.
It also reports how often each finds the entry the query was made from (hit@1), as a sanity check
that speed did not cost accuracy. A reference is capped by a time budget per size on large KBs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table

from knowledge_base.loader import KnowledgeBase
from knowledge_base.matcher import Matcher
from knowledge_base.normalize import normalize
from knowledge_base.schema import Entry, LocalizedEntry

_ONSETS = ["", "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "br", "tr",
           "pr", "cr", "gr", "qu", "lh", "nh"]
_VOWELS = ["a", "e", "i", "o", "u", "á", "ê", "ã", "ó", "í"]
_CODAS = ["", "", "", "r", "s", "n", "m", "l"]
_ENDINGS = ["ção", "mento", "dade", "ar", "er", "ir", "ado", "ida", "ente", "eiro", "agem", "al"]
_STOP = ["como", "o", "a", "de", "do", "da", "um", "uma", "no", "na", "para", "que", "meu", "minha"]
_FILLER = ["bom dia", "por favor", "pessoal", "vc pode ajudar", "urgente!!", "oi", "obg"]
_REFERENCE_BUDGET_S = 30.0


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    source: str | None  # entry id it was derived from; None for an unrelated query


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        syllables = [
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.randint(1, 3))
        ]
        words.add("".join(syllables) + rng.choice(_ENDINGS))
    return sorted(words)


def make_kb(rng: random.Random, entries: int, vocabulary: Sequence[str]) -> KnowledgeBase:
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]

    def sentence(low: int = 3, high: int = 6) -> str:
        words = rng.choices(vocabulary, weights=weights, k=rng.randint(low, high))
        for _ in range(max(1, len(words) // 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(_STOP))
        return " ".join(words)

    made = []
    for number in range(entries):
        text = LocalizedEntry(
            question=sentence().capitalize() + "?",
            phrasings=tuple(sentence() for _ in range(4)),
            answer=sentence(15, 30).capitalize() + ".",
        )
        tags = rng.choices(vocabulary, weights=weights, k=2)
        made.append(Entry.model_validate({"id": f"e{number}", "tags": tags, "pt-BR": text.model_dump()}))
    return KnowledgeBase(entries=tuple(made))


def make_queries(
    rng: random.Random, kb: KnowledgeBase, vocabulary: Sequence[str], count: int
) -> list[Query]:
    queries: list[Query] = []
    for _ in range(count):
        if rng.random() < 0.2:
            words = rng.sample(list(vocabulary), rng.randint(2, 5))
            queries.append(Query(" ".join(words), None))
            continue
        entry = rng.choice(kb.entries)
        words = rng.choice(entry.localized("pt-BR").phrasings).split()
        if len(words) > 3:
            del words[rng.randrange(len(words))]
        i = rng.randrange(len(words))
        if len(words[i]) > 4:  # one typo: a dropped letter
            j = rng.randrange(1, len(words[i]) - 1)
            words[i] = words[i][:j] + words[i][j + 1 :]
        if rng.random() < 0.5:
            words.insert(0, rng.choice(_FILLER))
        text = " ".join(words)
        queries.append(Query(text.upper() if rng.random() < 0.1 else text, entry.id))
    return queries


def _ms(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def run_size(rng: random.Random, size: int, queries: int, vocabulary: Sequence[str]) -> list[str]:
    kb = make_kb(rng, size, vocabulary)
    started = time.perf_counter()
    matcher = Matcher(kb, "pt-BR")
    build_s = time.perf_counter() - started
    workload = make_queries(rng, kb, vocabulary, queries)

    ours: list[float] = []
    our_hits = 0
    for query in workload:
        started = time.perf_counter()
        ranking = matcher.ranking(query.text, limit=3)
        matcher.thresholds.decide(ranking)
        ours.append(time.perf_counter() - started)
        ranked = ranking.matches
        our_hits += query.source is not None and bool(ranked) and ranked[0].entry_id == query.source

    related = sum(q.source is not None for q in workload)
    our_p50, our_p99 = _ms(ours)
    row = [f"{size:,}", f"{len(matcher):,}", f"{build_s:.2f}", f"{our_p50:.3f}", f"{our_p99:.3f}",
           f"{our_hits / max(related, 1):.1%}"]
    for scorer in (fuzz.token_set_ratio, fuzz.ratio):
        ref_p50, ref_p99, ref_hit, measured = _reference(matcher, workload, scorer)
        row += [f"{ref_p50:.3f}", f"{ref_p99:.3f}", f"{our_p50 / ref_p50:.2f}",
                f"{ref_hit:.1%}" + ("" if measured == len(workload) else f" ({measured} q)")]
    return row


def _reference(
    matcher: Matcher, workload: Sequence[Query], scorer: Callable[..., float]
) -> tuple[float, float, float, int]:
    """Plain ``process.extract`` over the matcher's pre-normalized strings: p50, p99, hit@1, n."""
    choices = matcher.choices
    owner = matcher.choice_owner_ids
    normalized = [normalize(q.text) for q in workload]
    timings: list[float] = []
    hits = related = 0
    budget_end = time.perf_counter() + _REFERENCE_BUDGET_S
    for query, text in zip(workload, normalized, strict=True):
        started = time.perf_counter()
        found = process.extract(text, choices, scorer=scorer, limit=10)
        timings.append(time.perf_counter() - started)
        if query.source is not None:
            related += 1
            hits += bool(found) and owner[found[0][2]] == query.source
        if time.perf_counter() > budget_end:
            break
    p50, p99 = _ms(timings)
    return p50, p99, hits / max(related, 1), len(timings)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="FAQ matcher latency on synthetic KBs")
    parser.add_argument("--sizes", default="100,1000,10000,50000", help="entries per KB, comma-separated")
    parser.add_argument("--queries", type=int, default=1000, help="queries per size")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    vocabulary = make_vocabulary(rng, 8000)
    console = Console(width=180)
    table = Table(
        title=f"Matcher.ask vs plain process.extract over the same normalized strings "
        f"({args.queries} queries per size; times in ms; ratio = ask p50 / extract p50)"
    )
    columns = ["entries", "choices", "build s", "ask p50", "ask p99", "ask hit@1"]
    for name in ("token_set_ratio", "ratio"):
        columns += [f"{name} p50", f"{name} p99", "ratio", f"{name} hit@1"]
    for column in columns:
        table.add_column(column, justify="right")
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        table.add_row(*run_size(rng, size, args.queries, vocabulary))
        console.print(f"size {size:,} done", style="dim")
    console.print(table)


if __name__ == "__main__":
    main()
