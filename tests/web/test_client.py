"""The client's ticket page: the conversation without internal notes, messages, accepting, rejecting."""

from __future__ import annotations

import asyncio

from core.model import Actor
from tests.web.conftest import csrf_of, open_demo_ticket, post_form

NOTE = "Segredo interno: cliente em atraso"


def _answered(desk):
    ticket = open_demo_ticket(desk)
    ana = desk.analyst_by_email("ana@suporte.example")
    desk.claim(ticket.number, ana.id)
    desk.internal_note(ticket.number, ana.id, NOTE)
    desk.analyst_reply(ticket.number, ana.id, "Reemita a nota pelo menu Notas > Reemitir.")
    return ticket


async def test_the_client_sees_the_reply_and_no_internal_note(web_desk, sign_in_as):
    ticket = await asyncio.to_thread(_answered, web_desk)
    paula = await sign_in_as("paula@prata.example")
    for path in (f"/acompanhar/{ticket.number}", "/meus-chamados", f"/acompanhar/{ticket.number}?ok=message"):
        html = await (await paula.get(path)).text()
        assert NOTE not in html and "Nota interna" not in html, path
    page = await (await paula.get(f"/acompanhar/{ticket.number}")).text()
    assert "Reemita a nota" in page and "Respondida" in page and "Aceitar a solução" in page
    lists = await (await paula.get("/meus-chamados")).text()
    assert ticket.number in lists
    # The same organization's other contacts see the ticket too; the analysts' page shows the note.
    ana = await sign_in_as("ana@suporte.example")
    assert NOTE in await (await ana.get(f"/chamados/{ticket.number}")).text()


async def test_accepting_closes_the_ticket(web_desk, sign_in_as):
    ticket = await asyncio.to_thread(_answered, web_desk)
    paula = await sign_in_as("paula@prata.example")
    token = await csrf_of(paula, f"/acompanhar/{ticket.number}")
    accepted = await post_form(paula, f"/acompanhar/{ticket.number}/aceitar", token=token)
    assert accepted.status == 303
    view = await asyncio.to_thread(web_desk.get_ticket, ticket.number, Actor.system())
    assert view.status == "CLOSED"
    page = await (await paula.get(accepted.headers["Location"])).text()
    assert "Chamado fechado" in page and "Fechada" in page
    again = await post_form(paula, f"/acompanhar/{ticket.number}/aceitar", token=token)
    assert again.status in {400, 409} and "Fechada" in await again.text()


async def test_rejecting_and_writing_send_it_back_to_the_team(web_desk, sign_in_as):
    ticket = await asyncio.to_thread(_answered, web_desk)
    paula = await sign_in_as("paula@prata.example")
    token = await csrf_of(paula, f"/acompanhar/{ticket.number}")
    rejected = await post_form(paula, f"/acompanhar/{ticket.number}/recusar", {"body": "Ainda dá erro"}, token=token)
    assert rejected.status == 303
    view = await asyncio.to_thread(web_desk.get_ticket, ticket.number, Actor.system())
    assert view.status == "OPEN"
    wrote = await post_form(paula, f"/acompanhar/{ticket.number}/mensagem",
                            {"body": "Segue o print do erro.", "submission": "c1"}, token=token)
    assert wrote.status == 303
    empty = await post_form(paula, f"/acompanhar/{ticket.number}/mensagem", {"body": ""}, token=token)
    assert empty.status == 400
    huge = await post_form(paula, f"/acompanhar/{ticket.number}/mensagem", {"body": "y" * 21_000}, token=token)
    assert huge.status == 400
    page = await (await paula.get(f"/acompanhar/{ticket.number}")).text()
    assert "Aceitar a solução" not in page  # offered only while the ticket is answered
    view = await asyncio.to_thread(web_desk.get_ticket, ticket.number, Actor.system())
    assert view.messages[-1].body == "Segue o print do erro."
