"""The seeds' coverage map: every fact and term of the seed documents, and the entry that answers it.

``knowledge_base/seeds_coverage.yaml`` lists, per seed document (``/work/shared/seeds/*.txt``: the
vendor's manual and portal instructions the FAQ was written from), each fact or term a client may
ask about, with the FAQ entry that answers it::

    seeds:
      partners-rl-abertura-de-chamados.txt:
        - fact: "Gerar Solicitação / Submit no Portal do Cliente"
          entry: abrir-chamado

``kb lint`` fails on a fact with no entry, on an entry id the FAQ does not serve, and on a seed with
no fact. The file sits beside the FAQ directory; a FAQ without one (a test fixture) is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.loader import read_yaml

COVERAGE_FILE = "seeds_coverage.yaml"


@dataclass(frozen=True, slots=True)
class CoveredFact:
    """One fact or term of a seed and the entry that answers it (None when the map names none)."""

    seed: str
    fact: str
    entry: str | None


def coverage_file(faq_root: Path) -> Path:
    """Where the coverage map of the FAQ at ``faq_root`` (a directory or one file) lives."""
    directory = faq_root if faq_root.is_dir() else faq_root.parent
    return directory.parent / COVERAGE_FILE


def read_coverage(path: Path) -> tuple[list[CoveredFact], list[str]]:
    """The facts of the map at ``path`` and the problems of its shape (not of its ids)."""
    try:
        data: Any = read_yaml(path)
    except KnowledgeBaseError as exc:
        return [], [f"invalid YAML: {exc}"]
    seeds = data.get("seeds") if isinstance(data, dict) else None
    if not isinstance(seeds, dict) or not seeds:
        return [], ["expected a mapping 'seeds: {<seed file>: [{fact, entry}, ...]}'"]
    facts: list[CoveredFact] = []
    problems: list[str] = []
    for seed, items in seeds.items():
        if not isinstance(items, list) or not items:
            problems.append(f"seed {seed!r} lists no fact")
            continue
        for number, item in enumerate(items, start=1):
            fact = item.get("fact") if isinstance(item, dict) else None
            if not isinstance(fact, str) or not fact.strip():
                problems.append(f"seed {seed!r}: item #{number} has no 'fact' text")
                continue
            entry = item.get("entry")
            facts.append(CoveredFact(str(seed), fact, entry if isinstance(entry, str) and entry else None))
    return facts, problems


def coverage_problems(path: Path, served_ids: set[str]) -> list[str]:
    """Everything wrong with the map: its shape, facts without an entry, ids the FAQ does not serve."""
    facts, problems = read_coverage(path)
    for fact in facts:
        if fact.entry is None:
            problems.append(f"{fact.seed}: fact {fact.fact!r} has no entry answering it")
        elif fact.entry not in served_ids:
            problems.append(f"{fact.seed}: fact {fact.fact!r} names unknown entry {fact.entry!r}")
    return problems
