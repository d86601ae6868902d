"""Signing in by link, sessions, CSRF and signing out (handler tests, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from core.web_sign_in import issue_sign_in
from tests.web.conftest import redeem_link


async def test_a_link_signs_in_once(web_desk, new_client):
    client = await new_client()
    issued = await asyncio.to_thread(issue_sign_in, web_desk, "ana@suporte.example")
    response = await redeem_link(client, issued.token)
    assert response.status == 303
    assert "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]
    home = await client.get("/", allow_redirects=False)
    assert home.headers["Location"] == "/fila"
    other = await new_client()
    again = await redeem_link(other, issued.token)
    assert again.status == 400
    assert "já foi usado" in await again.text()
