"""A conversation harness: the real dialog, outbox and dispatcher with recording deliverers.

Tests read like a conversation::

    chat = harness.client("paula@prata.example")
    chat.send("como abro um chamado")
    assert "Isso resolveu?" in chat.last_text()
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

import pytest

from bot.dialog import Dialog
from bot.messages import Button, Incoming, Reply
from bot.notifications import DeskNotice, client_reply, desk_notice
from chamado.app import build_dispatcher
from core.desk import HelpDesk
from core.outbox import ANALYSTS, OutboxDispatcher, OutboxItem
from knowledge_base.loader import load_knowledge_base

PLATFORM = "test"
_ids = itertools.count(1)


@dataclass
class Recorder:
    """A deliverer that keeps what it was asked to deliver."""

    desk: HelpDesk
    replies: dict[str, list[Reply]] = field(default_factory=dict)
    notices: list[DeskNotice] = field(default_factory=list)
    pressed: list[dict[str, object]] = field(default_factory=list)
    fail_next: int = 0

    async def deliver(self, item: OutboxItem) -> None:
        if self.fail_next:
            from core.outbox import RetryLater

            self.fail_next -= 1
            raise RetryLater("platform down", after=0)
        if item.audience == ANALYSTS:
            notice = desk_notice(self.desk, item)
            if notice is not None:
                self.notices.append(notice)
            return
        if item.kind == "button_pressed":
            self.pressed.append(item.payload)
            return
        reply = client_reply(self.desk, item)
        if reply is not None:
            self.replies.setdefault(str(item.address), []).append(reply)


class Chat:
    """One chat user talking to the bot."""

    def __init__(self, harness: Harness, user_id: str, locale: str | None = "pt-br",
                 name: str = "Cliente") -> None:
        self.harness = harness
        self.user_id = user_id
        self.locale = locale
        self.name = name
        self.seen = 0

    def _handle(self, **kw: object) -> list[Reply]:
        n = next(_ids)
        incoming = Incoming(platform=PLATFORM, user_id=self.user_id, chat_id=self.user_id,
                            message_id=f"m{n}", update_key=f"u{n}", locale=self.locale,
                            display_name=self.name, **kw)  # type: ignore[arg-type]
        replies = self.harness.dialog.handle(incoming)
        self.harness.deliver()
        return replies

    def send(self, text: str, **kw: object) -> list[Reply]:
        return self._handle(text=text, **kw)

    def press(self, label: str) -> list[Reply]:
        button = self.button(label)
        return self._handle(button=button.data, button_message_id=f"msg-{button.data}")

    def press_data(self, data: str) -> list[Reply]:
        return self._handle(button=data, button_message_id="msg-x")

    @property
    def replies(self) -> list[Reply]:
        return self.harness.recorder.replies.get(self.user_id, [])

    def last(self) -> Reply:
        assert self.replies, "the bot said nothing"
        return self.replies[-1]

    def last_text(self) -> str:
        return self.last().text

    def new_texts(self) -> str:
        """Everything the bot said since the previous call."""
        texts = [r.text for r in self.replies[self.seen:]]
        self.seen = len(self.replies)
        return "\n".join(texts)

    def button(self, label: str) -> Button:
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for b in row:
                    if b.label == label:
                        return b
        raise AssertionError(f"no button {label!r} in {[r.button_labels for r in self.replies]}")


class Harness:
    def __init__(self, desk: HelpDesk) -> None:
        self.desk = desk
        self.kb = load_knowledge_base()
        self.dialog = Dialog(desk, self.kb, flood_max_messages=20)
        self.recorder = Recorder(desk)
        self.dispatcher: OutboxDispatcher = build_dispatcher(desk, {PLATFORM: self.recorder})

    def deliver(self) -> int:
        return asyncio.run(self.dispatcher.drain())

    def client(self, email: str | None = None, user_id: str | None = None,
               locale: str | None = "pt-br") -> Chat:
        uid = user_id or (email or f"anon-{next(_ids)}")
        if email:
            contact = self.desk.contact_by_email(email)
            self.desk.link_identity(PLATFORM, uid, contact_id=contact.id, display_name=contact.name)
        return Chat(self, uid, locale)

    def analyst_id(self, email: str) -> int:
        return self.desk.analyst_by_email(email).id

    def notice_titles(self) -> list[str]:
        return [n.title for n in self.recorder.notices]


@pytest.fixture
def harness(demo: HelpDesk) -> Harness:
    demo.analyst_desks = (PLATFORM,)
    return Harness(demo)


def open_ticket_via_chat(chat: Chat, question: str = "O sistema trava ao emitir nota fiscal de saída",
                         module: str = "Fiscal", criticality: str = "Alta",
                         description: str = "Erro 539 ao transmitir", via_faq: bool = False) -> str:
    if via_faq:
        chat.send(question)
        labels = chat.last().button_labels
        if "Nenhuma dessas" in labels:
            chat.press("Nenhuma dessas")
        elif "Não" in labels:
            chat.press("Não")
        chat.press("Abrir chamado")
    else:
        chat.send(f"/abrir {question}")
    chat.press(module)
    chat.press(criticality)
    chat.send(description)
    chat.press("Confirmar")
    text = chat.last_text()
    assert "aberto" in text, text
    return text.split("Chamado ")[1].split(" ")[0]
