"""A client talking to the bot in a Slack DM: FAQ, opening a ticket, the analyst's answer, closing."""

from __future__ import annotations

from core.linking import issue_invite
from tests.slack.conftest import ANA, PAULA, SlackWorkspace, action_ids, card_fields


async def test_slack_client_goes_from_a_question_to_a_closed_ticket(slack: SlackWorkspace) -> None:
    slack.link_client()

    await slack.client_says(PAULA, "esqueci minha senha")
    await slack.settle()
    answer = slack.last_dm()
    assert "Isso resolveu?" in answer.all_text
    assert [b.text for b in answer.buttons] == ["Sim", "Não"]
    assert [b.action_id for b in answer.buttons] == ["dlg:0", "dlg:1"]

    await slack.client_presses(PAULA, "Não")
    await slack.settle()
    pressed = slack.fake.message(answer.channel, answer.ts)
    assert pressed is not None and pressed.buttons == [] and "✅ *Não*" in pressed.all_text
    assert "Isso resolveu?" in pressed.all_text  # the question stays, the choice is shown

    await slack.client_presses(PAULA, "Abrir chamado")
    await slack.settle()
    await slack.client_presses(PAULA, "Financeiro")
    await slack.settle()
    await slack.client_presses(PAULA, "Alta")
    await slack.settle()
    await slack.client_says(PAULA, "O link de redefinição de senha não chega no e-mail do usuário admin.")
    await slack.settle()
    await slack.client_presses(PAULA, "Confirmar")
    await slack.settle()
    opened = slack.last_dm().text
    assert "aberto" in opened
    number = opened.split("Chamado ")[1].split(" ")[0]

    card = slack.card(number)
    assert card_fields(card)["Módulo"] == "Financeiro"
    assert "O link de redefinição de senha não chega" in card.all_text
    ticket = slack.ticket(number)
    assert (ticket.origin_platform, ticket.origin_chat) == ("slack", slack.fake.dm_channel(PAULA))

    await slack.analyst_says(ANA, number, "Liberei o envio; peça o link de novo, por favor.")
    await slack.settle()
    assert "Liberei o envio" in slack.last_dm().all_text

    await slack.client_presses(PAULA, "Resolvido")
    await slack.settle()

    assert slack.ticket(number).status == "CLOSED"
    card = slack.card(number)
    assert card_fields(card)["Status"] == "Fechada" and action_ids(card) == []
    assert "fechado" in slack.last_dm().text
    assert [b.text for b in slack.last_dm().buttons][:5] == ["1", "2", "3", "4", "5"]


async def test_english_speaking_client_is_answered_in_english(slack: SlackWorkspace) -> None:
    slack.fake.add_user("UJOHN", "john", real_name="John Smith", locale="en-US")

    await slack.client_says("UJOHN", "hello")
    await slack.settle()

    assert "How can I help?" in slack.last_dm("UJOHN").text  # users.info said en-US


async def test_a_client_links_the_account_with_an_invite_code_slash_command(slack: SlackWorkspace) -> None:
    code = issue_invite(slack.desk, "paula@prata.example").code

    answer = await slack.command(PAULA, code, command="/vincular", channel=slack.fake.dm_channel(PAULA))

    identity = slack.desk.identity("slack", PAULA)
    assert identity is not None and identity.contact_id == slack.desk.contact_by_email("paula@prata.example").id
    assert "Paula" in slack.last_dm().text
    assert answer == ""  # asked in the DM: the answer is the DM itself


async def test_chamado_vincular_from_a_client_goes_to_the_dialog(slack: SlackWorkspace) -> None:
    code = issue_invite(slack.desk, "paula@prata.example").code

    answer = await slack.command(PAULA, f"vincular {code}")  # typed in the analysts' channel, say

    identity = slack.desk.identity("slack", PAULA)
    assert identity is not None and identity.contact_id is not None
    assert "conversa direta" in answer
