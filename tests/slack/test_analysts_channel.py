"""The analysts' channel: the ticket card, its buttons, and the conversation in its thread."""

from __future__ import annotations

from core.store.orm import Message as MessageRow
from tests.slack.conftest import (
    ANA,
    BRUNO,
    CHANNEL,
    DIEGO,
    INTRUDER,
    PAULA,
    SlackFactory,
    SlackWorkspace,
    action_ids,
    card_fields,
)


class TestTheTicketCard:
    async def test_new_ticket_is_posted_to_the_channel_with_details_and_buttons(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket(subject="NF-e rejeitada", description="Erro 539 ao transmitir a nota.")
        await slack.settle()

        card = slack.card(number)
        assert card.channel == CHANNEL and card.thread_ts is None
        assert card.blocks[0] == {"type": "header", "text": {"type": "plain_text",
                                                             "text": f"{number} · NF-e rejeitada", "emoji": True}}
        fields = card_fields(card)
        assert fields["Organização"] == "Comercial Prata Ltda"
        assert fields["Plano"] == "Prata"
        assert fields["Módulo"] == "Fiscal"
        assert fields["Criticidade"].endswith("Alta")
        assert fields["Solicitante"].startswith("Paula Prado")
        assert (fields["Status"], fields["Nível"], fields["Responsável"]) == ("Aberta", "N1", "ninguém ainda")
        assert "Erro 539 ao transmitir a nota." in card.all_text
        assert action_ids(card) == ["chamado_claim", "chamado_escalate", "chamado_forward", "chamado_close"]
        assert card.button("chamado_claim").value == number
        assert number in card.text  # the fallback text for notifications

    async def test_claim_button_updates_the_card_with_the_assignee(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()

        assert await slack.press(ANA, slack.card(number), "Assumir") == 200
        await slack.settle()

        assert slack.ticket(number).assignee == "ana@suporte.example"
        update = slack.fake.updates[-1]
        assert update.ts == slack.card(number).ts
        assert card_fields(slack.card(number))["Responsável"] == "Ana Souza"
        assert "chamado_claim" not in action_ids(slack.card(number))
        assert "Ana Souza assumiu o chamado" in slack.thread_text(number)

    async def test_claim_of_a_ticket_someone_else_has_is_an_ephemeral_error(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()
        stale_card = slack.card(number)
        await slack.press(ANA, stale_card, "Assumir")
        await slack.settle()

        await slack.press(BRUNO, stale_card, "Assumir")  # clicked on the card before it was updated
        await slack.settle()

        assert slack.ticket(number).assignee == "ana@suporte.example"
        (ephemeral,) = slack.fake.ephemerals
        assert ephemeral.user == BRUNO and "assumido" in ephemeral.text.lower()

    async def test_escalate_button_moves_the_ticket_to_n2_and_updates_the_card(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()

        await slack.press(ANA, slack.card(number), "Escalar N2")
        await slack.settle()

        assert slack.ticket(number).level == "N2"
        card = slack.card(number)
        assert card_fields(card)["Nível"] == "N2"
        assert "chamado_escalate" not in action_ids(card)
        assert "escalou o chamado" in slack.thread_text(number)
        assert any("!nota" in e.text for e in slack.fake.ephemerals if e.user == ANA)
        assert "especialista" in slack.dm_text()  # the client is told

    async def test_forward_select_hands_the_ticket_to_another_area(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()

        await slack.press(ANA, slack.card(number), "Encaminhar para…", option="Comercial")
        await slack.settle()

        ticket = slack.ticket(number)
        assert (ticket.status, ticket.forwarded_area) == ("FORWARDED", "Comercial")
        card = slack.card(number)
        assert card_fields(card)["Encaminhado para"] == "Comercial"
        assert action_ids(card) == ["chamado_close"]
        assert "área Comercial" in slack.dm_text()

    async def test_close_button_closes_the_ticket_and_leaves_the_card_without_actions(
            self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()

        await slack.press(DIEGO, slack.card(number), "Fechar")
        await slack.settle()

        assert slack.ticket(number).status == "CLOSED"
        card = slack.card(number)
        assert card_fields(card)["Status"] == "Fechada"
        assert action_ids(card) == []
        assert "fechado pela equipe" in slack.dm_text()

    async def test_what_people_wrote_is_escaped_on_the_card(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket(subject="Erro <!channel> & cia",
                                   description="Aparece <script> & <@U0BOT> e a > b")
        await slack.settle()

        card = slack.card(number)
        assert "Aparece &lt;script&gt; &amp; &lt;@U0BOT&gt; e a &gt; b" in card.all_text
        assert "<!channel>" not in card.text and "&lt;!channel&gt;" in card.text

    async def test_a_very_long_description_stays_within_slacks_limits(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket(description=("linha de log com detalhe <x> & y\n" * 400))
        await slack.settle()

        card = slack.card(number)  # FakeSlack validates every block: posting it worked
        sections = [b for b in card.blocks if b["type"] == "section" and "text" in b]
        assert sections and all(len(b["text"]["text"]) <= 3000 for b in sections)


class TestTheThread:
    async def test_thread_reply_is_relayed_to_the_client_and_confirmed_with_a_reaction(
            self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()

        said = await slack.analyst_says(ANA, number, "Reenvie a nota com o CFOP 5102, por favor.")
        await slack.settle()

        ticket = slack.ticket(number)
        assert ticket.status == "ANSWERED"
        reply = slack.last_dm()
        assert "Resposta de Ana no chamado" in reply.text
        assert "Reenvie a nota com o CFOP 5102, por favor." in reply.all_text
        assert [b.text for b in reply.buttons] == ["Resolvido", "Ainda não"]
        assert [(r.timestamp, r.name) for r in slack.fake.reactions] == [(said.ts, "white_check_mark")]
        assert card_fields(slack.card(number))["Status"] == "Respondida"
        assert "CFOP" not in slack.thread_text(number)  # the analyst's own words are not repeated by the bot

    async def test_slack_markup_reaches_the_client_as_plain_text(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()

        await slack.analyst_says(ANA, number, "Veja <https://ajuda.example/nfe|o manual> &amp; fale com <@UBRUNO>")
        await slack.settle()

        body = slack.ticket(number).messages[-1].body
        assert body == "Veja o manual (https://ajuda.example/nfe) & fale com @Bruno"

    async def test_client_dm_reply_appears_in_the_thread(self, slack: SlackWorkspace) -> None:
        slack.link_client()
        number = slack.open_ticket()
        await slack.settle()
        await slack.analyst_says(ANA, number, "Pode testar de novo?")
        await slack.settle()

        await slack.client_says(PAULA, "Testei e agora deu erro 204 &lt;duplicidade&gt;")  # as Slack sends it
        await slack.settle()

        thread = slack.thread_text(number)
        assert "Paula Prado escreveu no chamado" in thread
        assert "\n> Testei e agora deu erro 204 &lt;duplicidade&gt;" in slack.thread(number)[-1].text
        assert slack.ticket(number).messages[-1].body == "Testei e agora deu erro 204 <duplicidade>"
        assert slack.ticket(number).status == "OPEN"
        assert card_fields(slack.card(number))["Status"] == "Aberta"
        assert "Anotado no chamado" in slack.last_dm().text

    async def test_client_files_are_listed_in_the_thread(self, slack: SlackWorkspace) -> None:
        dm = slack.link_client()
        number = slack.open_ticket(origin_chat=dm)
        await slack.settle()
        upload = slack.fake.add_file("F123", "erro.png", content=b"png", mimetype="image/png", user=PAULA)

        await slack.client_says(PAULA, "segue o print", files=[upload])
        await slack.settle()

        stored = slack.ticket(number).messages[-1]
        assert stored.attachments[0]["file_id"] == "F123" and stored.attachments[0]["platform"] == "slack"
        assert "📎 erro.png" in slack.thread_text(number)

    async def test_note_marker_keeps_the_message_internal(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()
        dm_before = len(slack.dm())

        said = await slack.analyst_says(ANA, number, "!nota cliente usa certificado A1 vencido")
        await slack.settle()

        last = slack.ticket(number).messages[-1]
        assert (last.visibility, last.body) == ("INTERNAL", "cliente usa certificado A1 vencido")
        assert slack.ticket(number).status == "OPEN"
        assert len(slack.dm()) == dm_before  # nothing reached the client
        assert [(r.timestamp, r.name) for r in slack.fake.reactions] == [(said.ts, "memo")]

    async def test_explicit_mode_relays_only_marked_replies(self, slack_factory: SlackFactory) -> None:
        slack = await slack_factory(relay_mode="explicit")
        number = slack.open_ticket()
        await slack.settle()

        await slack.analyst_says(ANA, number, "acho que é o certificado")
        await slack.settle()
        assert slack.ticket(number).messages[-1].visibility == "INTERNAL"
        assert slack.dm() == []

        # Slack sends ">" escaped in events
        await slack.analyst_says(ANA, number, "&gt;&gt; Renove o certificado A1 e reenvie.")
        await slack.settle()
        last = slack.ticket(number).messages[-1]
        assert (last.visibility, last.body) == ("PUBLIC", "Renove o certificado A1 e reenvie.")
        assert "Renove o certificado A1 e reenvie." in slack.last_dm().all_text
        assert ">>" not in slack.last_dm().all_text

    async def test_non_analyst_is_refused_in_the_thread_and_nothing_changes(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()
        before = slack.stored_messages()

        await slack.analyst_says(INTRUDER, number, "eu resolvo isso")
        await slack.settle()

        (ephemeral,) = slack.fake.ephemerals
        assert ephemeral.user == INTRUDER and ephemeral.thread_ts == slack.card(number).ts
        assert "Só analistas cadastrados" in ephemeral.text
        assert slack.stored_messages() == before
        assert slack.ticket(number).status == "OPEN"
        assert slack.dm() == []

    async def test_non_analyst_button_press_is_refused(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()
        updates = len(slack.fake.updates)

        await slack.press(INTRUDER, slack.card(number), "Fechar")
        await slack.settle()

        assert slack.ticket(number).status == "OPEN"
        assert len(slack.fake.updates) == updates
        assert [e.user for e in slack.fake.ephemerals] == [INTRUDER]

    async def test_reply_to_a_closed_ticket_is_refused_politely(self, slack: SlackWorkspace) -> None:
        number = slack.open_ticket()
        await slack.settle()
        await slack.press(ANA, slack.card(number), "Fechar")
        await slack.settle()

        await slack.analyst_says(ANA, number, "mais uma coisa")
        await slack.settle()

        assert slack.ticket(number).status == "CLOSED"
        assert [e.user for e in slack.fake.ephemerals] == [ANA]
        assert "Traceback" not in slack.fake.ephemerals[0].text

    async def test_messages_outside_ticket_threads_and_edits_are_ignored(self, slack: SlackWorkspace) -> None:
        from tests.fakes.slack import message_event

        number = slack.open_ticket()
        await slack.settle()
        before = slack.stored_messages()
        root = slack.card(number)
        other = slack.fake.add_message(CHANNEL, "bom dia, pessoal", ANA)

        await slack.event(message_event(ANA, CHANNEL, "bom dia, pessoal", ts=other.ts))  # not in a thread
        await slack.event(message_event(ANA, CHANNEL, "conversa", thread_ts=other.ts))  # not a ticket thread
        edited = message_event(ANA, CHANNEL, "editado", thread_ts=root.ts)
        edited["subtype"] = "message_changed"
        await slack.event(edited)
        from_bot = message_event(ANA, CHANNEL, "de outro bot", thread_ts=root.ts)
        from_bot["bot_id"] = "BOTHER"
        await slack.event(from_bot)
        await slack.settle()

        assert slack.stored_messages() == before
        assert slack.fake.ephemerals == [] and slack.dm() == []
        assert slack.count(MessageRow) == before
