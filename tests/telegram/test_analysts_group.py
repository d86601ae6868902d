"""Analysts working tickets in the Telegram group: who may act, commands, notes, relay modes."""

from __future__ import annotations

from sqlalchemy import func, select

from core.model import Actor
from core.store.orm import Message
from tests.fakes.telegram import updates as u
from tests.telegram.conftest import ANA, ANALYSTS_CHAT, BRUNO, INTRUDER, PAULA, Harness, HarnessFactory


def messages(tg: Harness, number: str) -> list[tuple[str, str, str]]:
    ticket = tg.desk.get_ticket(number, Actor.system())
    return [(m.author_kind, m.visibility, m.body) for m in ticket.messages]


class TestWhoMayAct:
    async def test_a_non_analyst_in_the_group_is_refused_and_nothing_changes(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        before = len(tg.texts(PAULA))
        await tg.analyst_says(INTRUDER, number, "Já resolvi, pode fechar")
        said = await tg.analyst_says(INTRUDER, number, "/fechar")
        await tg.deliver()
        refusals = [m for m in tg.fake.sent_messages(ANALYSTS_CHAT)
                    if m.text and m.text.startswith("Só analistas cadastrados")]
        assert len(refusals) == 2
        assert refusals[-1].message_thread_id == tg.in_thread(number)["message_thread_id"]
        assert refusals[-1].reply_to_message_id == said["message"]["message_id"]
        ticket = tg.desk.get_ticket(number, Actor.system())
        assert ticket.status == "OPEN" and len(ticket.messages) == 1
        assert len(tg.texts(PAULA)) == before

    async def test_a_non_analyst_pressing_claim_is_refused_with_an_alert(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        summary = tg.message_with_button(ANALYSTS_CHAT, "🙋 Assumir")
        await tg.wait_handled(tg.fake.click(summary, "🙋 Assumir", user_id=INTRUDER))
        [answer] = tg.fake.answered_callbacks
        assert answer.show_alert and answer.text and answer.text.startswith("Só analistas cadastrados")
        assert tg.desk.get_ticket(number, Actor.system()).assignee is None

    async def test_an_analyst_claims_with_the_summary_button(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        summary = tg.message_with_button(ANALYSTS_CHAT, "🙋 Assumir")
        await tg.wait_handled(tg.fake.click(summary, "🙋 Assumir", user_id=BRUNO))
        await tg.deliver()
        assert tg.fake.answered_callbacks[0].text == f"O chamado {number} é seu."
        assert tg.desk.get_ticket(number, Actor.system()).assignee == "bruno@suporte.example"
        assert tg.thread_texts(number)[-1] == f"📌 Bruno Dias assumiu o chamado {number}."


class TestCommands:
    async def test_a_note_is_stored_as_internal_and_never_reaches_the_client(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        before = tg.texts(PAULA)
        said = await tg.analyst_says(ANA, number, "/nota cliente usa versão antiga, ver contrato")
        await tg.deliver()
        assert messages(tg, number)[-1] == ("ANALYST", "INTERNAL", "cliente usa versão antiga, ver contrato")
        assert tg.texts(PAULA) == before
        assert tg.desk.get_ticket(number, Actor.system()).status == "OPEN"
        assert [(r.message_id, r.reaction[0]["emoji"]) for r in tg.fake.reactions] == [
            (said["message"]["message_id"], "✍")]

    async def test_claim_escalate_forward_and_hours_from_the_topic(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "/assumir")
        await tg.analyst_says(ANA, number, "/escalar precisa de ajuste no banco")
        await tg.deliver()
        ticket = tg.desk.get_ticket(number, Actor.system())
        assert (ticket.level, ticket.assignee) == ("N2", None)
        assert "especialista (nível 2)" in tg.last_text(PAULA)
        thread = tg.thread_texts(number)
        assert f"📌 Ana Souza assumiu o chamado {number}." in thread
        escalated = next(text for text in thread if "escalou" in text)
        assert escalated.startswith(f"📌 Ana Souza escalou o chamado {number} para N2: precisa de ajuste no banco")
        assert tg.fake.topics[0].name.startswith(f"[N2] {number}")
        await tg.analyst_says(ANA, number, "/horas 1,5 revisão do certificado")
        assert tg.last_text(ANALYSTS_CHAT).startswith(f"1h30 registradas no chamado {number}")
        await tg.analyst_says(ANA, number, "/horas muitas")
        assert "Traceback" not in tg.last_text(ANALYSTS_CHAT)

        assert [(e.minutes, e.note) for e in tg.desk.ticket_hours(number).entries] == [
            (90, "revisão do certificado")]
        await tg.analyst_says(BRUNO, number, "/encaminhar Comercial")
        await tg.deliver()
        assert tg.desk.get_ticket(number, Actor.system()).status == "FORWARDED"
        assert "área Comercial" in tg.last_text(PAULA)

    async def test_closing_from_the_topic_tells_the_client_and_offers_a_rating(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "/fechar")
        await tg.deliver()
        assert tg.desk.get_ticket(number, Actor.system()).status == "CLOSED"
        assert tg.last_message(PAULA).button_texts == ["1", "2", "3", "4", "5", "Pular"]
        assert tg.fake.topics[0].name.startswith(f"[Fechada] {number}")

    async def test_a_refused_action_is_explained_in_the_thread(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "/fechar")
        await tg.analyst_says(ANA, number, "/escalar")
        await tg.deliver()
        reply = tg.last_text(ANALYSTS_CHAT)
        assert "fechad" in reply.lower() or "motivo" in reply.lower()
        assert "Traceback" not in reply

    async def test_messages_outside_a_ticket_are_ignored_but_an_analysts_command_gets_a_hint(
        self, tg: Harness
    ) -> None:
        await tg.quick_ticket(PAULA)
        sent_before = len(tg.group_texts())
        await tg.send(u.group_message(ANALYSTS_CHAT, INTRUDER, "bom dia pessoal"))
        await tg.send(u.group_message(ANALYSTS_CHAT, ANA, "bom dia!"))
        await tg.send(u.group_message(ANALYSTS_CHAT, INTRUDER, "/fechar"))
        assert len(tg.group_texts()) == sent_before
        await tg.send(u.group_message(ANALYSTS_CHAT, ANA, "/fechar"))
        assert tg.last_text(ANALYSTS_CHAT).startswith("Use os comandos dentro do tópico do chamado")

    async def test_the_same_group_update_delivered_twice_is_handled_once(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        update = u.group_message(ANALYSTS_CHAT, ANA, "Pode testar agora?", **tg.in_thread(number))
        await tg.send(update)
        await tg.send(update)
        await tg.deliver()
        assert [m[2] for m in messages(tg, number)].count("Pode testar agora?") == 1
        assert sum("Pode testar agora?" in text for text in tg.texts(PAULA)) == 1


class TestRelayModes:
    async def test_in_explicit_mode_only_marked_messages_reach_the_client(self, make_harness: HarnessFactory) -> None:
        tg = await make_harness(relay_mode="explicit")
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "parece bug da versão 4.2")
        await tg.analyst_says(ANA, number, ">> Já corrigimos, pode testar?")
        await tg.deliver()
        assert messages(tg, number)[1:] == [("ANALYST", "INTERNAL", "parece bug da versão 4.2"),
                                            ("ANALYST", "PUBLIC", "Já corrigimos, pode testar?")]
        client = tg.texts(PAULA)
        assert not any("bug da versão" in text for text in client)
        assert "Já corrigimos, pode testar?" in client[-1]

    async def test_in_reply_chain_mode_an_analyst_replies_to_the_tickets_messages(
        self, make_harness: HarnessFactory
    ) -> None:
        tg = await make_harness(forum=False)
        number = await tg.quick_ticket(PAULA)
        first = await tg.analyst_says(ANA, number, "Qual a versão?")
        await tg.deliver()
        # A reply to the analyst's own message (not to the root) still finds the ticket.
        await tg.analyst_says(BRUNO, number, "E o sistema operacional?", reply_to=first["message"]["message_id"])
        await tg.deliver()
        assert [m[2] for m in messages(tg, number)][-2:] == ["Qual a versão?", "E o sistema operacional?"]
        with tg.desk.db.session() as session:
            stored = session.scalar(select(func.count()).select_from(Message).where(Message.platform == "telegram"))
        assert stored == 2
