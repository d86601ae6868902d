"""A client's message about a FORWARDED ticket goes to that ticket and the analysts, not to the FAQ."""

from __future__ import annotations

from core.model import Action, Actor, next_status
from tests.bot.conftest import Harness, open_ticket_via_chat


def test_the_rule_a_client_message_keeps_a_forwarded_ticket_forwarded() -> None:
    class Forwarded:
        number, status, level, assignee_id, closed_at = "2026-000001", "FORWARDED", "N1", None, None

    assert next_status(Forwarded(), Action.CLIENT_MESSAGE) == "FORWARDED"


def test_a_message_about_a_forwarded_ticket_goes_to_it(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    harness.desk.forward(number, harness.analyst_id("ana@suporte.example"), "Financeiro")
    harness.deliver()
    notices = len(harness.recorder.notices)

    chat.send("esqueci minha senha")  # a FAQ question's words, but the client has a ticket under way

    assert f"Anotado no chamado {number}" in chat.last_text()
    ticket = harness.desk.get_ticket(number, Actor.system())
    assert ticket.status == "FORWARDED"
    assert ticket.messages[-1].body == "esqueci minha senha"
    assert [n.kind for n in harness.recorder.notices[notices:]] == ["client_message"]
    assert harness.recorder.notices[-1].body == "esqueci minha senha"
