"""Who may see what: the authorization matrix, CSRF, sign-in links refused, deactivation, sessions."""

from __future__ import annotations

import asyncio

import pytest

from bot.web.auth import COOKIE, decode_session, encode_session
from core.web_sign_in import issue_sign_in
from tests.web.conftest import SECRET, csrf_of, open_demo_ticket, post_form, redeem_link

ANALYST, MANAGER = "ana@suporte.example", "elisa@suporte.example"
CLIENT, SAME_ORG_OTHER, OTHER_ORG = "paula@prata.example", None, "otavio@ouro.example"


@pytest.fixture
async def ticket(web_desk):
    return await asyncio.to_thread(open_demo_ticket, web_desk)


@pytest.mark.parametrize(("who", "path", "status"), [
    (ANALYST, "/fila", 200), (MANAGER, "/fila", 200), (CLIENT, "/fila", 403), (OTHER_ORG, "/fila", 403),
    (None, "/fila", 302),
    (ANALYST, "/fila/tabela", 200), (CLIENT, "/fila/tabela", 403), (None, "/fila/tabela", 302),
    (ANALYST, "/chamados/{n}", 200), (MANAGER, "/chamados/{n}", 200), (CLIENT, "/chamados/{n}", 403),
    (OTHER_ORG, "/chamados/{n}", 403), (None, "/chamados/{n}", 302),
    (CLIENT, "/acompanhar/{n}", 200), (OTHER_ORG, "/acompanhar/{n}", 404), (ANALYST, "/acompanhar/{n}", 302),
    (None, "/acompanhar/{n}", 302),
    (CLIENT, "/meus-chamados", 200), (ANALYST, "/meus-chamados", 403), (None, "/meus-chamados", 302),
])
async def test_authorization_matrix(who, path, status, ticket, sign_in_as, new_client):
    client = await sign_in_as(who) if who else await new_client()
    response = await client.get(path.format(n=ticket.number), allow_redirects=False)
    assert response.status == status, (who, path)
    if who is None:
        assert response.headers["Location"].startswith("/entrar?next=")


@pytest.mark.parametrize("path", ["/chamados/{n}/assumir", "/chamados/{n}/responder", "/acompanhar/{n}/aceitar",
                                  "/acompanhar/{n}/mensagem", "/sair"])
async def test_posts_without_the_csrf_token_are_refused(path, ticket, sign_in_as):
    client = await sign_in_as(ANALYST if path.startswith("/chamados") else CLIENT)
    bare = await client.post(path.format(n=ticket.number), data={"body": "oi"}, allow_redirects=False)
    assert bare.status == 403 and "expirou" in await bare.text()
    wrong = await client.post(path.format(n=ticket.number), data={"body": "oi", "csrf_token": "x" * 32},
                              allow_redirects=False)
    assert wrong.status == 403


async def test_contacts_cannot_act_as_analysts_nor_on_other_orgs(ticket, sign_in_as):
    other = await sign_in_as(OTHER_ORG)
    token = await csrf_of(other, "/meus-chamados")
    assert (await post_form(other, f"/acompanhar/{ticket.number}/mensagem", {"body": "oi"}, token=token)).status == 404
    assert (await post_form(other, f"/chamados/{ticket.number}/assumir", token=token)).status == 403
    analyst = await sign_in_as(ANALYST)
    token = await csrf_of(analyst, "/fila")
    assert (await post_form(analyst, f"/acompanhar/{ticket.number}/aceitar", token=token)).status == 403


async def test_expired_reused_and_unknown_links_are_refused(web_desk, clock, new_client):
    issued = await asyncio.to_thread(issue_sign_in, web_desk, ANALYST, minutes=15)
    clock.advance(minutes=16)
    client = await new_client()
    expired = await redeem_link(client, issued.token)
    assert expired.status == 400 and "expirou" in await expired.text()
    unknown = await redeem_link(client, "nao-existe")
    assert unknown.status == 400 and "Não reconheci" in await unknown.text()
    assert (await client.get("/entrar/" + "x" * 500)).status == 400
    fresh = await asyncio.to_thread(issue_sign_in, web_desk, ANALYST)
    assert (await redeem_link(client, fresh.token)).status == 303
    reused = await redeem_link(await new_client(), fresh.token)
    assert reused.status == 400 and "já foi usado" in await reused.text()


async def test_a_deactivated_analyst_loses_access_at_once(web_desk, sign_in_as):
    client = await sign_in_as("bruno@suporte.example")
    assert (await client.get("/fila")).status == 200
    await asyncio.to_thread(web_desk.update_analyst, "bruno@suporte.example", active=False)
    response = await client.get("/fila", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/entrar")
    with pytest.raises(Exception, match="desativado"):
        await asyncio.to_thread(issue_sign_in, web_desk, "bruno@suporte.example")


async def test_sign_out_and_tampered_or_expired_cookies(sign_in_as, new_client):
    client = await sign_in_as(ANALYST)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    data = decode_session(SECRET, cookie)
    assert data and data["k"] == "analyst"
    token = await csrf_of(client, "/fila")
    out = await post_form(client, "/sair", token=token)
    assert out.status == 303
    assert (await client.get("/fila", allow_redirects=False)).status == 302
    forged = await new_client()
    forged.session.cookie_jar.update_cookies({COOKIE: encode_session("another-key", data)})
    assert (await forged.get("/fila", allow_redirects=False)).status == 302
    stale = await new_client()
    stale.session.cookie_jar.update_cookies({COOKIE: encode_session(SECRET, {**data, "exp": 1})})
    assert (await stale.get("/fila", allow_redirects=False)).status == 302


async def test_after_signing_in_the_visitor_goes_where_they_were_going(ticket, web_desk, new_client):
    client = await new_client()
    first = await client.get(f"/acompanhar/{ticket.number}", allow_redirects=True)
    assert "/painel" in await first.text()  # how to get a link
    issued = await asyncio.to_thread(issue_sign_in, web_desk, CLIENT)
    signed = await redeem_link(client, issued.token)
    assert signed.headers["Location"] == f"/acompanhar/{ticket.number}"


async def test_unknown_pages_and_methods_are_polite(new_client):
    client = await new_client()
    missing = await client.get("/nada-aqui")
    assert missing.status == 404 and "Página não encontrada" in await missing.text()
    english = await client.get("/nada-aqui", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Page not found" in await english.text()


async def test_the_language_switch_and_accept_language(sign_in_as):
    ana = await sign_in_as(ANALYST)
    assert "Fila de chamados" in await (await ana.get("/fila")).text()
    assert "Ticket queue" in await (await ana.get("/fila", headers={"Accept-Language": "en"})).text()
    switched = await ana.get("/idioma?lang=en&next=/fila", allow_redirects=False)
    assert switched.status == 302 and switched.headers["Location"] == "/fila"
    assert "Ticket queue" in await (await ana.get("/fila")).text()  # the cookie keeps the choice
    outside = await ana.get("/idioma?lang=en&next=//evil.example", allow_redirects=False)
    assert outside.headers["Location"] == "/"
