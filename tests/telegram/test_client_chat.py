"""A client in a private chat with the bot: FAQ, buttons, commands, linking, repeats."""

from __future__ import annotations

from sqlalchemy import func, select

from core.linking import issue_invite
from core.model import Actor
from core.store.orm import FaqQuestion
from tests.fakes.telegram import updates as u
from tests.telegram.conftest import OTAVIO, PAULA, VISITOR, Harness


class TestFaq:
    async def test_a_faq_question_gets_the_answer_with_yes_and_no_buttons(self, tg: Harness) -> None:
        await tg.client_says(PAULA, "esqueci minha senha")
        await tg.deliver()
        answer = tg.last_message(PAULA)
        assert "Caps Lock" in (answer.text or "")
        assert answer.text and answer.text.endswith("Isso resolveu?")
        assert answer.button_texts == ["Sim", "Não"]
        assert answer.parse_mode == "HTML"

    async def test_pressing_yes_shows_the_choice_and_removes_the_keyboard(self, tg: Harness) -> None:
        await tg.client_says(PAULA, "esqueci minha senha")
        await tg.deliver()
        await tg.press(PAULA, "Sim")
        await tg.deliver()
        answered = tg.fake.sent_messages(PAULA)[0]
        assert answered.reply_markup is None
        assert answered.text and answered.text.endswith("Isso resolveu?\n\n✓ Sim")
        assert "Que bom que resolveu" in tg.last_text(PAULA)
        assert len(tg.fake.answered_callbacks) == 1

    async def test_a_button_pressed_twice_gets_a_polite_answer_and_changes_nothing(self, tg: Harness) -> None:
        await tg.client_says(PAULA, "esqueci minha senha")
        await tg.deliver()
        question = tg.message_with_button(PAULA, "Não")
        tg.fake.click(question, "Não")  # a double tap: both presses arrive before any edit
        await tg.wait_handled(tg.fake.click(question, "Não"))
        await tg.deliver()
        texts = tg.texts(PAULA)
        assert sum("Poxa, que pena" in text for text in texts) == 1
        assert "Esse botão é de uma etapa que já passou" in texts[-1]
        assert len(tg.fake.answered_callbacks) == 2  # every press is acknowledged
        with tg.desk.db.session() as session:
            assert session.scalar(select(FaqQuestion.feedback)) == "unhelpful"

    async def test_a_button_of_another_clients_ticket_is_refused_and_changes_nothing(self, tg: Harness) -> None:
        number = await tg.quick_ticket(PAULA)
        await tg.analyst_says(7001, number, "Reinicie o serviço de relatórios, por favor.")
        await tg.deliver()
        # Otávio (another organization) crafts the "Resolvido" button of Paula's ticket.
        own = (await tg.client_says(OTAVIO, "oi"))["message"]["message_id"]
        await tg.deliver()
        pressed = u.callback_query(OTAVIO, f"ok:{number}", chat_id=OTAVIO, message_id=own)
        await tg.send(pressed)
        await tg.deliver()
        assert "Esse botão é de uma etapa que já passou" in tg.last_text(OTAVIO)
        assert tg.desk.get_ticket(number, Actor.system()).status == "ANSWERED"
        assert tg.fake.answered_callbacks[-1].text is None


class TestCommands:
    async def test_start_with_an_invite_code_links_the_telegram_user(self, tg: Harness) -> None:
        invite = issue_invite(tg.desk, "olga@ouro.example")
        await tg.send(u.command(VISITOR, "start", invite.code, first_name="Olga"))
        await tg.deliver()
        identity = tg.desk.identity("telegram", str(VISITOR))
        assert identity is not None
        assert identity.contact_id == tg.desk.contact_by_email("olga@ouro.example").id
        assert any("Conta vinculada! Olá, Olga Reis (ouro)" in text for text in tg.texts(VISITOR))

    async def test_a_command_addressed_with_the_bot_name_is_understood(self, tg: Harness) -> None:
        await tg.send(u.command(PAULA, "ajuda", bot_username=tg.fake.bot_username))
        await tg.deliver()
        assert "/chamados" in tg.last_text(PAULA)

    async def test_the_command_menus_are_published_in_portuguese_and_english(self, tg: Harness) -> None:
        private = {"type": "all_private_chats"}
        assert [c["command"] for c in tg.fake.commands(private, "pt")][:3] == ["start", "ajuda", "novo"]
        assert [c["command"] for c in tg.fake.commands(private, "en")][:3] == ["start", "help", "new"]
        group = tg.fake.commands({"type": "chat", "chat_id": tg.settings.telegram_analysts_chat_id})
        assert [c["command"] for c in group] == ["assumir", "nota", "escalar", "fechar", "encaminhar", "horas"]


class TestRepeats:
    async def test_the_same_update_delivered_twice_is_handled_once(self, tg: Harness) -> None:
        update = u.text_message(PAULA, "esqueci minha senha")
        await tg.send(update)
        await tg.send(update)  # Telegram redelivers after a crash
        await tg.deliver()
        assert len(tg.texts(PAULA)) == 1
        with tg.desk.db.session() as session:
            assert session.scalar(select(func.count()).select_from(FaqQuestion)) == 1

