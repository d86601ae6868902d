"""A Telegram client answered from Slack: the real Telegram adapter on the client side, Slack as the desk."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from telegram import Update

from bot.dialog import Dialog
from bot.telegram import TelegramBot
from chamado.adapters import telegram_config
from chamado.app import build_dispatcher
from chamado.settings import Settings
from knowledge_base.loader import KnowledgeBase
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u
from tests.slack.conftest import ANA, SlackWorkspace, card_fields

PAULA_TG = 5001
_ids = itertools.count(900_000)


@dataclass
class TelegramClient:
    fake: FakeTelegram
    bot: TelegramBot

    async def says(self, text: str) -> None:
        n = next(_ids)
        update = u.text_message(PAULA_TG, text, first_name="Paula", message_id=n, update_id=n)
        assert await self.bot.process_update(Update.de_json(update, self.bot.application.bot))

    async def presses(self, label: str) -> None:
        message = next(m for m in reversed(self.fake.sent_messages(PAULA_TG)) if label in m.button_texts)
        update = u.callback_query(PAULA_TG, message.button(label)["callback_data"], message=message,
                                  first_name="Paula", update_id=next(_ids))
        assert await self.bot.process_update(Update.de_json(update, self.bot.application.bot))

    def last_text(self) -> str:
        sent = self.fake.sent_messages(PAULA_TG)
        assert sent, "nothing reached the Telegram client"
        return sent[-1].text or ""


@pytest.fixture
async def telegram_client(slack: SlackWorkspace, kb: KnowledgeBase) -> AsyncIterator[TelegramClient]:
    fake = FakeTelegram().start()
    fake.add_private_chat(PAULA_TG, "Paula")
    settings = Settings(telegram_bot_token=fake.token, telegram_api_base_url=fake.url, telegram_rate_limit=False)
    bot = TelegramBot(telegram_config(settings), slack.desk, Dialog(slack.desk, kb))
    await bot.initialize()
    contact = slack.desk.contact_by_email("paula@prata.example")
    slack.desk.link_identity("telegram", str(PAULA_TG), contact_id=contact.id, display_name="Paula")
    # One dispatcher for both platforms, as `chamado serve` runs it.
    slack.dispatcher = build_dispatcher(slack.desk, {"slack": slack.bot.deliverer, "telegram": bot.deliverer},
                                        clock=lambda: max(slack.clock(), datetime.now(UTC)))
    try:
        yield TelegramClient(fake, bot)
    finally:
        await bot.stop()
        fake.stop()


async def test_telegram_client_is_answered_from_a_slack_thread(
        slack: SlackWorkspace, telegram_client: TelegramClient) -> None:
    number = slack.open_ticket(origin_platform="telegram", origin_chat=str(PAULA_TG),
                               subject="Relatório de estoque trava")
    await slack.settle()
    assert card_fields(slack.card(number))["Solicitante"].startswith("Paula Prado")

    said = await slack.analyst_says(ANA, number, "Atualizei o índice; gere o relatório de novo.")
    await slack.settle()

    reply = telegram_client.fake.sent_messages(PAULA_TG)[-1]
    assert "Atualizei o índice; gere o relatório de novo." in (reply.text or "")
    assert reply.button_texts == ["Resolvido", "Ainda não"]
    assert [(r.timestamp, r.name) for r in slack.fake.reactions] == [(said.ts, "white_check_mark")]

    await telegram_client.says("Gerou, mas sem os totais <por filial>")
    await slack.settle()
    assert "Gerou, mas sem os totais &lt;por filial&gt;" in slack.thread_text(number)
    assert card_fields(slack.card(number))["Status"] == "Aberta"

    await slack.analyst_says(ANA, number, "Corrigi os totais.")
    await slack.settle()
    await telegram_client.presses("Resolvido")
    await slack.settle()

    assert slack.ticket(number).status == "CLOSED"
    assert card_fields(slack.card(number))["Status"] == "Fechada"


