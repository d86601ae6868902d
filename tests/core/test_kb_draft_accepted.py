"""``chamado kb draft`` takes the answer the client accepted, or refuses with one clear line."""

from __future__ import annotations

import pytest

from core.desk import HelpDesk
from core.errors import InvalidTransition
from core.kb_drafts import draft_from_ticket

PAULA = "paula@prata.example"


def opened(desk: HelpDesk) -> tuple[str, int, int]:
    contact = desk.contact_by_email(PAULA)
    ticket = desk.open_ticket(contact_id=contact.id, subject="NF-e rejeitada", module="Fiscal",
                              criticality="ALTA", description="Erro 539 ao transmitir a nota.")
    return ticket.number, contact.id, desk.analyst_by_email("ana@suporte.example").id


def test_the_draft_takes_the_reply_before_the_acceptance_not_a_later_one(demo: HelpDesk) -> None:
    number, paula, ana = opened(demo)
    demo.analyst_reply(number, ana, "Tente reiniciar.")
    demo.reject_solution(number, paula, "Não resolveu")
    demo.analyst_reply(number, ana, "Troque o CFOP para 5102 e reenvie.")
    demo.internal_note(number, ana, "nota interna que não é resposta")
    demo.accept_solution(number, paula)

    draft = draft_from_ticket(demo, number)

    assert "Troque o CFOP para 5102" in draft
    assert "Tente reiniciar" not in draft and "nota interna" not in draft


def test_a_ticket_closed_by_the_analyst_without_acceptance_is_refused(demo: HelpDesk) -> None:
    number, _, ana = opened(demo)
    demo.analyst_reply(number, ana, "Troque o CFOP.")
    demo.close_by_analyst(number, ana)

    with pytest.raises(InvalidTransition) as refused:
        draft_from_ticket(demo, number)
    assert "não foi fechado pelo cliente aceitando uma resposta" in refused.value.render("pt-BR")
    assert "not closed by the client accepting an answer" in refused.value.render("en")


def test_an_acceptance_with_no_public_answer_is_refused(demo: HelpDesk) -> None:
    number, paula, ana = opened(demo)
    demo.internal_note(number, ana, "só nota")
    demo.accept_solution(number, paula)

    with pytest.raises(InvalidTransition, match="não tem resposta pública"):
        draft_from_ticket(demo, number)
