"""Linting the FAQ: every kind of mistake is reported with its file and entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge_base.lint import LintError, lint

from .conftest import FIXTURE_FAQ


def _locale(question: str, phrasings: list[str], answer: str = "Resposta.") -> dict[str, Any]:
    return {"question": question, "phrasings": phrasings, "answer": answer}


def _entry(entry_id: str, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": entry_id,
        "tags": [],
        "pt-BR": _locale(f"Pergunta {entry_id}?", [f"frase {n} {entry_id}" for n in ("um", "dois", "tres")]),
        "en": _locale(f"Question {entry_id}?", [f"phrase {n} {entry_id}" for n in ("one", "two", "three")]),
    }
    entry.update(overrides)
    return entry


def _write(directory: Path, name: str, *entries: dict[str, Any]) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump({"entries": list(entries)}, allow_unicode=True), encoding="utf-8")
    return path


def _only(errors: list[LintError]) -> LintError:
    assert len(errors) == 1, errors
    return errors[0]


def test_a_clean_faq_has_no_errors(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _entry("alfa"), _entry("beta"))
    assert lint(tmp_path) == []


def test_the_fixture_faq_is_clean() -> None:
    assert lint(FIXTURE_FAQ) == []


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "quebrado.yaml").write_text("entries: [\n  - id: x\n", encoding="utf-8")
    error = _only(lint(tmp_path))
    assert error.file.endswith("quebrado.yaml") and error.entry_id is None
    assert "invalid YAML" in error.message


def test_schema_violation_names_file_and_entry(tmp_path: Path) -> None:
    bad = _entry("sem-resposta")
    del bad["pt-BR"]["answer"]
    _write(tmp_path, "a.yaml", bad, _entry("campo-estranho", color="azul"))
    errors = lint(tmp_path)
    assert {(e.entry_id, e.message.split(":")[0]) for e in errors} == {
        ("sem-resposta", "schema"),
        ("campo-estranho", "schema"),
    }
    assert all(e.file.endswith("a.yaml") for e in errors)


def test_duplicate_id_across_files_names_both_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _entry("repetida"))
    _write(tmp_path, "b.yaml", _entry("repetida"))
    error = _only(lint(tmp_path))
    assert error.file.endswith("b.yaml") and error.entry_id == "repetida"
    assert "a.yaml" in error.message


def test_same_normalized_phrasing_in_two_entries_is_reported(tmp_path: Path) -> None:
    first = _entry("primeira", **{"pt-BR": _locale("P1?", ["Como abro um chamado?", "x um", "x dois"])})
    second = _entry("segunda", **{"pt-BR": _locale("P2?", ["como abro chamado", "y um", "y dois"])})
    _write(tmp_path, "a.yaml", first, second)
    error = _only(lint(tmp_path))
    assert error.entry_id == "segunda" and "primeira" in error.message
    assert "pt-BR" in error.message


def test_a_draft_may_repeat_a_served_phrasing(tmp_path: Path) -> None:
    served = _entry("servida", **{"pt-BR": _locale("P1?", ["como abro um chamado", "x um", "x dois"])})
    draft = _entry("rascunho", draft=True, **{"pt-BR": _locale("P2?", ["como abro chamado", "y um", "y dois"])})
    _write(tmp_path, "a.yaml", served, draft)
    assert lint(tmp_path) == []


def test_empty_answer_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _entry("vazia", en=_locale("Q?", ["a b", "c d", "e f"], answer="  ")))
    error = _only(lint(tmp_path))
    assert (error.entry_id, error.message) == ("vazia", "en: empty answer")
    assert str(error).startswith(str(tmp_path / "a.yaml") + ": vazia: ")


def test_answer_over_4096_characters_is_reported(tmp_path: Path) -> None:
    long_answer = "x" * 4097
    _write(tmp_path, "a.yaml", _entry("longa", **{"pt-BR": _locale("P?", ["a b", "c d", "e f"], long_answer)}))
    error = _only(lint(tmp_path))
    assert error.entry_id == "longa" and "4097 characters" in error.message


def test_fewer_than_three_phrasings_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _entry("magra", **{"pt-BR": _locale("P?", ["so uma frase", "outra frase"])}))
    error = _only(lint(tmp_path))
    assert (error.entry_id, error.message) == ("magra", "pt-BR: 2 phrasings (at least 3)")


def test_missing_locale_is_reported(tmp_path: Path) -> None:
    entry = _entry("so-portugues")
    del entry["en"]
    _write(tmp_path, "a.yaml", entry)
    error = _only(lint(tmp_path))
    assert (error.entry_id, error.message) == ("so-portugues", "missing locale en")


def test_phrasing_made_only_of_stop_words_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _entry("oca", **{"pt-BR": _locale("P?", ["bom dia tudo bem", "c d", "e f"])}))
    error = _only(lint(tmp_path))
    assert error.entry_id == "oca" and "only stop words" in error.message


def _not_ours(directory: Path, name: str, **by_locale: list[str]) -> None:
    data = {"not_ours": {locale.replace("pt", "pt-BR"): texts for locale, texts in by_locale.items()}}
    (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_not_ours_examples_are_checked(tmp_path: Path) -> None:
    served = _entry("servida", **{"pt-BR": _locale("P?", ["como abro um chamado", "x um", "x dois"])})
    _write(tmp_path, "a.yaml", served)
    _not_ours(tmp_path, "b.yaml", pt=["Como abro chamado?", "bom dia", "senha do gmail", "SENHA do Gmail!"],
              en=["my gmail password"])
    errors = lint(tmp_path)
    assert all(e.file.endswith("b.yaml") and e.entry_id == "not_ours" for e in errors)
    assert sorted(e.message for e in errors) == [
        "pt-BR: not-ours example 'Como abro chamado?' normalizes like a phrasing of entry 'servida'",
        "pt-BR: not-ours example 'SENHA do Gmail!' is listed twice",
        "pt-BR: not-ours example 'bom dia' is only stop words once normalized",
    ]


def test_not_ours_off_schema_is_reported(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("not_ours:\n  fr: [mot de passe]\n", encoding="utf-8")
    error = _only(lint(tmp_path))
    assert error.entry_id == "not_ours" and error.message.startswith("schema: fr")
