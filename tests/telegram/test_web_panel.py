"""``/painel`` in the analysts' group: a sign-in link to the web workspace, sent privately."""

from __future__ import annotations

from bot.telegram.desk_handlers import DeskHandlers
from bot.web.config import WebConfig
from bot.web.links import WebLinks
from core.web_sign_in import redeem_sign_in
from tests.fakes.telegram import updates as u
from tests.telegram.conftest import ANA, ANALYSTS_CHAT, INTRUDER, Harness


def _desk_handlers(tg: Harness) -> DeskHandlers:
    for group in tg.bot.application.handlers.values():
        for handler in group:
            owner = getattr(handler.callback, "__self__", None)
            if isinstance(owner, DeskHandlers):
                return owner
    raise AssertionError("no desk handlers")


async def test_painel_sends_the_link_privately_and_says_so_in_the_group(tg: Harness) -> None:
    await tg.send(u.group_message(ANALYSTS_CHAT, ANA, "/painel"))
    assert "não está ligada" in tg.last_text(ANALYSTS_CHAT)
    _desk_handlers(tg).web_sign_in = WebLinks(tg.desk, WebConfig(public_url="https://suporte.example")).sign_in
    await tg.send(u.group_message(ANALYSTS_CHAT, ANA, "/painel"))
    assert "mensagem privada" in tg.last_text(ANALYSTS_CHAT)
    assert not [text for text in tg.group_texts() if "/entrar/" in text]
    private = tg.last_text(ANA)
    assert "https://suporte.example/entrar/" in private
    token = private.split("/entrar/")[1].split()[0]
    assert redeem_sign_in(tg.desk, token).email == "ana@suporte.example"


async def test_painel_from_someone_not_an_analyst_is_refused(tg: Harness) -> None:
    _desk_handlers(tg).web_sign_in = WebLinks(tg.desk, WebConfig()).sign_in
    await tg.send(u.group_message(ANALYSTS_CHAT, INTRUDER, "/painel"))
    assert "/entrar/" not in tg.last_text(ANALYSTS_CHAT)
    assert tg.fake.last_message(INTRUDER) is None or "/entrar/" not in tg.last_text(INTRUDER)
