"""A ticket's life between a client's private chat and the analysts' group.

The analysts' group is a forum (one topic per ticket) or a plain group (the
ticket's summary is a root message and everything replies to it); the main
scenarios run on both.
"""

from __future__ import annotations

import pytest

from core.model import Actor
from tests.telegram.conftest import ANA, PAULA, Harness, HarnessFactory


@pytest.fixture(params=["topics", "replies"])
async def desk_tg(request: pytest.FixtureRequest, make_harness: HarnessFactory) -> Harness:
    return await make_harness(forum=request.param == "topics")


def status(tg: Harness, number: str) -> str:
    return tg.desk.get_ticket(number, Actor.system(), with_messages=False).status


class TestOpening:
    async def test_a_ticket_opened_with_buttons_is_posted_in_its_own_thread(self, desk_tg: Harness) -> None:
        tg = desk_tg
        number = await tg.open_ticket(PAULA)
        assert tg.last_text(PAULA).startswith(f"Chamado {number} aberto!")
        summary = tg.thread_messages(number)[0]
        assert summary.text is not None
        for expected in (f"Novo chamado {number}", "Comercial Prata Ltda (Prata)", "Estoque", "Alta",
                         "Paula Prado <paula@prata.example>", "a tela congela"):
            assert expected in summary.text
        assert summary.button_texts == ["🙋 Assumir"]
        thread = tg.thread(number)
        assert thread.root_message_id == str(summary.message_id)
        if tg.is_topic(number):
            [topic] = tg.fake.topics
            assert topic.name == f"{number} · o sistema trava ao gerar o relatório de estoque"
            assert thread.thread_ref == str(topic.message_thread_id)
        else:
            assert tg.fake.topics == []
            assert thread.thread_ref == thread.root_message_id

    async def test_a_topic_name_follows_the_status(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "Pode testar de novo?")
        await tg.deliver()
        assert tg.fake.topics[0].name.startswith(f"[Respondida] {number} · ")


class TestConversation:
    async def test_an_analyst_reply_reaches_the_client_with_resolution_buttons_and_is_confirmed(
        self, desk_tg: Harness
    ) -> None:
        tg = desk_tg
        number = await tg.quick_ticket(PAULA)
        said = await tg.analyst_says(ANA, number, "Reinicie o serviço de relatórios <agora> & teste.")
        await tg.deliver()
        answer = tg.last_message(PAULA)
        assert answer.text == (f"Resposta de Ana no chamado {number}:\n\n"
                               "Reinicie o serviço de relatórios <agora> & teste.\n\nIsso resolveu?")
        assert answer.button_texts == ["Resolvido", "Ainda não"]
        assert status(tg, number) == "ANSWERED"
        analyst_message = said["message"]["message_id"]
        assert [(r.message_id, r.reaction) for r in tg.fake.reactions] == [
            (analyst_message, [{"type": "emoji", "emoji": "👍"}])]
        # The analyst's own words are not echoed back into the thread.
        assert not any("Reinicie" in text for text in tg.thread_texts(number))

    async def test_a_client_reply_appears_in_the_thread(self, desk_tg: Harness) -> None:
        tg = desk_tg
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "Qual a versão do sistema?")
        await tg.deliver()
        await tg.client_says(PAULA, "Versão 4.2, no Windows 11")
        await tg.deliver()
        assert tg.last_text(PAULA).startswith(f"Anotado no chamado {number}")
        assert tg.thread_texts(number)[-1] == (
            f"💬 Paula Prado escreveu no chamado {number}\n\nVersão 4.2, no Windows 11")
        assert status(tg, number) == "OPEN"

    async def test_resolvido_closes_the_ticket_and_the_thread_says_so(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(ANA, number, "Corrigido, pode testar.")
        await tg.deliver()
        await tg.press(PAULA, "Resolvido")
        await tg.deliver()
        assert status(tg, number) == "CLOSED"
        assert "✓ Resolvido" in tg.texts(PAULA)[-2]
        assert tg.last_message(PAULA).button_texts == ["1", "2", "3", "4", "5", "Pular"]
        assert f"Chamado {number} agora está Fechada." in tg.thread_texts(number)[-1]
        assert tg.fake.topics[0].name.startswith(f"[Fechada] {number}")

    async def test_a_photo_from_the_client_is_attached_to_the_ticket_and_relayed_by_file_id(
        self, desk_tg: Harness
    ) -> None:
        tg = desk_tg
        number = await tg.quick_ticket(PAULA)
        await tg.client_sends_photo(PAULA, "AgACAgEAAx-print-da-tela", caption="olha o erro")
        await tg.deliver()
        ticket = tg.desk.get_ticket(number, Actor.system())
        [attachment] = ticket.messages[-1].attachments
        assert attachment["file_id"] == "AgACAgEAAx-print-da-tela"
        assert (attachment["kind"], attachment["platform"]) == ("photo", "telegram")
        assert ticket.messages[-1].body == "olha o erro"
        photo = tg.thread_messages(number)[-1]
        assert (photo.method, photo.file_id) == ("sendPhoto", "AgACAgEAAx-print-da-tela")

    async def test_a_photo_sent_while_describing_goes_with_the_new_ticket(self, tg: Harness) -> None:
        await tg.ask_and_choose_a_ticket(PAULA, "o sistema trava ao gerar o relatório de estoque")
        for label in ("Estoque", "Média"):
            await tg.press(PAULA, label)
            await tg.deliver()
        await tg.client_sends_photo(PAULA, "AgAC-print-inicial", caption="a tela congela assim")
        await tg.deliver()
        await tg.press(PAULA, "Confirmar")
        await tg.deliver()
        [number] = [tk.number for tk in tg.desk.list_tickets()]
        photo = tg.thread_messages(number)[-1]
        assert (photo.method, photo.file_id) == ("sendPhoto", "AgAC-print-inicial")

    async def test_an_analyst_document_goes_back_to_the_client(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_sends_document(ANA, number, "BQACAgEAAx-manual", "manual-estoque.pdf",
                                        caption="Segue o manual")
        await tg.deliver()
        text, document = tg.fake.sent_messages(PAULA)[-2:]
        assert text.text == f"Resposta de Ana no chamado {number}:\n\nSegue o manual\n\nIsso resolveu?"
        assert (document.method, document.file_id) == ("sendDocument", "BQACAgEAAx-manual")
        ticket = tg.desk.get_ticket(number, Actor.system())
        assert ticket.messages[-1].attachments[0]["name"] == "manual-estoque.pdf"

    async def test_a_6000_character_answer_is_split_in_two_valid_html_messages(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        paragraphs = [" ".join([f"Passo {i}: abra <Configurações> & confira o campo {i}."] * 8) for i in range(15)]
        body = "\n\n".join(paragraphs)
        assert 6000 <= len(body) < 6500
        ana = tg.desk.analyst_by_email("ana@suporte.example")
        tg.desk.analyst_reply(number, ana.id, body)  # written on another desk (console, Slack)
        await tg.deliver()
        first, second = tg.fake.sent_messages(PAULA)[-2:]
        for part in (first, second):
            assert part.text is not None and len(part.text) <= 4096
            assert part.parse_mode == "HTML" and "&lt;Configurações&gt; &amp;" in (part.raw_text or "")
        assert first.button_texts == [] and second.button_texts == ["Resolvido", "Ainda não"]
        assert f"{first.text}\n\n{second.text}" == f"Resposta de Ana no chamado {number}:\n\n{body}\n\nIsso resolveu?"
        # The group sees it too (it was not written there), split the same way, then the confirmation.
        *_, part_one, part_two, confirmation = tg.thread_texts(number)
        assert part_one.startswith(f"↩️ Ana Souza respondeu o chamado {number}\n\nPasso 0")
        assert part_two.endswith("confira o campo 14.")
        assert confirmation == f"✓ Resposta entregue ao cliente (chamado {number})."


class TestThreads:
    async def test_without_the_right_to_manage_topics_the_ticket_becomes_a_reply_chain(self, tg: Harness) -> None:
        tg.fake.fail_next("createForumTopic", status=400,
                          description="Bad Request: not enough rights to create a topic")
        number = await tg.quick_ticket(PAULA)
        assert tg.fake.topics == [] and not tg.is_topic(number)
        await tg.analyst_says(ANA, number, "Pode testar?")  # a reply to the summary
        await tg.deliver()
        assert "Pode testar?" in tg.last_text(PAULA)

    async def test_a_deleted_topic_is_opened_again_on_the_next_notice(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        old = int(tg.thread(number).thread_ref)
        await tg.bot.application.bot.delete_forum_topic(tg.settings.telegram_analysts_chat_id, old)
        await tg.client_says(PAULA, "Alguma novidade?")
        await tg.deliver()
        new = int(tg.thread(number).thread_ref)
        assert new != old
        texts = tg.texts(tg.settings.telegram_analysts_chat_id or 0, new)
        assert texts[0].startswith(f"🆕 Novo chamado {number}") and texts[-1].endswith("Alguma novidade?")
