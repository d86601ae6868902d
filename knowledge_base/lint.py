"""Checking the FAQ YAML for the mistakes that break or confuse the matcher; every error names its
file and entry.

Checks: YAML syntax and schema (per entry, so one bad entry does not hide the others), ids used
twice (across files), a missing locale, an empty answer, an answer over 4096 characters (Telegram's
message limit), fewer than 3 phrasings, a phrasing that normalizes to nothing, and the same
normalized phrasing (or question) in two served entries. Drafts are checked like the others except
for the duplicate-phrasing rule, since they are never served. The "not ours" examples (``not_ours``
in any file) must each keep a word once normalized, appear once, and never read like a served
entry's phrasing: the matcher would then answer and refuse the same message. An entry's
``related:`` ids must exist, not name the entry itself, and be listed back (a one-way link says
why, ``{id, one_way}``). The seeds' coverage map (``knowledge_base.coverage``) beside the FAQ must
name a served entry for every fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from knowledge_base.coverage import coverage_file, coverage_problems
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.loader import DEFAULT_FAQ_DIR, read_yaml, yaml_files
from knowledge_base.locales import SUPPORTED_LOCALES
from knowledge_base.normalize import normalize
from knowledge_base.schema import Entry, NotOurs

MAX_ANSWER_CHARS = 4096
MIN_PHRASINGS = 3


@dataclass(frozen=True, slots=True)
class LintError:
    """One problem, located by file and entry id (None when the file itself is broken)."""

    file: str
    entry_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry_id}" if self.entry_id else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class _Located:
    file: str
    entry: Entry


@dataclass(frozen=True, slots=True)
class _Example:
    """One "not ours" example and where it is."""

    file: str
    locale: str
    text: str


def lint(path: Path | None = None) -> list[LintError]:
    """All problems in the FAQ at ``path`` (a directory of YAML files or one file)."""
    root = DEFAULT_FAQ_DIR if path is None else Path(path)
    errors: list[LintError] = []
    try:
        files = yaml_files(root)
    except KnowledgeBaseError as exc:
        return [LintError(str(root), None, str(exc))]
    located: list[_Located] = []
    examples: list[_Example] = []
    for file in files:
        located.extend(_parse_file(file, errors, examples))
    errors.extend(_duplicate_ids(located))
    for item in located:
        errors.extend(_entry_problems(item))
    owners = _phrasing_owners(located, errors)
    errors.extend(_not_ours_problems(examples, owners))
    errors.extend(_related_problems(located))
    coverage = coverage_file(root)
    if coverage.is_file():
        served = {i.entry.id for i in located if not i.entry.draft}
        errors.extend(LintError(str(coverage), None, problem) for problem in coverage_problems(coverage, served))
    return errors


def _related_problems(located: list[_Located]) -> list[LintError]:
    """``related:`` ids that do not exist, name the entry itself, or are not listed back."""
    by_id = {item.entry.id: item.entry for item in located}
    errors: list[LintError] = []
    for item in located:
        entry = item.entry
        for link in entry.related:
            other_id = link if isinstance(link, str) else link.id
            other = by_id.get(other_id)
            if other_id == entry.id:
                errors.append(LintError(item.file, entry.id, "related: lists the entry itself"))
            elif other is None:
                errors.append(LintError(item.file, entry.id, f"related: unknown entry {other_id!r}"))
            elif isinstance(link, str) and entry.id not in other.related_ids:
                errors.append(LintError(item.file, entry.id, f"related: {other_id!r} does not list it back "
                                        "(make it symmetric, or write {id, one_way: why})"))
    return errors


def drafts(path: Path | None = None) -> list[tuple[str, Entry]]:
    """The draft entries (file, entry) waiting for review; they are listed, never served."""
    root = DEFAULT_FAQ_DIR if path is None else Path(path)
    found: list[tuple[str, Entry]] = []
    for file in yaml_files(root):
        found.extend((i.file, i.entry) for i in _parse_file(file, []) if i.entry.draft)
    return found


def _parse_file(file: Path, errors: list[LintError], examples: list[_Example] | None = None) -> list[_Located]:
    name = str(file)
    try:
        data: Any = read_yaml(file)
    except KnowledgeBaseError as exc:
        errors.append(LintError(name, None, f"invalid YAML: {exc}"))
        return []
    if not isinstance(data, dict) or set(data) - {"entries", "not_ours"}:
        errors.append(LintError(name, None, "top level must be a mapping with only 'entries' and 'not_ours'"))
        return []
    if data.get("not_ours") is not None and examples is not None:
        try:
            not_ours = NotOurs.model_validate(data["not_ours"])
        except ValidationError as exc:
            for problem in exc.errors():
                where = ".".join(str(part) for part in problem["loc"])
                errors.append(LintError(name, "not_ours", f"schema: {where}: {problem['msg']}"))
        else:
            examples.extend(_Example(name, locale, text) for locale in SUPPORTED_LOCALES
                            for text in not_ours.text_for(locale))
    raw_entries = data.get("entries") or []
    if not isinstance(raw_entries, list):
        errors.append(LintError(name, None, "'entries' must be a list"))
        return []
    located: list[_Located] = []
    for number, raw in enumerate(raw_entries, start=1):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        label = str(raw_id) if raw_id else f"#{number}"
        try:
            located.append(_Located(name, Entry.model_validate(raw)))
        except ValidationError as exc:
            for problem in exc.errors():
                where = ".".join(str(part) for part in problem["loc"]) or "entry"
                errors.append(LintError(name, label, f"schema: {where}: {problem['msg']}"))
    return located


def _duplicate_ids(located: list[_Located]) -> list[LintError]:
    first_seen: dict[str, str] = {}
    errors: list[LintError] = []
    for item in located:
        entry_id = item.entry.id
        if entry_id in first_seen:
            errors.append(
                LintError(item.file, entry_id, f"duplicate id (first defined in {first_seen[entry_id]})")
            )
        else:
            first_seen[entry_id] = item.file
    return errors


def _entry_problems(item: _Located) -> list[LintError]:
    errors: list[LintError] = []
    for locale in SUPPORTED_LOCALES:
        text = item.entry.text_for(locale)
        if text is None:
            errors.append(LintError(item.file, item.entry.id, f"missing locale {locale}"))
            continue
        if not text.answer.strip():
            errors.append(LintError(item.file, item.entry.id, f"{locale}: empty answer"))
        if len(text.answer) > MAX_ANSWER_CHARS:
            errors.append(
                LintError(
                    item.file,
                    item.entry.id,
                    f"{locale}: answer has {len(text.answer)} characters (max {MAX_ANSWER_CHARS})",
                )
            )
        if not text.question.strip():
            errors.append(LintError(item.file, item.entry.id, f"{locale}: empty question"))
        if len(text.phrasings) < MIN_PHRASINGS:
            errors.append(
                LintError(
                    item.file,
                    item.entry.id,
                    f"{locale}: {len(text.phrasings)} phrasings (at least {MIN_PHRASINGS})",
                )
            )
        for phrasing in text.phrasings:
            if not normalize(phrasing, locale):
                errors.append(
                    LintError(
                        item.file,
                        item.entry.id,
                        f"{locale}: phrasing {phrasing!r} is only stop words once normalized",
                    )
                )
    return errors


def _phrasing_owners(located: list[_Located], errors: list[LintError]) -> dict[tuple[str, str], str]:
    """Which served entry each (locale, normalized phrasing) belongs to, first come; a phrasing that
    normalizes like another entry's is reported in ``errors``."""
    owner: dict[tuple[str, str], str] = {}
    for locale in SUPPORTED_LOCALES:
        for item in located:
            text = item.entry.text_for(locale)
            if item.entry.draft or text is None:
                continue
            mine = {normalize(p, locale): p for p in (text.question, *text.phrasings)}
            for key, original in mine.items():
                if not key:
                    continue
                other = owner.setdefault((locale, key), item.entry.id)
                if other != item.entry.id:
                    errors.append(
                        LintError(
                            item.file,
                            item.entry.id,
                            f"{locale}: phrasing {original!r} normalizes like one of entry {other!r}"
                            f" ({key!r})",
                        )
                    )
    return owner


def _not_ours_problems(examples: list[_Example], phrasing_owner: dict[tuple[str, str], str]) -> list[LintError]:
    errors: list[LintError] = []
    seen: set[tuple[str, str]] = set()
    for example in examples:
        key = (example.locale, normalize(example.text, example.locale))
        where = f"{example.locale}: not-ours example {example.text!r}"
        if not key[1]:
            errors.append(LintError(example.file, "not_ours", f"{where} is only stop words once normalized"))
        elif key in phrasing_owner:
            owner = phrasing_owner[key]
            errors.append(LintError(example.file, "not_ours", f"{where} normalizes like a phrasing of entry {owner!r}"))
        elif key in seen:
            errors.append(LintError(example.file, "not_ours", f"{where} is listed twice"))
        seen.add(key)
    return errors
