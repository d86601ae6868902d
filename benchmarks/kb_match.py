"""Matcher latency on synthetic knowledge bases: ``python -m benchmarks.kb_match``.

For each size it builds a synthetic FAQ (random pt-BR-ish vocabulary with Zipf word frequencies,
a question and 4 phrasings per entry), builds a ``Matcher`` on it (timed), then times
``Matcher.ask`` on noisy client-like queries (a phrasing with a dropped word, a typo, filler words,
capitals and accents; one in five unrelated). As a reference it times plain
``rapidfuzz.process.extract`` with the matcher's scorer over the same pre-normalized strings
(normalization of the query not included there, but included in ``ask``). It also reports how often
each finds the entry the query was made from (hit@1), as a sanity check that speed did not cost
accuracy. The reference is capped by a time budget per size on the large KBs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
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

    def sentence() -> str:
        words = rng.choices(vocabulary, weights=weights, k=rng.randint(3, 6))
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(_STOP))
        return " ".join(words)

    made = []
    for number in range(entries):
        text = LocalizedEntry(
            question=sentence().capitalize() + "?",
            phrasings=tuple(sentence() for _ in range(4)),
            answer=f"Resposta sintética {number}.",
        )
        made.append(Entry.model_validate({"id": f"e{number}", "pt-BR": text.model_dump()}))
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
        ranked = matcher.rank(query.text, limit=3)
        matcher.thresholds.decide(ranked)
        ours.append(time.perf_counter() - started)
        our_hits += query.source is not None and bool(ranked) and ranked[0].entry_id == query.source

    choices = matcher.choices
    owner = matcher.choice_owner_ids
    normalized = [normalize(q.text) for q in workload]
    reference: list[float] = []
    ref_hits = 0
    budget_end = time.perf_counter() + _REFERENCE_BUDGET_S
    for query, text in zip(workload, normalized, strict=True):
        started = time.perf_counter()
        found = process.extract(text, choices, scorer=fuzz.token_set_ratio, limit=10)
        reference.append(time.perf_counter() - started)
        ref_hits += query.source is not None and bool(found) and owner[found[0][2]] == query.source
        if time.perf_counter() > budget_end:
            break

    related = sum(q.source is not None for q in workload)
    related_ref = sum(q.source is not None for q in workload[: len(reference)])
    our_p50, our_p99 = _ms(ours)
    ref_p50, ref_p99 = _ms(reference)
    return [
        f"{size:,}",
        f"{len(choices):,}",
        f"{build_s:.2f}",
        f"{our_p50:.3f}",
        f"{our_p99:.3f}",
        f"{ref_p50:.3f}",
        f"{ref_p99:.3f}",
        f"{our_p50 / ref_p50:.2f}",
        f"{our_hits / max(related, 1):.1%}",
        f"{ref_hits / max(related_ref, 1):.1%} ({len(reference)} q)",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="FAQ matcher latency on synthetic KBs")
    parser.add_argument("--sizes", default="100,1000,10000,50000", help="entries per KB, comma-separated")
    parser.add_argument("--queries", type=int, default=1000, help="queries per size")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    vocabulary = make_vocabulary(rng, 8000)
    console = Console()
    table = Table(title=f"Matcher.ask vs plain process.extract ({args.queries} queries per size)")
    for column in ("entries", "choices", "build s", "ask p50 ms", "ask p99 ms", "extract p50 ms",
                   "extract p99 ms", "p50 ratio", "ask hit@1", "extract hit@1"):
        table.add_column(column, justify="right")
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        table.add_row(*run_size(rng, size, args.queries, vocabulary))
        console.print(f"size {size:,} done", style="dim")
    console.print(table)


if __name__ == "__main__":
    main()
