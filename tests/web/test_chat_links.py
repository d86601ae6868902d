"""The chat carries the web links when the web is on: the opened ticket, /status, /painel, e-mail copies."""

from __future__ import annotations

from bot.email import build_email
from bot.web.config import WebConfig
from bot.web.links import WebLinks
from core.outbox import OutboxItem
from core.web_sign_in import redeem_sign_in
from tests.bot.conftest import Harness, open_ticket_via_chat

WEB = "https://suporte.example"


def _harness(desk, web=True):
    desk.analyst_desks = ("console",)
    harness = Harness(desk)
    if web:
        links = WebLinks(desk, WebConfig(public_url=WEB))
        harness.dialog.ticket_link, harness.dialog.web_sign_in = links.ticket, links.sign_in
    return harness


def test_the_opened_ticket_and_status_carry_the_clients_page(web_desk):
    chat = _harness(web_desk).client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    assert f"{WEB}/acompanhar/{number}" in chat.last_text()
    chat.send(f"/status {number}")
    assert f"{WEB}/acompanhar/{number}" in chat.last_text()


def test_without_the_web_there_is_no_link(web_desk):
    chat = _harness(web_desk, web=False).client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    assert "/acompanhar/" not in chat.last_text()
    chat.send(f"/status {number}")
    assert "/acompanhar/" not in chat.last_text()
    chat.send("/painel")
    assert "não está ligada" in chat.last_text()


def test_painel_gives_a_contact_a_one_time_link(web_desk):
    harness = _harness(web_desk)
    chat = harness.client("paula@prata.example")
    chat.send("/painel")
    text = chat.last_text()
    assert f"{WEB}/entrar/" in text
    token = text.split("/entrar/")[1].split()[0]
    assert redeem_sign_in(web_desk, token).email == "paula@prata.example"
    stranger = harness.client()
    stranger.send("/painel")
    assert "/entrar/" not in stranger.last_text()


def test_the_email_copy_carries_the_link(web_desk):
    chat = _harness(web_desk).client("paula@prata.example")
    number = open_ticket_via_chat(chat)
    item = OutboxItem(id=1, key="k", platform="email", audience="EMAIL", address="paula@prata.example",
                      kind="email_closed", ticket_id=None, payload={"number": number}, attempts=0,
                      created_at=web_desk.clock())
    message = build_email(web_desk, item, "Suporte <s@example.com>", ticket_link=lambda n: f"{WEB}/acompanhar/{n}")
    assert f"{WEB}/acompanhar/{number}" in message.get_body(("plain",)).get_content()


def test_painel_in_a_private_chat_also_serves_an_analyst(web_desk):
    harness = _harness(web_desk)
    web_desk.link_analyst("bruno@suporte.example", "test", "bruno-chat")
    chat = harness.client(user_id="bruno-chat")
    chat.send("/painel")
    token = chat.last_text().split("/entrar/")[1].split()[0]
    assert redeem_sign_in(web_desk, token).email == "bruno@suporte.example"
