"""``/chamado painel``: an analyst's sign-in link to the web workspace, as an ephemeral answer."""

from __future__ import annotations

from bot.web.config import WebConfig
from bot.web.links import WebLinks
from core.web_sign_in import redeem_sign_in
from tests.slack.conftest import ANA, SlackWorkspace


async def test_painel_answers_the_analyst_alone_with_a_one_time_link(slack: SlackWorkspace) -> None:
    answer = await slack.command(ANA, "painel")
    assert "não está ligada" in answer  # the web workspace is off in this process
    slack.bot.analysts.web_sign_in = WebLinks(slack.desk, WebConfig(public_url="https://suporte.example")).sign_in
    answer = await slack.command(ANA, "painel")
    assert "https://suporte.example/entrar/" in answer
    (ephemeral, *_) = [e for e in slack.fake.ephemerals if e.user == ANA and "entrar" in e.text]
    assert ephemeral.text == answer
    assert not [m for m in slack.fake.messages() if "entrar/" in m.text]  # nothing public
    token = answer.split("/entrar/")[1].split()[0].rstrip(">")
    assert redeem_sign_in(slack.desk, token).email == "ana@suporte.example"
