"""The terminal adapter: ``chamado console`` as a client or, with ``--analyst``, as an analyst.

The zero-config way to run the bot: SQLite, the shipped FAQ, demo data. The
same dialog and outbox as Telegram and Slack; buttons are numbered choices
(type the number or the label). When standard input is not a terminal, it
reads one line per turn and prints the replies, so sessions can be scripted.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import threading
import uuid
from collections.abc import Callable
from typing import TextIO

from bot.dialog import Dialog
from bot.messages import Button, Incoming, Reply
from bot.notifications import DeskNotice, client_reply, desk_notice, ticket_summary
from bot.texts import t
from core.desk import HelpDesk
from core.errors import DomainError
from core.model import Actor
from core.outbox import ANALYSTS, CLIENT, OutboxDispatcher, OutboxItem

PLATFORM = "console"


class ClientConsoleDeliverer:
    """Prints what the client receives and remembers the buttons for the next turn."""

    def __init__(self, desk: HelpDesk, write: Callable[[str], None]) -> None:
        self.desk = desk
        self.write = write
        self.buttons: list[Button] = []

    async def deliver(self, item: OutboxItem) -> None:
        if item.kind == "button_pressed":
            return
        reply = client_reply(self.desk, item)
        if reply is not None:
            self.show(reply)

    def show(self, reply: Reply) -> None:
        lines = [f"bot> {line}" if i == 0 else f"     {line}"
                 for i, line in enumerate(reply.text.splitlines() or [""])]
        for attachment in reply.attachments:
            lines.append(f"     [anexo: {attachment.kind} {attachment.name or attachment.file_id}]")
        flat = [b for row in reply.buttons for b in row]
        if flat:
            self.buttons = flat
            lines.extend(f"     [{i}] {b.label}" for i, b in enumerate(flat, start=1))
        self.write("\n".join(lines) + "\n")

    def press(self, text: str) -> Button | None:
        """The button a typed line refers to (its number or its label), if any."""
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
            return self.buttons[int(stripped) - 1]
        for button in self.buttons:
            if button.label.casefold() == stripped.casefold():
                return button
        return None


class AnalystConsoleDeliverer:
    """Prints what reaches the analysts' desk."""

    def __init__(self, desk: HelpDesk, write: Callable[[str], None]) -> None:
        self.desk = desk
        self.write = write

    async def deliver(self, item: OutboxItem) -> None:
        notice = desk_notice(self.desk, item)
        if notice is not None:
            self.write(render_notice(notice))


def render_notice(notice: DeskNotice) -> str:
    lines = [f"*** {notice.title}"]
    if notice.kind == "ticket_opened":
        lines.extend(f"    {label}: {value}" for label, value in ticket_summary(notice.ticket))
    if notice.body:
        lines.extend(f"    | {line}" for line in notice.body.splitlines())
    for attachment in notice.attachments:
        lines.append(f"    [anexo: {attachment.kind} {attachment.name or attachment.file_id}]")
    return "\n".join(lines) + "\n"


class ClientConsole:
    """A client chatting in the terminal."""

    def __init__(self, dialog: Dialog, email: str, write: Callable[[str], None],
                 on_delivered: Callable[[OutboxItem], None] | None = None) -> None:
        self.dialog = dialog
        self.desk = dialog.desk
        self.email = email
        self.deliverer = ClientConsoleDeliverer(self.desk, write)
        self.dispatcher = OutboxDispatcher(self.desk.db, {PLATFORM: self.deliverer}, on_delivered=on_delivered,
                                           audience=CLIENT, address=email, batch_size=100)
        self.lock = threading.Lock()
        contact = self.desk.contact_by_email(email)
        self.name = contact.name
        identity = self.desk.identity(PLATFORM, email)
        if identity is None or identity.contact_id != contact.id:
            # The console runs on the operator's machine: it is trusted to act as the contact.
            self.desk.link_identity(PLATFORM, email, contact_id=contact.id,
                                    display_name=contact.name)

    def turn(self, line: str) -> None:
        with self.lock:
            button = self.deliverer.press(line)
            key = uuid.uuid4().hex
            incoming = Incoming(platform=PLATFORM, user_id=self.email, chat_id=self.email,
                                text="" if button else line, button=button.data if button else None,
                                message_id=key, update_key=key, display_name=self.name.split()[0],
                                button_message_id=None)
            if button is not None:
                self.deliverer.buttons = []
            self.dialog.handle(incoming)
            self.flush()

    def flush(self) -> None:
        asyncio.run(self.dispatcher.drain())


class AnalystConsole:
    """An analyst working the queue in the terminal."""

    HELP = (
        "comandos: fila | ver NUMERO | assumir NUMERO | responder NUMERO TEXTO | nota NUMERO TEXTO |\n"
        "          escalar NUMERO MOTIVO | encaminhar NUMERO AREA | fechar NUMERO | ajuda | sair\n"
    )

    def __init__(self, desk: HelpDesk, email: str, write: Callable[[str], None]) -> None:
        self.desk = desk
        self.write = write
        self.analyst = desk.analyst_by_email(email)
        self.deliverer = AnalystConsoleDeliverer(desk, write)
        self.dispatcher = OutboxDispatcher(desk.db, {PLATFORM: self.deliverer}, audience=ANALYSTS,
                                           batch_size=100)
        self.lock = threading.Lock()

    def turn(self, line: str) -> bool:
        """Run one command; False when the analyst asked to leave."""
        with self.lock:
            try:
                parts = shlex.split(line)
            except ValueError:
                parts = line.split()
            if not parts:
                return True
            command, args = parts[0].lower(), parts[1:]
            if command in {"sair", "exit", "quit"}:
                return False
            try:
                self._run(command, args, line)
            except DomainError as exc:
                self.write(f"!! {exc.render('pt-BR')}\n")
            self.flush()
            return True

    def _text_after(self, line: str, words: int) -> str:
        return line.strip().split(None, words)[words] if len(line.split()) > words else ""

    def _run(self, command: str, args: list[str], line: str) -> None:
        me = self.analyst.id
        if command in {"fila", "queue"}:
            rows = self.desk.analyst_queue(me)
            if not rows:
                self.write("fila vazia\n")
            for tk in rows:
                self.write(f"{tk.number}  {tk.status:<9} {tk.level} {tk.criticality:<8} "
                           f"{tk.organization:<8} {tk.assignee or '-':<22} {tk.subject}\n")
        elif command in {"ver", "show"} and args:
            tk = self.desk.get_ticket(args[0], Actor.analyst(me))
            for label, value in ticket_summary(tk):
                self.write(f"{label}: {value}\n")
            for m in tk.messages:
                tag = " (nota interna)" if m.visibility == "INTERNAL" else ""
                self.write(f"  [{m.author_kind}{tag}] {m.author_name or ''}: {m.body}\n")
        elif command in {"assumir", "claim"} and args:
            tk = self.desk.claim(args[0], me)
            self.write(f"chamado {tk.number} assumido\n")
        elif command in {"responder", "reply"} and len(args) >= 2:
            out = self.desk.analyst_reply(args[0], me, self._text_after(line, 2))
            self.write(f"resposta enviada ao cliente; chamado {out.ticket.number} {out.ticket.status}\n")
        elif command in {"nota", "note"} and len(args) >= 2:
            self.desk.internal_note(args[0], me, self._text_after(line, 2))
            self.write("nota interna registrada (não vai ao cliente)\n")
        elif command in {"escalar", "escalate"} and len(args) >= 2:
            tk = self.desk.escalate(args[0], me, self._text_after(line, 2))
            self.write(f"chamado {tk.number} escalado para {tk.level}\n")
        elif command in {"encaminhar", "forward"} and len(args) >= 2:
            tk = self.desk.forward(args[0], me, self._text_after(line, 2))
            self.write(f"chamado {tk.number} encaminhado para {tk.forwarded_area}\n")
        elif command in {"fechar", "close"} and args:
            tk = self.desk.close_by_analyst(args[0], me)
            self.write(f"chamado {tk.number} {tk.status}\n")
        else:
            self.write(self.HELP)

    def flush(self) -> None:
        asyncio.run(self.dispatcher.drain())


def run_loop(turn: Callable[[str], bool | None], flush: Callable[[], None], lock: threading.Lock,
             prompt: str, stdin: TextIO = sys.stdin, interactive: bool | None = None) -> None:
    """Read lines until EOF; in a terminal, also show what arrives between turns."""
    interactive = stdin.isatty() if interactive is None else interactive
    stop = threading.Event()
    if interactive:
        def poll() -> None:
            while not stop.wait(1.0):
                with lock:
                    flush()

        threading.Thread(target=poll, daemon=True).start()
    try:
        while True:
            if interactive:
                try:
                    line = input(prompt)
                except EOFError:
                    break
            else:
                raw = stdin.readline()
                if not raw:
                    break
                line = raw.rstrip("\n")
                print(f"{prompt}{line}", flush=True)
            if turn(line) is False:
                break
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        with lock:
            flush()


def welcome(locale: str = "pt-BR") -> str:
    return t("help", locale)
