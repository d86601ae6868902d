"""A Slack workspace for the tests: FakeSlack, the real Bolt app over HTTP, the outbox dispatcher.

Tests read like what people do in Slack::

    number = slack.open_ticket()
    await slack.settle()
    card = slack.card(number)
    await slack.press(ANA, card, "Assumir")
    await slack.analyst_says(ANA, number, "Pode testar de novo?")
    await slack.settle()

Requests to the bot are signed like Slack signs them and go over HTTP to
``SlackBot.http_handler`` served on 127.0.0.1:0; the bot's Web API calls go to
FakeSlack. ``settle()`` waits for the bot's work and delivers the outbox until
nothing is due.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.dialog import Dialog
from bot.slack import SlackBot
from chamado.adapters import slack_config
from chamado.app import build_dispatcher
from chamado.demo import load_demo
from chamado.settings import Settings, load_settings
from core.desk import HelpDesk
from core.outbox import OutboxDispatcher
from core.store.db import Database
from core.store.orm import Message as MessageRow
from core.store.orm import OutboxMessage
from core.threads import thread_for
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from tests.conftest import Clock
from tests.fakes.slack import (
    FakeSlack,
    Message,
    apost,
    apost_signed,
    block_actions_body,
    event_body,
    message_event,
    retry_headers,
    slash_command_body,
)

SECRET = "test-signing-secret"
CHANNEL = "CDESK"
ANA, BRUNO, DIEGO = "UANA", "UBRUNO", "UDIEGO"  # analysts: N1, N1, N2
INTRUDER = "UINTRUSO"  # a workspace member who is not an analyst
PAULA = "UPAULA"  # a client (Comercial Prata, project manager)
PAULA_EMAIL = "paula@prata.example"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        f.add_user(ANA, "ana", real_name="Ana Souza", email="ana@suporte.example")
        f.add_user(BRUNO, "bruno", real_name="Bruno Dias", email="bruno@suporte.example")
        f.add_user(DIEGO, "diego", real_name="Diego Ramos", email="diego@suporte.example")
        f.add_user(INTRUDER, "curioso", real_name="Carlos Curioso")
        f.add_user(PAULA, "paula.prado", real_name="Paula Prado", email=PAULA_EMAIL)
        f.add_channel(CHANNEL, "suporte")
        yield f


@pytest.fixture
def slack_desk(database: Database, clock: Clock) -> HelpDesk:
    # chamado.app's after-delivery hooks stamp their rows with the real time, not the desk's
    # clock: run the desk from now on, and let the dispatcher see max(test clock, real time).
    clock.now = datetime.now(UTC)
    desk = HelpDesk(database, clock=clock, analyst_desks=("slack",))
    load_demo(desk)
    desk.link_analyst("ana@suporte.example", "slack", ANA)
    desk.link_analyst("bruno@suporte.example", "slack", BRUNO)
    desk.link_analyst("diego@suporte.example", "slack", DIEGO)
    return desk


class SlackWorkspace:
    """The bot running against FakeSlack, and the people who use it."""

    def __init__(self, fake: FakeSlack, desk: HelpDesk, bot: SlackBot, dispatcher: OutboxDispatcher,
                 url: str, clock: Clock) -> None:
        self.fake = fake
        self.desk = desk
        self.bot = bot
        self.dispatcher = dispatcher
        self.url = url
        self.clock = clock

    # --- requests as Slack sends them --------------------------------------------------------

    async def post(self, body: str, *, retry: int | None = None) -> int:
        status, _ = await apost_signed(self.url, body, SECRET,
                                       extra_headers=retry_headers(retry) if retry else None)
        return status

    async def post_with(self, body: str, headers: dict[str, str]) -> int:
        return (await apost(self.url, body, headers))[0]

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> int:
        return await self.post(event_body(event, event_id=event_id), retry=retry)

    async def analyst_says(self, user: str, number: str, text: str, *, event_id: str | None = None,
                           files: list[dict[str, Any]] | None = None) -> Message:
        """``user`` writes ``text`` in the ticket's thread (as it appears in the channel and in the event)."""
        root = self.card(number)
        said = self.fake.add_message(CHANNEL, text, user, thread_ts=root.ts, files=files)
        status = await self.event(message_event(user, CHANNEL, text, ts=said.ts, thread_ts=root.ts, files=files),
                                  event_id=event_id)
        assert status == 200
        return said

    async def client_says(self, user: str, text: str, *, event_id: str | None = None,
                          files: list[dict[str, Any]] | None = None) -> int:
        dm = self.fake.dm_channel(user)
        return await self.event(message_event(user, dm, text, channel_type="im", files=files), event_id=event_id)

    async def press(self, user: str, message: Message, label: str, *, option: str | None = None) -> int:
        """``user`` clicks the button labelled ``label`` (or picks ``option`` in the select ``label``)."""
        element = self._element(message, label)
        url = self.fake.response_url(channel=message.channel, user=user, message_ts=message.ts, kind="actions")
        body = block_actions_body(user, element["action_id"], channel_id=message.channel,
                                  message=message.to_dict(), response_url=url)
        if option is not None:
            body = _with_selected_option(body, element, option)
        return await self.post(body)

    async def client_presses(self, user: str, label: str) -> int:
        """The client clicks ``label`` on the latest DM message that has it."""
        for message in reversed(self.dm(user)):
            if any(b.text == label for b in message.buttons):
                return await self.press(user, message, label)
        raise AssertionError(f"no button {label!r} in the DM: {[m.buttons for m in self.dm(user)]}")

    @staticmethod
    def _element(message: Message, label: str) -> dict[str, Any]:
        for block in message.blocks or []:
            for element in block.get("elements") or []:
                text = (element.get("text") or element.get("placeholder") or {}).get("text")
                if text == label:
                    return dict(element)
        raise AssertionError(f"no element {label!r} in {message.blocks!r}")

    async def command(self, user: str, text: str, *, command: str = "/chamado", channel: str = CHANNEL) -> str:
        """Run a slash command; returns what came back through the response URL (ephemeral)."""
        url = self.fake.response_url(channel=channel, user=user)
        status = await self.post(slash_command_body(command, text, user_id=user, channel_id=channel,
                                                    response_url=url))
        assert status == 200
        await self.settle()
        return "\n".join(p.text for p in self.fake.response_url_posts(url))

    # --- letting things happen -----------------------------------------------------------------

    def later(self, seconds: float) -> None:
        """Let ``seconds`` pass for the dispatcher, counted from now at the latest.

        The dispatcher reads max(test clock, real time), and a retry is scheduled from that
        reading: advancing the test clock alone can fall short of it on a slow machine.
        """
        self.clock.now = max(self.clock.now, datetime.now(UTC)) + timedelta(seconds=seconds)

    async def settle(self) -> int:
        """Wait for the bot's work and deliver the outbox until nothing is due; returns rows delivered."""
        delivered = 0
        for _ in range(50):
            await self.bot.idle(timeout=20)
            n = await self.dispatcher.drain()
            delivered += n
            if n == 0 and self.bot.tasks.pending == 0:
                return delivered
        raise AssertionError("the bot never settled")

    # --- what there is to see ------------------------------------------------------------------

    def open_ticket(self, email: str = PAULA_EMAIL, *, subject: str = "NF-e rejeitada",
                    description: str = "Erro 539 ao transmitir a nota.", origin_chat: str | None = None,
                    origin_platform: str = "slack", criticality: str = "ALTA") -> str:
        contact = self.desk.contact_by_email(email)
        chat = origin_chat if origin_chat is not None else self.fake.dm_channel(PAULA)
        ticket = self.desk.open_ticket(contact_id=contact.id, subject=subject, module="Fiscal",
                                       criticality=criticality, description=description,
                                       origin_platform=origin_platform, origin_chat=chat)
        return ticket.number

    def link_client(self, user: str = PAULA, email: str = PAULA_EMAIL) -> str:
        contact = self.desk.contact_by_email(email)
        self.desk.link_identity("slack", user, contact_id=contact.id, display_name=contact.name)
        return self.fake.dm_channel(user)

    def card(self, number: str) -> Message:
        ticket = self.desk.get_ticket(number, _system(), with_messages=False)
        thread = thread_for(self.desk.db, ticket.id, "slack")
        assert thread is not None, f"ticket {number} has no Slack thread"
        message = self.fake.message(thread.chat, thread.thread_ref)
        assert message is not None
        return message

    def thread(self, number: str) -> list[Message]:
        """What the bot posted in the ticket's thread."""
        return self.fake.messages(CHANNEL, thread_ts=self.card(number).ts)

    def thread_text(self, number: str) -> str:
        return "\n".join(m.all_text for m in self.thread(number))

    def dm(self, user: str = PAULA) -> list[Message]:
        return self.fake.messages(self.fake.dm_channel(user))

    def last_dm(self, user: str = PAULA) -> Message:
        found = self.dm(user)
        assert found, "the bot said nothing in the DM"
        return found[-1]

    def dm_text(self, user: str = PAULA) -> str:
        return "\n".join(m.all_text for m in self.dm(user))

    def ticket(self, number: str) -> Any:
        return self.desk.get_ticket(number, _system())

    def count(self, model: Any, *where: Any) -> int:
        with self.desk.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def messages_of(self, number: str) -> int:
        return len(self.ticket(number).messages)

    def pending_rows(self) -> list[OutboxMessage]:
        with self.desk.db.session() as s:
            return list(s.scalars(select(OutboxMessage).where(OutboxMessage.status == "PENDING")))

    def stored_messages(self) -> int:
        return self.count(MessageRow)


def _system() -> Any:
    from core.model import Actor

    return Actor.system()


def _with_selected_option(body: str, element: dict[str, Any], option: str) -> str:
    """Slack sends a select's choice as ``selected_option`` (the fake's builder only knows ``value``)."""
    payload = json.loads(parse_qs(body)["payload"][0])
    chosen = next(o for o in element["options"] if o["text"]["text"] == option)
    action = payload["actions"][0]
    action.pop("value", None)
    action.pop("text", None)
    action["type"] = "static_select"
    action["selected_option"] = chosen
    return urlencode({"payload": json.dumps(payload)})


SlackFactory = Callable[..., Awaitable[SlackWorkspace]]


@pytest.fixture
async def slack_factory(fake: FakeSlack, slack_desk: HelpDesk, kb: KnowledgeBase,
                        clock: Clock) -> AsyncIterator[SlackFactory]:
    """Builds the workspace; keyword arguments override settings (e.g. ``relay_mode="explicit"``)."""
    runners: list[tuple[web.AppRunner, SlackBot]] = []

    async def make(**overrides: Any) -> SlackWorkspace:
        values: dict[str, Any] = {
            "database_url": "sqlite://", "slack_bot_token": fake.token, "slack_signing_secret": SECRET,
            "slack_analysts_channel": CHANNEL, "slack_api_base_url": fake.base_url,
            "analyst_desks": ["slack"], **overrides,
        }
        settings: Settings = load_settings(**values)
        dialog = Dialog(slack_desk, kb)
        bot = SlackBot(slack_config(settings), slack_desk, dialog)
        await bot.initialize()
        web_app = web.Application()
        web_app.router.add_route("*", "/slack/events", bot.http_handler)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append((runner, bot))
        port = runner.addresses[0][1]
        dispatcher = build_dispatcher(slack_desk, {"slack": bot.deliverer},
                                      clock=lambda: max(clock(), datetime.now(UTC)))
        return SlackWorkspace(fake, slack_desk, bot, dispatcher, f"http://127.0.0.1:{port}/slack/events", clock)

    yield make
    for runner, bot in runners:
        await bot.stop()
        await runner.cleanup()


@pytest.fixture
async def slack(slack_factory: SlackFactory) -> SlackWorkspace:
    return await slack_factory()


def card_fields(message: Message) -> dict[str, str]:
    """The card's fields as label -> value."""
    found = {}
    for block in message.blocks or []:
        for field in block.get("fields") or []:
            label, _, value = field["text"].partition("\n")
            found[label.strip("*")] = value
    return found


def action_ids(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]]
