"""The Telegram harness: FakeTelegram + help desk + dialog + the real PTB application + the outbox.

Tests talk like the people involved: ``await tg.client_says(PAULA, "...")``,
``await tg.press(PAULA, "Confirmar")``, ``await tg.analyst_says(ANA, number, "...")``,
then ``await tg.deliver()`` runs the outbox dispatcher once to empty and
``tg.last_text(PAULA)`` reads what the client sees. Every test runs on SQLite
and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import create_engine
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.dialog import Dialog
from bot.telegram import TelegramBot
from chamado.adapters import telegram_config
from chamado.app import build_dispatcher
from chamado.demo import load_demo
from chamado.settings import Settings
from core.desk import HelpDesk
from core.outbox import OutboxDispatcher
from core.store.db import Database
from core.store.orm import Base
from core.threads import ThreadRef, thread_for
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from tests.conftest import BACKENDS
from tests.fakes.telegram import FakeTelegram, SentMessage
from tests.fakes.telegram import updates as u

ANALYSTS_CHAT = -1001987654321
PAULA = 5001  # Paula Prado, project manager of "prata": may open tickets
OTAVIO = 5002  # Otávio Souza, project manager of "ouro"
VISITOR = 5003  # nobody the help desk knows
ANA = 7001  # analyst N1
BRUNO = 7002  # analyst N1
INTRUDER = 7099  # in the analysts' group, but not a registered analyst
PEOPLE = {PAULA: ("Paula", "paula@prata.example"), OTAVIO: ("Otávio", "otavio@ouro.example"),
          VISITOR: ("Vicente", None)}
ANALYSTS = {ANA: ("Ana", "ana@suporte.example"), BRUNO: ("Bruno", "bruno@suporte.example")}
WEBHOOK_SECRET = "s3cr3t-webhook-token"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing here may leave the machine: connections go to loopback only."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family != socket.AF_UNIX and not (host in ("localhost", "::1") or str(host).startswith("127.")):
            raise ConnectionRefusedError(f"test tried to reach {address}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """Like the shared fixture, but empties PostgreSQL with DELETEs: much quicker than TRUNCATE
    for the handful of rows one of these tests writes."""
    if request.param == "sqlite":
        target = tmp_path / "chamado.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base(None)


class Harness:
    """One bot, its fake Telegram, its help desk and its outbox dispatcher."""

    def __init__(self, fake: FakeTelegram, desk: HelpDesk, dialog: Dialog, bot: TelegramBot,
                 dispatcher: OutboxDispatcher, settings: Settings) -> None:
        self.fake = fake
        self.desk = desk
        self.dialog = dialog
        self.bot = bot
        self.dispatcher = dispatcher
        self.settings = settings
        self.skew = timedelta()  # how far the dispatcher's clock runs ahead (to skip retry waits)
        self.handled: Counter[int] = Counter()
        self._progress = asyncio.Event()
        self.webhook_url: str | None = None
        self._runner: web.AppRunner | None = None
        bot.application.add_handler(TypeHandler(Update, self._seen), group=99)

    async def _seen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled[update.update_id] += 1
        self._progress.set()

    # --- running ---------------------------------------------------------------------

    async def start_polling(self) -> None:
        await self.bot.start_polling()

    async def start_webhook(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/telegram/webhook", self.bot.webhook_handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.webhook_url = f"http://127.0.0.1:{port}/telegram/webhook"
        await self.bot.set_webhook(self.webhook_url, WEBHOOK_SECRET)

    async def close(self) -> None:
        await self.bot.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.skew

    def advance(self, seconds: float) -> None:
        self.skew += timedelta(seconds=seconds)

    # --- people acting ---------------------------------------------------------------------

    async def send(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update at the fake, wait until the bot has handled it; returns it with its ids."""
        update_id = self.fake.queue_update(update)
        await self.wait_handled(update_id, self.handled[update_id] + 1)
        return update

    async def wait_handled(self, update_id: int, times: int = 1, timeout: float = 10.0) -> None:
        async def reached() -> None:
            while self.handled[update_id] < times:
                self._progress.clear()
                await self._progress.wait()

        await asyncio.wait_for(reached(), timeout)

    async def client_says(self, user: int, text: str) -> dict[str, Any]:
        return await self.send(u.text_message(user, text, first_name=PEOPLE.get(user, ("Cliente",))[0]))

    async def client_sends_photo(self, user: int, file_id: str, caption: str | None = None) -> dict[str, Any]:
        return await self.send(u.photo_message(user, file_id, caption=caption,
                                               first_name=PEOPLE.get(user, ("Cliente",))[0]))

    async def press(self, user: int, label: str, chat: int | None = None) -> int:
        """Press the newest button with this label in the user's private chat."""
        message = self.message_with_button(chat or user, label)
        update_id = self.fake.click(message, label, user_id=user)
        await self.wait_handled(update_id)
        return update_id

    def message_with_button(self, chat: int, label: str) -> SentMessage:
        for message in reversed(self.fake.sent_messages(chat)):
            if label in message.button_texts:
                return message
        raise AssertionError(f"no message with a {label!r} button in chat {chat}: {self.texts(chat)}")

    def thread(self, number: str) -> ThreadRef:
        tickets = self.desk.list_tickets()
        ticket = next(tk for tk in tickets if tk.number == number)
        ref = thread_for(self.desk.db, ticket.id, "telegram")
        assert ref is not None, f"ticket {number} has no Telegram thread"
        return ref

    def is_topic(self, number: str) -> bool:
        ref = self.thread(number)
        return ref.thread_ref != ref.root_message_id

    def in_thread(self, number: str) -> dict[str, Any]:
        """Where a message in the ticket's thread goes: its topic, or a reply to its root."""
        ref = self.thread(number)
        if ref.thread_ref != ref.root_message_id:
            return {"message_thread_id": int(ref.thread_ref), "is_topic": True}
        assert ref.root_message_id is not None
        return {"reply_to": int(ref.root_message_id)}

    async def analyst_says(self, user: int, number: str, text: str, **extra: Any) -> dict[str, Any]:
        where = self.in_thread(number) | extra
        name = ANALYSTS.get(user, ("Fulano",))[0]
        return await self.send(u.group_message(ANALYSTS_CHAT, user, text, first_name=name, **where))

    async def analyst_sends_document(self, user: int, number: str, file_id: str, file_name: str,
                                     caption: str | None = None) -> dict[str, Any]:
        where = self.in_thread(number)
        where.setdefault("chat_type", "supergroup")
        return await self.send(u.document_message(user, file_id, file_name=file_name, caption=caption,
                                                  chat_id=ANALYSTS_CHAT, **where))

    async def deliver(self) -> int:
        return await self.dispatcher.drain()

    async def open_ticket(self, user: int = PAULA,
                          question: str = "o sistema trava ao gerar o relatório de estoque",
                          description: str = "Desde ontem, ao clicar em Gerar, a tela congela.",
                          module: str = "Estoque", criticality: str = "Alta") -> str:
        """The whole conversation: question, the FAQ does not solve it, open, module, criticality, describe, confirm."""
        await self.ask_and_choose_a_ticket(user, question)
        await self.press(user, module)
        await self.deliver()
        await self.press(user, criticality)
        await self.deliver()
        await self.client_says(user, description)
        await self.deliver()
        await self.press(user, "Confirmar")
        await self.deliver()
        return self.desk.contact_tickets(self.contact_id(user), limit=1)[0].number

    async def ask_and_choose_a_ticket(self, user: int, question: str) -> None:
        """Ask the bot; an FAQ answer did not solve it or no suggestion fits; press "Abrir chamado"."""
        await self.client_says(user, question)
        await self.deliver()
        for button in ("Não", "Nenhuma dessas"):  # (an FAQ answer, suggestions)
            if button in self.fake.sent_messages(user)[-1].button_texts:
                await self.press(user, button)
                await self.deliver()
        await self.press(user, "Abrir chamado")
        await self.deliver()

    async def quick_ticket(self, user: int = PAULA, subject: str = "Relatório de estoque trava",
                           description: str = "Ao clicar em Gerar, a tela congela.") -> str:
        """A ticket opened straight through the help desk (as the dialog would), posted to the group."""
        ticket = self.desk.open_ticket(contact_id=self.contact_id(user), subject=subject, module="Estoque",
                                       criticality="ALTA", description=description,
                                       origin_platform="telegram", origin_chat=str(user))
        await self.deliver()
        return ticket.number

    def contact_id(self, user: int) -> int:
        identity = self.desk.identity("telegram", str(user))
        assert identity is not None and identity.contact_id is not None
        return identity.contact_id

    # --- what people see ----------------------------------------------------------------------

    def texts(self, chat: int, thread: int | None = None) -> list[str]:
        return [m.text or m.caption or f"[{m.kind}]" for m in self.fake.sent_messages(chat, thread)]

    def last_text(self, chat: int, thread: int | None = None) -> str:
        texts = self.texts(chat, thread)
        assert texts, f"nothing was sent to chat {chat}"
        return texts[-1]

    def group_texts(self) -> list[str]:
        return self.texts(ANALYSTS_CHAT)

    def thread_messages(self, number: str) -> list[SentMessage]:
        """What the bot posted in the ticket's thread (its topic, or replies to its root)."""
        ref = self.thread(number)
        if ref.thread_ref != ref.root_message_id:
            return self.fake.sent_messages(ANALYSTS_CHAT, int(ref.thread_ref))
        root = int(ref.thread_ref)
        return [m for m in self.fake.sent_messages(ANALYSTS_CHAT)
                if m.message_id == root or m.reply_to_message_id == root]

    def thread_texts(self, number: str) -> list[str]:
        return [m.text or m.caption or f"[{m.kind}]" for m in self.thread_messages(number)]

    def last_message(self, chat: int) -> SentMessage:
        message = self.fake.last_message(chat)
        assert message is not None, f"nothing was sent to chat {chat}"
        return message


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness(db_url: str, knowledge_base: KnowledgeBase) -> AsyncIterator[HarnessFactory]:
    """Build a running harness: ``await make_harness(forum=False, relay_mode="explicit")``."""
    made: list[Harness] = []
    fakes: list[FakeTelegram] = []
    databases: list[Database] = []

    async def build(*, forum: bool = True, relay_mode: str = "auto", rate_limit: bool = True,
                    use_topics: bool = True, mode: str = "polling") -> Harness:
        fake = FakeTelegram().start()
        fakes.append(fake)
        fake.add_group(ANALYSTS_CHAT, "Suporte N1", is_forum=forum)
        for user, (name, _) in {**PEOPLE, **ANALYSTS}.items():
            fake.add_private_chat(user, name)
        settings = Settings(
            database_url=db_url, telegram_bot_token=fake.token, telegram_api_base_url=fake.url,
            telegram_analysts_chat_id=ANALYSTS_CHAT, telegram_use_topics=use_topics,
            telegram_rate_limit=rate_limit, relay_mode=relay_mode,
        )
        db = Database(db_url)
        databases.append(db)
        desk = HelpDesk(db, analyst_desks=("telegram",))
        load_demo(desk)
        for user, (name, email) in PEOPLE.items():
            if email:
                contact = desk.contact_by_email(email)
                desk.link_identity("telegram", str(user), contact_id=contact.id, display_name=name)
        for user, (_, email) in ANALYSTS.items():
            desk.link_analyst(email, "telegram", str(user))
        dialog = Dialog(desk, knowledge_base)
        bot = TelegramBot(telegram_config(settings), desk, dialog)
        harness: Harness
        dispatcher = build_dispatcher(desk, {"telegram": bot.deliverer}, clock=lambda: harness.now())
        harness = Harness(fake, desk, dialog, bot, dispatcher, settings)
        made.append(harness)
        if mode == "polling":
            await harness.start_polling()
        else:
            await harness.start_webhook()
        return harness

    yield build
    for harness in made:
        await harness.close()
    for fake in fakes:
        fake.stop()
    for db in databases:
        db.dispose()


@pytest.fixture
async def tg(make_harness: HarnessFactory) -> Harness:
    """The usual setup: a forum group with topics, auto relay, rate limiter on, polling."""
    return await make_harness()
