"""Each band of the FAQ decision through the dialog: ANSWER, ANSWER + "see also", CONFIRM Sim / Não,
SUGGEST and NONE; and what the FAQ log keeps of each."""

from __future__ import annotations

from sqlalchemy import select

from core.store.orm import FaqQuestion
from knowledge_base.decision import Thresholds
from knowledge_base.matcher import Matcher
from tests.bot.conftest import Harness

# Every message with a candidate is confirmed (no score reaches an answer): the CONFIRM band alone.
CONFIRM_ALL = Thresholds(answer=101.0, margin=0.0, suggest=1.0, confirm=1.0, confirm_margin=0.0)
SUGGEST_ALL = Thresholds(answer=101.0, margin=0.0, suggest=1.0)


def _logged(harness: Harness) -> FaqQuestion:
    with harness.desk.db.session() as s:
        return s.scalars(select(FaqQuestion)).one()


def test_a_clear_answer_comes_with_did_it_help_and_no_see_also(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    chat.send("como abro um chamado")
    assert "Isso resolveu?" in chat.last_text()
    assert chat.last().button_labels == ["Sim", "Não"]
    assert _logged(harness).decision == "answer"


def test_an_answer_beside_a_related_entry_offers_it_as_see_also(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    chat.send("cobram as horas mesmo sem fechar o chamado")
    labels = chat.last().button_labels
    assert "Não é preciso concluir" in chat.last_text() and labels[:2] == ["Sim", "Não"]
    see_also = [label for label in labels if label.startswith("Veja também: ")]
    assert see_also and see_also[0].startswith("Veja também: Como são cobradas as horas")
    row = _logged(harness)
    assert (row.decision, row.entry_id) == ("answer", "horas-cobradas-sem-fechar")
    assert row.suggested[0] == "horas-cobradas-sem-fechar" and len(row.suggested) == 1 + len(see_also)
    chat.press(see_also[0])
    assert "Isso resolveu?" in chat.last_text()
    assert _logged(harness).entry_id == row.suggested[1]  # the entry the client went on to read
    chat.press("Sim")
    assert "Que bom" in chat.last_text() and _logged(harness).feedback == "helpful"


def test_see_also_in_english(harness: Harness) -> None:
    chat = harness.client("paula@prata.example", locale="en")
    chat.send("do you charge the hours even if the ticket is not closed")
    labels = chat.last().button_labels
    assert _logged(harness).decision in {"answer", "suggest", "confirm"}
    if _logged(harness).decision == "answer" and len(labels) > 2:
        assert labels[2].startswith("See also: ")


def test_confirm_yes_shows_the_answer_then_did_it_help(harness: Harness) -> None:
    harness.dialog._matchers["pt-BR"] = Matcher(harness.kb, "pt-BR", thresholds=CONFIRM_ALL)
    chat = harness.client("paula@prata.example")
    chat.send("vcs atendem sabado?")
    assert chat.last_text().startswith("Você quer saber sobre: ") and chat.last_text().endswith("?")
    assert not chat.last_text().endswith("??")
    assert chat.last().button_labels == ["Sim", "Não"]
    row = _logged(harness)
    assert (row.decision, row.entry_id) == ("confirm", "horario-atendimento")
    chat.press("Sim")
    assert "segunda a sexta" in chat.last_text() and "Isso resolveu?" in chat.last_text()
    chat.press("Sim")
    row = _logged(harness)
    assert (row.decision, row.entry_id, row.feedback) == ("confirm", "horario-atendimento", "helpful")


def test_confirm_no_offers_a_ticket(harness: Harness) -> None:
    harness.dialog._matchers["pt-BR"] = Matcher(harness.kb, "pt-BR", thresholds=CONFIRM_ALL)
    chat = harness.client("paula@prata.example")
    chat.send("vcs atendem sabado?")
    chat.press("Não")
    assert "Abrir chamado" in chat.last().button_labels
    assert _logged(harness).feedback == "none_fit"
    chat.press("Abrir chamado")
    assert "módulo" in chat.last_text()


def test_a_confirmation_already_answered_is_stale(harness: Harness) -> None:
    harness.dialog._matchers["pt-BR"] = Matcher(harness.kb, "pt-BR", thresholds=CONFIRM_ALL)
    chat = harness.client("paula@prata.example")
    chat.send("vcs atendem sabado?")
    yes = chat.button("Sim")
    chat.press("Não")
    chat.press_data(yes.data)
    assert "já passou" in chat.last_text()


def test_real_ambiguity_is_suggested(harness: Harness) -> None:
    harness.dialog._matchers["pt-BR"] = Matcher(harness.kb, "pt-BR", thresholds=SUGGEST_ALL)
    chat = harness.client("paula@prata.example")
    chat.send("vcs atendem sabado?")
    labels = chat.last().button_labels
    assert labels[-1] == "Nenhuma dessas" and 2 <= len(labels) <= 4
    assert _logged(harness).decision == "suggest"


def test_what_is_not_ours_gets_none_and_a_ticket_offer(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    chat.send("qual a previsão do tempo amanhã")
    assert "Abrir chamado" in chat.last().button_labels
    assert _logged(harness).decision == "none"


def test_see_also_after_the_verdict_only_shows_the_entry(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    chat.send("cobram as horas mesmo sem fechar o chamado")
    see_also = next(label for label in chat.last().button_labels if label.startswith("Veja também: "))
    chat.press("Sim")
    chat.press(see_also)
    assert "Isso resolveu?" not in chat.last_text() and chat.last().button_labels == []
    row = _logged(harness)
    assert (row.entry_id, row.feedback) == ("horas-cobradas-sem-fechar", "helpful")


def test_see_also_data_that_does_not_decode_to_a_shown_entry_is_stale(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    chat.send("cobram as horas mesmo sem fechar o chamado")
    qid = _logged(harness).id
    chat.press_data(f"fa:{qid}:9")
    assert "já passou" in chat.last_text()
    chat.press_data(f"fa:{qid}:0")  # index 0 is the answer itself, not a "see also"
    assert "já passou" in chat.last_text()
