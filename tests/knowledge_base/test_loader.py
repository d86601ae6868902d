"""Loading the FAQ YAML and reading entries in a locale."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.errors import KnowledgeBaseLoadError
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from knowledge_base.locales import normalize_locale
from knowledge_base.schema import Entry

from .conftest import FIXTURE_FAQ


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
  - id: {id}
    pt-BR: {{question: 'Pergunta?', phrasings: [um dois, tres quatro, cinco seis], answer: Resposta.}}
"""


class TestLoading:
    def test_all_yaml_files_of_a_directory_are_loaded(self, fixture_kb: KnowledgeBase) -> None:
        assert {e.id for e in fixture_kb.entries} == {
            "abrir-chamado", "esqueci-senha", "horario-atendimento", "emitir-nfe", "cancelar-nfe", "backup-banco",
        }

    def test_get_finds_an_entry_by_id_or_returns_none(self, fixture_kb: KnowledgeBase) -> None:
        entry = fixture_kb.get("emitir-nfe")
        assert entry is not None and entry.module == "Fiscal"
        assert fixture_kb.get("nao-existe") is None

    def test_drafts_are_loaded_but_not_served(self, fixture_kb: KnowledgeBase) -> None:
        assert [e.id for e in fixture_kb.drafts] == ["backup-banco"]
        assert "backup-banco" not in {e.id for e in fixture_kb.served}
        draft = fixture_kb.get("backup-banco")
        assert draft is not None and draft.source_ticket == "2026-000123"

    def test_an_id_used_in_two_files_is_refused(self, tmp_path: Path) -> None:
        _write(tmp_path / "a.yaml", "entries:" + ENTRY.format(id="repetida"))
        _write(tmp_path / "b.yaml", "entries:" + ENTRY.format(id="repetida"))
        with pytest.raises(KnowledgeBaseLoadError, match="repetida"):
            load_knowledge_base(tmp_path)

    def test_broken_yaml_is_refused_naming_the_file(self, tmp_path: Path) -> None:
        _write(tmp_path / "quebrado.yaml", "entries: [\n  - id: x\n")
        with pytest.raises(KnowledgeBaseLoadError, match=r"quebrado\.yaml"):
            load_knowledge_base(tmp_path)

    def test_a_missing_directory_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(KnowledgeBaseLoadError):
            load_knowledge_base(tmp_path / "nada")

    def test_not_ours_examples_are_read_per_locale_from_any_file(self, tmp_path: Path) -> None:
        _write(tmp_path / "a.yaml", "entries:" + ENTRY.format(id="uma") + "not_ours:\n  pt-BR: [senha do gmail]\n")
        _write(tmp_path / "b.yaml", "not_ours:\n  pt-BR: [conta de luz]\n  en: [my gmail password]\n")
        kb = load_knowledge_base(tmp_path)
        assert [e.id for e in kb.entries] == ["uma"]
        assert kb.not_ours_for("pt_BR") == ("senha do gmail", "conta de luz")
        assert kb.not_ours_for("en-US") == ("my gmail password",)

    def test_not_ours_in_an_unknown_language_is_refused(self, tmp_path: Path) -> None:
        _write(tmp_path / "a.yaml", "not_ours:\n  fr: [mot de passe]\n")
        with pytest.raises(KnowledgeBaseLoadError, match=r"a\.yaml"):
            load_knowledge_base(tmp_path)

    def test_default_path_is_the_shipped_faq(self) -> None:
        shipped = load_knowledge_base()
        assert shipped.entries == load_knowledge_base(Path(__file__).parents[2] / "knowledge_base" / "faq").entries


class TestLocales:
    @pytest.mark.parametrize("tag", ["pt-BR", "pt", "pt_BR", "pt-br", "PT", "", None, "fr", "es-AR"])
    def test_portuguese_and_unknown_tags_mean_pt_br(self, tag: str | None) -> None:
        assert normalize_locale(tag) == "pt-BR"

    @pytest.mark.parametrize("tag", ["en", "en-US", "en_GB", "EN"])
    def test_english_tags_mean_en(self, tag: str) -> None:
        assert normalize_locale(tag) == "en"

    def test_entry_text_follows_the_locale(self, fixture_kb: KnowledgeBase) -> None:
        entry = fixture_kb.get("abrir-chamado")
        assert entry is not None
        assert entry.localized("en-US").question == "How do I open a ticket?"
        assert entry.localized("pt_BR").question == "Como abro um chamado?"

    def test_unknown_locale_falls_back_to_portuguese(self, fixture_kb: KnowledgeBase) -> None:
        entry = fixture_kb.get("abrir-chamado")
        assert entry is not None
        assert entry.localized("de").question == "Como abro um chamado?"

    def test_entry_without_english_falls_back_to_portuguese(self) -> None:
        entry = Entry.model_validate(
            {"id": "so-pt", "pt-BR": {"question": "Pergunta?", "phrasings": ["a b"], "answer": "Resposta."}}
        )
        assert entry.localized("en").answer == "Resposta."


def test_fixture_directory_is_where_the_tests_expect_it() -> None:
    assert (FIXTURE_FAQ / "tickets.yaml").is_file()
