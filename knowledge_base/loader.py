"""Loading the FAQ YAML files into an immutable, id-indexed ``KnowledgeBase``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge_base.errors import KnowledgeBaseLoadError
from knowledge_base.locales import Locale, normalize_locale
from knowledge_base.schema import Entry, EntryFile

DEFAULT_FAQ_DIR = Path(__file__).parent / "faq"


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries of the FAQ, drafts included, in file order; look one up with ``get``.

    ``not_ours`` holds, per locale, the messages no entry should answer (``schema.NotOurs``).
    """

    entries: tuple[Entry, ...]
    sources: dict[str, Path] = field(default_factory=dict, compare=False)
    not_ours: dict[Locale, tuple[str, ...]] = field(default_factory=dict)
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    @property
    def served(self) -> tuple[Entry, ...]:
        """The entries a matcher may answer with (drafts excluded)."""
        return tuple(entry for entry in self.entries if not entry.draft)

    def related(self, entry_id: str) -> frozenset[str]:
        """The served neighbours of an entry (its ``related:`` list; drafts and unknown ids left out)."""
        entry = self._by_id.get(entry_id)
        if entry is None:
            return frozenset()
        return frozenset(i for i in entry.related_ids if (e := self._by_id.get(i)) is not None and not e.draft)

    def not_ours_for(self, locale: str) -> tuple[str, ...]:
        """The "not about us" examples in ``locale`` (none if the FAQ has none)."""
        return self.not_ours.get(normalize_locale(locale), ())

    @property
    def drafts(self) -> tuple[Entry, ...]:
        """Entries still under review (``draft: true``)."""
        return tuple(entry for entry in self.entries if entry.draft)

    def __len__(self) -> int:
        return len(self.entries)


def yaml_files(path: Path) -> list[Path]:
    """The YAML files at ``path``: the file itself, or a directory's ``*.yaml``/``*.yml`` sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise KnowledgeBaseLoadError(f"{path}: no such file or directory", file=str(path))
    return sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


# libyaml's safe loader when PyYAML was built with it (it parses the FAQ several times faster).
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; an empty file reads as an empty mapping."""
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.load(stream, Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseLoadError(f"{path}: {exc}", file=str(path)) from exc
    return {} if data is None else data


def parse_entry_file(path: Path) -> EntryFile:
    """Read and validate one FAQ file."""
    data = read_yaml(path)
    try:
        return EntryFile.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeBaseLoadError(f"{path}: {exc}", file=str(path)) from exc


def iter_files(path: Path) -> Iterator[tuple[Path, EntryFile]]:
    """Every FAQ file under ``path``, parsed, in file order."""
    for file in yaml_files(path):
        yield file, parse_entry_file(file)


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """Load the FAQ from a directory of YAML files (default: the shipped ``knowledge_base/faq``).

    Raises ``KnowledgeBaseLoadError`` on unreadable or off-schema files and on an id used twice.
    """
    root = DEFAULT_FAQ_DIR if path is None else Path(path)
    entries: list[Entry] = []
    sources: dict[str, Path] = {}
    not_ours: dict[Locale, list[str]] = {"pt-BR": [], "en": []}
    for file, parsed in iter_files(root):
        for entry in parsed.entries:
            if entry.id in sources:
                raise KnowledgeBaseLoadError(
                    f"{file}: entry {entry.id!r} duplicates the id already used in {sources[entry.id]}",
                    file=str(file),
                    entry_id=entry.id,
                )
            sources[entry.id] = file
            entries.append(entry)
        if parsed.not_ours is not None:
            for locale, examples in not_ours.items():
                examples.extend(parsed.not_ours.text_for(locale))
    return KnowledgeBase(
        entries=tuple(entries),
        sources=sources,
        not_ours={locale: tuple(examples) for locale, examples in not_ours.items() if examples},
    )
