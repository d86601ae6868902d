"""Ratings: one per closing (a reopened ticket is rated again), one notice to the analysts per rating."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import InvalidTransition
from core.model import Actor, check_rating
from core.store.orm import TicketEvent
from tests.bot.conftest import Chat, Harness, open_ticket_via_chat


def test_the_rule_one_rating_per_closing() -> None:
    check_rating("CLOSED", already_rated=False)
    with pytest.raises(InvalidTransition):
        check_rating("CLOSED", already_rated=True)
    with pytest.raises(InvalidTransition):
        check_rating("ANSWERED", already_rated=False)


def close_with_answer(harness: Harness, chat: Chat, number: str) -> None:
    harness.desk.analyst_reply(number, harness.analyst_id("ana@suporte.example"), "Feito")
    harness.deliver()
    chat.press("Resolvido")


def test_a_score_and_its_comment_make_one_notice(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    close_with_answer(harness, chat, number)
    before = len(harness.recorder.notices)

    chat.press("4")
    chat.send("Bom, mas demorou")

    assert [n.kind for n in harness.recorder.notices[before:]] == ["rated"]
    ticket = harness.desk.get_ticket(number, Actor.system())
    assert ticket.satisfaction == 4
    with harness.desk.db.session() as s:
        kinds = [e.kind for e in s.scalars(select(TicketEvent).where(TicketEvent.kind.like("rat%")))]
    assert kinds == ["rated", "rating_commented"]


def test_a_reopened_ticket_is_rated_again_after_its_new_closing(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    close_with_answer(harness, chat, number)
    first_stars = chat.button("5").data
    chat.press("5")
    chat.send("/pular")
    paula = harness.desk.contact_by_email("paula@prata.example").id

    harness.desk.reopen(number, paula, "Voltou a falhar")
    harness.deliver()
    close_with_answer(harness, chat, number)
    assert chat.last().button_labels[:5] == ["1", "2", "3", "4", "5"]
    chat.press("2")

    assert "Obrigado pela avaliação" in chat.last_text()  # taken, not answered as a stale button
    assert harness.desk.get_ticket(number, Actor.system()).satisfaction == 2
    with harness.desk.db.session() as s:
        scores = [e.detail.get("score") for e in s.scalars(select(TicketEvent).where(TicketEvent.kind == "rated")
                                                        .order_by(TicketEvent.id))]
    assert scores == [5, 2]  # the history stays in the ticket's events

    stale_before = len(chat.replies)
    chat.press_data(first_stars)  # the first closing's stars, pressed again: stale, nothing changes
    assert harness.desk.get_ticket(number, Actor.system()).satisfaction == 2
    assert len(chat.replies) >= stale_before


def test_rating_twice_for_one_closing_is_refused(harness: Harness) -> None:
    chat = harness.client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    close_with_answer(harness, chat, number)
    paula = harness.desk.contact_by_email("paula@prata.example").id
    harness.desk.rate(number, paula, 3)
    with pytest.raises(InvalidTransition) as refused:
        harness.desk.rate(number, paula, 5)
    assert "já foi avaliado" in refused.value.render("pt-BR")
