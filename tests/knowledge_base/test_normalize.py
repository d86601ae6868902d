"""How client messages are normalized before matching."""

from __future__ import annotations

import pytest

from knowledge_base.normalize import canonicalize, drop_stop_words, expand_abbreviations, fold, normalize, stemmer


class TestFolding:
    def test_case_and_accents_are_folded(self) -> None:
        assert fold("AÇÃO Não Éramos Pôr") == "acao nao eramos por"

    def test_punctuation_becomes_space(self) -> None:
        assert fold("senha?!... erro:404, tela/login").split() == ["senha", "erro", "404", "tela", "login"]

    def test_runs_of_three_or_more_letters_collapse_to_one(self) -> None:
        assert fold("ajudaaaa socorrooooo oiiii") == "ajuda socorro oi"

    def test_legit_double_letters_and_digits_survive(self) -> None:
        assert fold("carro passo 2000 erro 1000") == "carro passo 2000 erro 1000"

    def test_short_hyphen_affix_joins_and_long_compounds_split(self) -> None:
        assert fold("e-mail nf-e contas-a-pagar pré-venda") == "email nfe contas a pagar pre venda"

    def test_slash_abbreviations_become_words(self) -> None:
        assert fold("c/ desconto s/ juros p/ amanhã").split() == ["com", "desconto", "sem", "juros", "para", "amanha"]

    def test_apostrophes_vanish_inside_words(self) -> None:
        assert fold("I can't log in") == "i cant log in"


class TestAbbreviations:
    @pytest.mark.parametrize(
        ("typed", "meant"),
        [
            ("vc", ["voce"]),
            ("pq", ["porque"]),
            ("q", ["que"]),
            ("tb", ["tambem"]),
            ("tbm", ["tambem"]),
            ("td", ["tudo"]),
            ("msg", ["mensagem"]),
            ("cx", ["caixa"]),
            ("blz", ["beleza"]),
            ("obg", ["obrigado"]),
            ("hj", ["hoje"]),
            ("n", ["nao"]),
            ("tel", ["telefone"]),
            ("zap", ["whatsapp"]),
            ("wpp", ["whatsapp"]),
            ("nro", ["numero"]),
        ],
    )
    def test_chat_abbreviation_is_spelled_out(self, typed: str, meant: list[str]) -> None:
        assert expand_abbreviations([typed]) == meant

    @pytest.mark.parametrize("typed", ["nf", "nfe", "NF-e", "Nf-E"])
    def test_every_spelling_of_nfe_means_the_same(self, typed: str) -> None:
        assert normalize(typed) == "nota fiscal eletronica"

    def test_laughter_is_dropped(self) -> None:
        assert expand_abbreviations(fold("kkkkk rsrs hahaha erro").split()) == ["erro"]

    def test_english_abbreviations_are_spelled_out(self) -> None:
        assert expand_abbreviations(["pwd", "msg", "thx"], "en") == ["password", "message", "thanks"]


class TestStopWords:
    def test_portuguese_stop_words_are_dropped(self) -> None:
        assert drop_stop_words(["como", "eu", "abro", "um", "chamado"]) == ["abro", "chamado"]

    def test_greetings_and_politeness_leave_nothing(self) -> None:
        assert normalize("Bom dia!! Tudo bem? Obrigado, vc pode me ajudar por favor?") == ""
        assert normalize("thank you so much for the help", "en") == ""
        assert normalize("how much is one support hour?", "en") == "much one support hour"

    def test_words_that_carry_the_question_are_kept(self) -> None:
        # who may do something, without what, how urgent: the difference between neighbouring entries
        assert normalize("quem pode abrir chamado?") == "quem pode abrir chamado"
        assert normalize("posso ligar sem chamado aberto?") == "posso ligar sem chamado aberto"
        assert normalize("é urgente, ligo ou abro chamado?") == "urgente ligar abrir chamado"
        assert normalize("who can open tickets?", "en") == "who can open ticket"

    def test_english_stop_words_depend_on_the_locale(self) -> None:
        assert normalize("Hi, how do I reset the password?", "en") == "reset password"
        assert normalize("como resetar a senha", "en") == "como resetar senha"


class TestWholePipeline:
    def test_a_typical_client_message_keeps_only_the_meaningful_words(self) -> None:
        message = "Bom diaaaa!!! vc pode me ajudar pq n consigo emitir a NF-e"
        assert normalize(message) == "nao emitir nota fiscal eletronica"

    def test_unknown_locale_normalizes_as_portuguese(self) -> None:
        assert normalize("como abro um chamado", "fr") == normalize("como abro um chamado", "pt-BR")


class TestCanonicalization:
    @pytest.mark.parametrize(
        "word", ["ticket", "tickets", "ocorrência", "solicitação", "demanda", "requisição", "protocolo"]
    )
    def test_every_name_of_a_ticket_means_chamado(self, word: str) -> None:
        assert normalize(f"meu {word}") == "chamado"

    @pytest.mark.parametrize("word", ["encerrado", "finalizado", "concluído", "fechada"])
    def test_closed_states_mean_fechado(self, word: str) -> None:
        assert normalize(f"chamado {word}") == "chamado fechado"

    def test_verb_inflections_become_the_infinitive(self) -> None:
        assert normalize("como abro, encerro e reabro um ticket") == "abrir fechar reabrir chamado"

    def test_customization_has_one_spelling(self) -> None:
        assert normalize("quero personalizar, uma customização, algo personalizado") == (
            "customizacao customizacao algo customizacao"
        )

    def test_creating_a_ticket_or_a_problem_means_opening_one(self) -> None:
        assert normalize("quero registrar uma solicitação de suporte") == "abrir chamado suporte"
        assert normalize("como crio um ticket novo") == "abrir chamado novo"
        assert normalize("preciso registrar um problema") == "abrir problema"
        assert normalize("quero criar um novo chamado") == "abrir novo chamado"
        assert normalize("how do I log a support request", "en") == "open support ticket"

    def test_a_creating_verb_keeps_its_meaning_elsewhere(self) -> None:
        assert normalize("como gero o boleto") == "gero boleto"
        assert normalize("gerar relatório de erros") == "gerar relatorio erro"

    def test_english_has_its_own_table(self) -> None:
        assert normalize("I want to file a request", "en") == "open ticket"
        assert normalize("my ticket was closed, can you customise it", "en") == "ticket closed customize"
        assert canonicalize(["ticket"], "pt-BR") == ["chamado"]

    def test_every_english_negation_is_not(self) -> None:
        # "support without a contract" must not read as "support contract"
        for message in ("support without a contract", "we don't have a contract", "no contract", "non-contract"):
            assert normalize(message, "en").split()[-2:] == ["not", "contract"], message

    def test_ambiguous_words_are_left_alone(self) -> None:
        assert normalize("usuário travado") == "usuario travado"
        assert normalize("in which cases", "en") == "cases"


class TestStems:
    def test_inflections_and_derivations_share_a_stem(self) -> None:
        stem = stemmer("pt-BR")
        assert stem("acompanho") == stem("acompanhar") == stem("acompanhamento")
        assert stem("cancela") == stem("cancelamento")
        assert stemmer("en")("charged") == stemmer("en")("charge")

    def test_stems_are_not_part_of_the_normalized_text(self) -> None:
        assert normalize("acompanhamento dos chamados") == "acompanhamento chamado"
