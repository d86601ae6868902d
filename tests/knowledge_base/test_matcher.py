"""What the matcher does with client messages (fixture FAQ, fixed bands)."""

from __future__ import annotations

from knowledge_base.bm25 import Bm25Matcher
from knowledge_base.decision import Decision, ExactPhrasings, Thresholds
from knowledge_base.loader import KnowledgeBase
from knowledge_base.matcher import Matcher

from .conftest import BANDS


class TestDecisionBands:
    def test_a_known_phrasing_is_answered_from_its_entry(self, matcher: Matcher) -> None:
        result = matcher.ask("quero abrir um chamado")
        assert result.decision is Decision.ANSWER
        assert [m.entry_id for m in result.matches] == ["abrir-chamado"]

    def test_a_message_fitting_two_entries_equally_gets_suggestions(self, matcher: Matcher) -> None:
        result = matcher.ask("nota fiscal eletrônica")
        assert result.decision is Decision.SUGGEST
        assert {m.entry_id for m in result.matches} == {"emitir-nfe", "cancelar-nfe"}

    def test_an_off_topic_message_gets_none(self, matcher: Matcher) -> None:
        result = matcher.ask("qual a previsão do tempo amanhã")
        assert result.decision is Decision.NONE
        assert result.matches == []

    def test_greetings_only_get_none(self, matcher: Matcher) -> None:
        for message in ("bom dia!!", "oi, tudo bem?", "obg kkkk", "", "   ", "?!"):
            assert matcher.ask(message).decision is Decision.NONE, message

    def test_typos_and_shouting_still_find_the_entry(self, matcher: Matcher) -> None:
        result = matcher.ask("COMO ABRO UM CHAMDO???")
        assert result.decision is Decision.ANSWER
        assert result.matches[0].entry_id == "abrir-chamado"

    def test_a_long_rambling_message_is_scored_on_its_best_window(self, fixture_kb: KnowledgeBase) -> None:
        message = (
            "bom dia pessoal, tudo bem? entao, aqui na empresa a gente ta precisando muito de ajuda "
            "com uma coisa que aconteceu ontem no fechamento do mes, o estagiario do setor financeiro "
            "emitiu as notas da filial e uma delas saiu com o valor errado e o cliente reclamou: "
            "como faço pra cancelar uma nota fiscal eletrônica?"
        )
        windowed = Matcher(fixture_kb, thresholds=BANDS)
        whole = Matcher(fixture_kb, thresholds=BANDS)
        whole.window = 0
        assert windowed.rank(message)[0].entry_id == whole.rank(message)[0].entry_id == "cancelar-nfe"
        assert windowed.rank(message)[0].score > whole.rank(message)[0].score

    def test_abbreviations_reach_the_entry(self, matcher: Matcher) -> None:
        assert matcher.ask("como emitir nfe").matches[0].entry_id == "emitir-nfe"


class TestMatches:
    def test_a_match_carries_the_localized_question_answer_and_a_0_100_score(self, matcher: Matcher) -> None:
        match = matcher.ask("como recupero minha senha").matches[0]
        assert match.entry_id == "esqueci-senha"
        assert match.question == "Esqueci minha senha, o que faço?"
        assert match.answer.startswith("Peça ao administrador")
        assert 0 < match.score <= 100

    def test_rank_returns_at_most_limit_entries_best_first_one_per_entry(self, matcher: Matcher) -> None:
        ranked = matcher.rank("cancelar nota fiscal eletrônica emitida", limit=2)
        assert len(ranked) == 2
        assert ranked[0].entry_id == "cancelar-nfe"
        assert ranked[0].score >= ranked[1].score
        assert len({m.entry_id for m in ranked}) == 2

    def test_drafts_are_never_served(self, matcher: Matcher) -> None:
        for message in ("backup do banco de dados", "como faço backup do banco"):
            assert all(m.entry_id != "backup-banco" for m in matcher.rank(message, limit=10))
        assert "backup banco dados" not in matcher.choices


class TestLocales:
    def test_english_matcher_answers_in_english(self, english_matcher: Matcher) -> None:
        result = english_matcher.ask("how do I recover my password?")
        assert result.decision is Decision.ANSWER
        assert result.matches[0].answer == "Ask your company's administrator to issue a new password."

    def test_locale_tag_is_normalized(self, fixture_kb: KnowledgeBase) -> None:
        assert Matcher(fixture_kb, "en_US", thresholds=BANDS).locale == "en"
        assert Matcher(fixture_kb, "pt", thresholds=BANDS).locale == "pt-BR"

    def test_unknown_locale_falls_back_to_portuguese(self, fixture_kb: KnowledgeBase) -> None:
        matcher = Matcher(fixture_kb, "fr", thresholds=BANDS)
        assert matcher.locale == "pt-BR"
        assert matcher.ask("quero abrir um chamado").matches[0].question == "Como abro um chamado?"


class TestThresholds:
    def test_constructor_arguments_override_the_calibrated_file(self, fixture_kb: KnowledgeBase) -> None:
        strict = Matcher(fixture_kb, answer=101.0)
        assert strict.thresholds.answer == 101.0
        assert strict.ask("preciso abrir um chamado sobre o estoque").decision is Decision.SUGGEST

    def test_a_whole_thresholds_object_can_be_given(self, fixture_kb: KnowledgeBase) -> None:
        lax = Thresholds(answer=0.0, margin=0.0, suggest=0.0)
        assert Matcher(fixture_kb, thresholds=lax, margin=5.0).thresholds == Thresholds(0.0, 5.0, 0.0)


class TestExactPhrasing:
    NEVER = Thresholds(answer=101.0, margin=0.0, suggest=0.0)  # no score is ever confident enough

    def test_a_message_that_is_one_of_the_faq_phrasings_is_answered_whatever_the_bands(
        self, fixture_kb: KnowledgeBase
    ) -> None:
        for kind in (Matcher, Bm25Matcher):
            result = kind(fixture_kb, thresholds=self.NEVER).ask("QUERO abrir um CHAMDO!!")
            assert result.decision is Decision.SUGGEST, kind  # a typo: not the same words
            result = kind(fixture_kb, thresholds=self.NEVER).ask("Quero ABRIR um chamado!!")
            assert result.decision is Decision.ANSWER, kind
            assert [m.entry_id for m in result.matches] == ["abrir-chamado"]

    def test_words_two_entries_share_settle_nothing(self) -> None:
        shared = ExactPhrasings([("a", ["nota", "fiscal"]), ("b", ["fiscal", "nota"]), ("a", ["abrir"])])
        assert shared.owner(["nota", "fiscal"]) is None
        assert shared.owner(["abrir"]) == "a"
        assert shared.owner(["abrir", "nota"]) is None


class TestNotOurs:
    """The FAQ's "not ours" examples (fixtures/faq/not_ours.yaml) keep other products' questions out."""

    def test_a_question_about_another_product_gets_none(self, fixture_kb: KnowledgeBase) -> None:
        for kind in (Matcher, Bm25Matcher):
            assert kind(fixture_kb, thresholds=BANDS).ask("esqueci a senha do gmail").decision is Decision.NONE, kind
            english = kind(fixture_kb, "en", thresholds=BANDS)
            assert english.ask("forgot my gmail password").decision is Decision.NONE, kind

    def test_without_the_examples_the_shared_words_would_answer_it(self, fixture_kb: KnowledgeBase) -> None:
        bare = KnowledgeBase(entries=fixture_kb.entries)
        assert bare.not_ours_for("pt-BR") == ()
        ranking = Matcher(bare, thresholds=BANDS).ranking("esqueci a senha do gmail")
        assert ranking.not_ours == 0.0 and ranking.ours[0].entry_id == "esqueci-senha"
        ranking = Matcher(fixture_kb, thresholds=BANDS).ranking("esqueci a senha do gmail")
        assert ranking.not_ours > ranking.matches[0].score and ranking.ours == []

    def test_our_own_questions_still_get_their_answer(self, matcher: Matcher) -> None:
        for message in ("como recupero minha senha", "qual o horário de atendimento do suporte"):
            result = matcher.ask(message)
            assert result.decision is Decision.ANSWER, message
        assert matcher.ask("como recupero minha senha").matches[0].entry_id == "esqueci-senha"

    def test_the_examples_are_never_served(self, matcher: Matcher) -> None:
        ranked = matcher.rank("esqueci a senha do meu gmail", limit=10)
        assert {m.entry_id for m in ranked} <= {"esqueci-senha", "abrir-chamado", "horario-atendimento",
                                                 "emitir-nfe", "cancelar-nfe"}


class TestEmptyKnowledgeBase:
    def test_an_empty_faq_answers_none(self) -> None:
        matcher = Matcher(KnowledgeBase(entries=()), thresholds=BANDS)
        assert matcher.ask("como abro um chamado").decision is Decision.NONE


class TestBm25Baseline:
    def test_bm25_ranks_the_phrasing_entry_first_and_skips_drafts(self, fixture_kb: KnowledgeBase) -> None:
        bm25 = Bm25Matcher(fixture_kb, thresholds=BANDS)
        assert bm25.rank("como emitir nf-e")[0].entry_id == "emitir-nfe"
        assert all(m.entry_id != "backup-banco" for m in bm25.rank("backup do banco de dados", limit=10))

    def test_bm25_gets_none_for_greetings(self, fixture_kb: KnowledgeBase) -> None:
        assert Bm25Matcher(fixture_kb, thresholds=BANDS).ask("bom dia").decision is Decision.NONE
