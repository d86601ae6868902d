"""In a real browser (headless Chromium): an analyst works a ticket from the web, the client accepts from the web.

(a) the analyst signs in by link, finds the new ticket in the queue, claims it
and replies; the reply reaches the client in the chat (the console adapter,
through the outbox) and the analysts' thread says it came from the web.
(b) the client follows the link the chat gave when the ticket was opened,
signs in with the link /painel gave, sees the reply and no internal note, and
accepts: the ticket is CLOSED in the store and the analysts' thread says so.
Screenshots of each page go to ``artifacts_dir``.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.console import AnalystConsoleDeliverer, ClientConsole
from bot.dialog import Dialog
from bot.web.config import WebConfig
from bot.web.links import WebLinks
from core.model import Actor
from core.outbox import ANALYSTS, OutboxDispatcher
from knowledge_base.loader import load_knowledge_base
from tests.web.conftest import off_loop, open_demo_ticket

NOTE = "Cliente ainda na versão 3.2 (não contar a ele)"
REPLY = "Atualizei o certificado: pode reemitir a nota pelo menu Notas > Reemitir."


class Desk:
    """What reaches the analysts' console desk."""

    def __init__(self, desk):
        self.lines: list[str] = []
        deliverer = AnalystConsoleDeliverer(desk, self.lines.append)
        self.dispatcher = OutboxDispatcher(desk.db, {"console": deliverer}, audience=ANALYSTS, batch_size=100)

    def text(self) -> str:
        off_loop(asyncio.run, self.dispatcher.drain())
        return "".join(self.lines)


@pytest.fixture
def client_chat(live_server):
    """Paula chatting from ``chamado console``; the dialog carries the live server's links."""
    desk = live_server.desk
    links = WebLinks(desk, WebConfig(public_url=live_server.url))
    dialog = Dialog(desk, load_knowledge_base(), ticket_link=links.ticket, web_sign_in=links.sign_in)
    said: list[str] = []
    chat = ClientConsole(dialog, "paula@prata.example", said.append)
    return chat, said


def _open_from_chat(chat, said) -> str:
    for line in ("/abrir Erro ao emitir nota fiscal de saída", "Fiscal", "Alta", "Erro 539 ao transmitir", "Confirmar"):
        off_loop(chat.turn, line)
    match = re.search(r"Chamado (\d{4}-\d{6})", said[-1])
    assert match, said[-1]
    return match.group(1)


def test_an_analyst_claims_and_replies_from_the_browser(page, live_server, client_chat, artifacts_dir):
    chat, said = client_chat
    number = _open_from_chat(chat, said)
    desk_thread = Desk(live_server.desk)
    page.goto(off_loop(live_server.sign_in_link, "ana@suporte.example"))
    page.screenshot(path=str(artifacts_dir / "01-sign-in-link.png"))
    page.click("#sign-in")
    row = page.locator(f'tr[data-number="{number}"]')
    row.wait_for()
    page.screenshot(path=str(artifacts_dir / "02-queue.png"), full_page=True)
    later = off_loop(open_demo_ticket, live_server.desk, "otavio@ouro.example")
    page.locator(f'tr[data-number="{later.number}"]').wait_for(timeout=30_000)  # htmx refreshed the table
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "02b-queue-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    row.get_by_role("link", name=number).click()
    page.click("#claim")
    page.get_by_text("Pronto: o chamado é seu.").wait_for()
    assert page.locator("#ticket-assignee").inner_text() == "Ana Souza"
    page.fill("#note-body", NOTE)
    page.click("#add-note")
    page.get_by_text("Nota interna salva.").wait_for()
    page.fill("#reply-body", REPLY)
    page.click("#send-reply")
    page.get_by_text("Resposta enviada ao cliente.").wait_for()
    assert page.locator("#ticket-status").inner_text() == "Respondida"
    page.screenshot(path=str(artifacts_dir / "03-ticket-analyst.png"), full_page=True)
    said.clear()
    off_loop(chat.flush)  # the console delivers what the outbox holds for Paula
    arrived = "".join(said)
    assert REPLY in arrived and NOTE not in arrived
    thread = desk_thread.text()
    assert f"Ana Souza respondeu o chamado {number} pela web" in thread and REPLY in thread


def test_the_client_follows_the_chat_link_and_accepts(page, live_server, client_chat, artifacts_dir):
    chat, said = client_chat
    number = _open_from_chat(chat, said)
    link = re.search(r"(http://\S+/acompanhar/\S+)", said[-1]).group(1)
    desk = live_server.desk
    ana = desk.analyst_by_email("ana@suporte.example").id
    off_loop(desk.claim, number, ana)
    off_loop(desk.internal_note, number, ana, NOTE)
    off_loop(desk.analyst_reply, number, ana, REPLY)
    desk_thread = Desk(desk)
    desk_thread.text()  # what the thread held before the client's answer
    page.goto(link)  # no session yet: the page says how to get a sign-in link
    page.get_by_text("/painel").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "04-sign-in-help.png"), full_page=True)
    said.clear()
    off_loop(chat.turn, "/painel")
    sign_in = re.search(r"(http://\S+/entrar/\S+)", "".join(said)).group(1)
    page.goto(sign_in)
    page.click("#sign-in")
    page.locator("#accept").wait_for()  # back on the ticket's page
    assert page.url.endswith(f"/acompanhar/{number}")
    body = page.inner_text("main")
    assert REPLY in body and NOTE not in body and "Nota interna" not in body
    page.screenshot(path=str(artifacts_dir / "05-ticket-client.png"), full_page=True)
    page.click("#accept")
    page.get_by_text("Obrigado! Chamado fechado.").wait_for()
    assert page.locator("#ticket-status").inner_text() == "Fechada"
    page.screenshot(path=str(artifacts_dir / "06-ticket-client-closed.png"), full_page=True)
    assert desk.get_ticket(number, Actor.system()).status == "CLOSED"
    assert f"{number}" in desk_thread.text() and "Fechada" in desk_thread.text()
