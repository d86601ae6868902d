"""The analysts' ticket page and its actions (handler tests, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from core.model import Actor
from core.outbox import ANALYSTS, CLIENT
from core.store.orm import OutboxMessage
from tests.web.conftest import csrf_of, open_demo_ticket, post_form


def _outbox(desk, kind):
    with desk.db.session() as session:
        return [(row.audience, row.platform, row.payload) for row in
                session.query(OutboxMessage).filter(OutboxMessage.kind == kind).order_by(OutboxMessage.id)]


async def test_claim_reply_note_and_the_page(web_desk, sign_in_as):
    ticket = await asyncio.to_thread(open_demo_ticket, web_desk)
    ana = await sign_in_as("ana@suporte.example")
    page = await ana.get(f"/chamados/{ticket.number}")
    html = await page.text()
    assert page.status == 200 and ticket.number in html and "Erro ao emitir nota" in html
    token = await csrf_of(ana, f"/chamados/{ticket.number}")
    claimed = await post_form(ana, f"/chamados/{ticket.number}/assumir", token=token)
    assert claimed.status == 303 and claimed.headers["Location"].endswith("?ok=claim")
    replied = await post_form(ana, f"/chamados/{ticket.number}/responder",
                              {"body": "Reemita pelo menu Notas.", "submission": "n1"}, token=token)
    assert replied.status == 303
    again = await post_form(ana, f"/chamados/{ticket.number}/responder",
                            {"body": "Reemita pelo menu Notas.", "submission": "n1"}, token=token)
    assert again.status == 303  # the same submission (a double click) is stored once
    noted = await post_form(ana, f"/chamados/{ticket.number}/nota",
                            {"body": "Cliente usa versão antiga.", "submission": "n2"}, token=token)
    assert noted.status == 303
    view = await asyncio.to_thread(web_desk.get_ticket, ticket.number, Actor.system())
    assert view.status == "ANSWERED" and view.assignee == "ana@suporte.example"
    assert [m.visibility for m in view.messages] == ["PUBLIC", "PUBLIC", "INTERNAL"]
    replies = _outbox(web_desk, "analyst_reply")
    assert [(a, p) for a, p, _ in replies] == [(CLIENT, "console"), (ANALYSTS, "console")]
    assert replies[1][2]["ref"]["platform"] == "web"
    html = await (await ana.get(f"/chamados/{ticket.number}")).text()
    assert "Cliente usa versão antiga." in html and "Nota interna" in html and "Respondida" in html


async def test_refusals_are_polite_pages(web_desk, sign_in_as):
    ticket = await asyncio.to_thread(open_demo_ticket, web_desk)
    ana = await sign_in_as("ana@suporte.example")
    token = await csrf_of(ana, f"/chamados/{ticket.number}")
    empty = await post_form(ana, f"/chamados/{ticket.number}/responder", {"body": "  "}, token=token)
    assert empty.status == 400 and "Erro ao emitir nota" in await empty.text()
    huge = await post_form(ana, f"/chamados/{ticket.number}/nota", {"body": "x" * 30_000}, token=token)
    assert huge.status == 400
    hours = await post_form(ana, f"/chamados/{ticket.number}/horas", {"hours": "muitas"}, token=token)
    assert hours.status == 400
    escalate = await post_form(ana, f"/chamados/{ticket.number}/escalar", {"reason": ""}, token=token)
    assert escalate.status == 400
    missing = await ana.get("/chamados/2026-999999")
    assert missing.status == 404 and "2026-999999" in await missing.text()
    garbage = await ana.get("/chamados/nao-e-numero")
    assert garbage.status == 404
    post_missing = await post_form(ana, "/chamados/2026-999999/assumir", token=token)
    assert post_missing.status == 404


async def test_hours_forward_escalate_close(web_desk, sign_in_as):
    ticket = await asyncio.to_thread(open_demo_ticket, web_desk)
    ana = await sign_in_as("ana@suporte.example")
    token = await csrf_of(ana, f"/chamados/{ticket.number}")
    assert (await post_form(ana, f"/chamados/{ticket.number}/horas", {"hours": "1h30", "note": "análise"},
                            token=token)).status == 303
    assert (await post_form(ana, f"/chamados/{ticket.number}/escalar", {"reason": "precisa de N2"},
                            token=token)).status == 303
    html = await (await ana.get(f"/chamados/{ticket.number}")).text()
    assert "1h30" in html and "precisa de N2" in html
    assert (await post_form(ana, f"/chamados/{ticket.number}/fechar", token=token)).status == 303
    view = await asyncio.to_thread(web_desk.get_ticket, ticket.number, Actor.system())
    assert view.status == "CLOSED" and view.level == "N2"
    second = await asyncio.to_thread(open_demo_ticket, web_desk)
    assert (await post_form(ana, f"/chamados/{second.number}/encaminhar", {"area": "Comercial"},
                            token=token)).status == 303
    view = await asyncio.to_thread(web_desk.get_ticket, second.number, Actor.system())
    assert view.status == "FORWARDED" and view.forwarded_area == "Comercial"
