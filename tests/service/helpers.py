"""Running ``chamado serve`` as a real process against FakeTelegram, and reading what happened.

* `ServiceFake`: FakeTelegram plus what a test standing in for Telegram *and*
  a load balancer needs: build an update (a message, a button press) the way
  the fake would, so the test can POST it to any worker's webhook itself.
* `ServiceProcess`: one ``chamado serve --telegram ...`` subprocess with its
  environment, port, log file, readiness check and signals.
* `Store`: synchronous reads of the service's database (outbox, tickets,
  processed updates), tolerant of the database being down.
* `post_update` / `deliver`: a webhook POST with the secret header; ``deliver``
  tries again (the same update, like Telegram or a load balancer) until a
  worker answers 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from chamado.app import build_helpdesk
from chamado.settings import Settings
from core.desk import HelpDesk
from core.store.db import Database, is_transient
from tests.fakes.telegram import FakeTelegram, SentMessage
from tests.fakes.telegram import updates as u

ROOT = Path(__file__).resolve().parents[2]
CHAMADO = str(ROOT / ".venv" / "bin" / "chamado")
ANALYSTS_CHAT = -1001555000111
SECRET = "svc-webhook-s3cret"
FIRST_USER = 610_000_001
ANA = 7001  # analyst N1 of the demo data (ana@suporte.example)

T = TypeVar("T")
JSON = dict[str, Any]
_TAG = re.compile(r"<[^>]+>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- databases --------------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str = "chamado_svc") -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped afterwards."""
    parsed = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def chamado_init(database_url: str, cwd: Path) -> None:
    """``chamado init --demo``: the schema and the demo organizations, contacts and analysts."""
    env = {**clean_env(), "DATABASE_URL": database_url}
    done = subprocess.run([CHAMADO, "init", "--demo"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def clean_env() -> dict[str, str]:
    """The test's environment without proxies or chamado settings (only loopback is reached)."""
    drop = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    return {k: v for k, v in os.environ.items()
            if k not in drop and not k.startswith(("TELEGRAM_", "SLACK_", "SMTP_", "OUTBOX_"))
            and k not in {"DATABASE_URL", "HTTP_PORT", "HTTP_HOST", "ANALYST_DESKS"}}


@dataclass
class Client:
    user_id: int
    contact_id: int
    name: str
    ticket: str | None = None


def helpdesk(database_url: str) -> HelpDesk:
    settings = Settings(database_url=database_url, analyst_desks=["telegram"])
    return build_helpdesk(settings, Database(database_url))


def make_clients(desk: HelpDesk, fake: FakeTelegram, count: int, first_user: int = FIRST_USER) -> list[Client]:
    """``count`` project managers of organizations allowed to open tickets, each linked to a Telegram user."""
    clients = []
    for index in range(count):
        slug = f"svc-{first_user + index}"
        desk.add_organization(name=f"Cliente {slug}", slug=slug, plan=("PRATA", "OURO", "VIP")[index % 3],
                              billing_mode="CONTRACT", acceptance_signed_on=date(2025, 1, 2))
        name = f"Gerente{index}"
        contact = desk.add_contact(org_slug=slug, name=name, email=f"pm@{slug}.example", role="PROJECT_MANAGER")
        user_id = first_user + index
        desk.link_identity("telegram", str(user_id), contact_id=contact.id, display_name=name)
        fake.add_private_chat(user_id, name)
        clients.append(Client(user_id, contact.id, name))
    return clients


def open_ticket(desk: HelpDesk, client: Client, subject: str = "Erro ao gravar nota de entrada") -> str:
    """A ticket opened through the help desk (as the dialog does); the service posts it to the group."""
    ticket = desk.open_ticket(contact_id=client.contact_id, subject=subject, module="Fiscal",
                              criticality="MEDIA", description="O sistema mostra 'falha ao gravar'.",
                              origin_platform="telegram", origin_chat=str(client.user_id))
    client.ticket = ticket.number
    return ticket.number


_FAQ: list[str] = []


def faq_questions() -> list[str]:
    """Questions of the shipped FAQ that the bot answers with exactly one message (with Sim/Não)."""
    if not _FAQ:
        from knowledge_base.decision import Decision
        from knowledge_base.loader import load_knowledge_base
        from knowledge_base.matcher import Matcher

        kb = load_knowledge_base(None)
        matcher = Matcher(kb, "pt-BR")
        for entry in kb.served:
            if entry.pt_br is not None and matcher.ask(entry.pt_br.question).decision is Decision.ANSWER:
                _FAQ.append(entry.pt_br.question)
        assert _FAQ, "the knowledge base answers none of its own questions"
    return list(_FAQ)


class Store:
    """What the service wrote, read straight from its database."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_pre_ping=True)

    def close(self) -> None:
        self.engine.dispose()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def turn_done(self, update_id: int) -> bool:
        """The update is handled and every reply it queued is delivered."""
        if not self.scalar("SELECT count(*) FROM processed_updates WHERE platform = 'telegram' AND update_key = :k",
                           k=str(update_id)):
            return False
        return not self.scalar("SELECT count(*) FROM outbox WHERE idempotency_key LIKE :p AND status <> 'DELIVERED'",
                               p=f"telegram:{update_id}:%")

    def pending(self) -> int:
        return int(self.scalar("SELECT count(*) FROM outbox WHERE status = 'PENDING'"))

    def statuses(self) -> Counter[str]:
        return Counter({row[0]: row[1] for row in self.rows("SELECT status, count(*) FROM outbox GROUP BY status")})

    def reply_texts(self, chat_id: int) -> list[str]:
        """The dialog's replies queued for a chat, oldest first."""
        found = self.rows("SELECT payload FROM outbox WHERE kind = 'reply' AND address = :a ORDER BY id",
                          a=str(chat_id))
        return [row[0]["reply"]["text"] for row in found]

    def client_rows(self, chat_id: int) -> int:
        """Outbox rows that become one message in the client's chat (all but button edits)."""
        return int(self.scalar("SELECT count(*) FROM outbox WHERE audience = 'client' AND address = :a "
                               "AND kind <> 'button_pressed'", a=str(chat_id)))

    def tickets_by_contact(self) -> Counter[int]:
        return Counter({row[0]: row[1] for row in self.rows(
            "SELECT requester_id, count(*) FROM tickets GROUP BY requester_id")})

    def message_count(self, body: str) -> int:
        return int(self.scalar("SELECT count(*) FROM messages WHERE body = :b", b=body))

    def processed(self) -> set[str]:
        return {row[0] for row in self.rows("SELECT update_key FROM processed_updates WHERE platform = 'telegram'")}


async def wait_until(check: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll ``check`` (in a thread) until it is truthy; database outages count as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = await asyncio.to_thread(check)
        except Exception as exc:
            if not is_transient(exc):
                raise
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


# --- the fake, as seen from a load balancer -----------------------------------------------------


class ServiceFake(FakeTelegram):
    """FakeTelegram whose updates the test may also POST to the workers itself."""

    def absorb(self, update: JSON) -> int:
        """Fill in ids and stored messages as ``queue_update`` would, without queueing."""
        with self._changed:
            return self._absorb_update(update)

    def text_update(self, user: int, body: str, name: str | None = None) -> JSON:
        update = u.text_message(user, body, first_name=name)
        self.absorb(update)
        return update

    def group_update(self, user: int, body: str, thread_id: int) -> JSON:
        update = u.group_message(ANALYSTS_CHAT, user, body, first_name="Ana", message_thread_id=thread_id,
                                 is_topic=True)
        self.absorb(update)
        return update

    def newest_with_button(self, chat: int, label: str) -> SentMessage:
        for message in reversed(self.sent_messages(chat)):
            if label in message.button_texts:
                return message
        texts = [m.text for m in self.sent_messages(chat)]
        raise AssertionError(f"no message with a {label!r} button in chat {chat}: {texts}")

    def press_update(self, chat: int, label: str) -> JSON:
        """A press on the newest button ``label`` in a private chat."""
        message = self.newest_with_button(chat, label)
        data = message.button(label)["callback_data"]
        person = self._chats.get(chat)
        update = u.callback_query(chat, data, message=message.to_api(),
                                  first_name=person.first_name if person else None)
        self.absorb(update)
        return update

    def texts(self, chat: int, thread: int | None = None) -> list[str]:
        """Texts of the messages sent to the chat (or topic), as sent: later edits not applied."""
        found = []
        for call in self.calls:
            params = call.params
            if call.method != "sendMessage" or call.status != 200 or str(params.get("chat_id")) != str(chat):
                continue
            if thread is not None and str(params.get("message_thread_id")) != str(thread):
                continue
            found.append(html.unescape(_TAG.sub("", str(params.get("text", "")))))
        return found

    def failed_sends(self) -> int:
        return sum(1 for c in self.calls if c.method == "sendMessage" and c.status >= 500)


async def post_update(session: aiohttp.ClientSession, url: str, update: JSON, timeout: float = 60.0) -> int | None:
    """POST an update to a worker's webhook; its HTTP status, or None when it could not be reached."""
    try:
        async with session.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                                timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError, OSError):
        return None


async def deliver(session: aiohttp.ClientSession, urls: Sequence[str], update: JSON, *,
                  timeout: float = 60.0, rng: random.Random | None = None) -> list[int | None]:
    """POST ``update`` (to a random worker) until one answers 200; returns every status seen."""
    pick = rng or random
    seen: list[int | None] = []
    deadline = time.monotonic() + timeout
    while True:
        status = await post_update(session, pick.choice(list(urls)), update)
        seen.append(status)
        if status == 200:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"update {update['update_id']} never accepted: {seen}")
        await asyncio.sleep(0.2)


# --- the service process -------------------------------------------------------------------


class ServiceProcess:
    """``chamado serve --telegram [--webhook URL]`` in a subprocess, logging to a file."""

    def __init__(self, fake: FakeTelegram, database_url: str, workdir: Path, *, name: str = "svc",
                 webhook: bool | str = False, port: int | None = None, **settings: Any) -> None:
        self.fake = fake
        self.port = port or free_port()
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.name = name
        self.env = {
            **clean_env(),
            "DATABASE_URL": database_url,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.url,
            "TELEGRAM_ANALYSTS_CHAT_ID": str(ANALYSTS_CHAT),
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_RATE_LIMIT": "false",
            "ANALYST_DESKS": "telegram",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "FLOOD_MAX_MESSAGES": "1000",
            "OUTBOX_BASE_BACKOFF": "0.2",
            "OUTBOX_MAX_BACKOFF": "1",
            "LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
            **{k.upper(): str(v) for k, v in settings.items()},
        }
        self.args = [CHAMADO, "serve", "--telegram"]
        if webhook:
            self.args += ["--webhook", webhook if isinstance(webhook, str) else self.webhook_url]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/telegram/webhook"

    def start(self) -> ServiceProcess:
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {self.args}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.args, cwd=self.workdir, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT)
        return self

    def health(self) -> int | None:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except (urllib.error.URLError, OSError):
            return None

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.health() != 200:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not healthy after {timeout}s:\n{self.log()}")
            time.sleep(0.05)

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} still running after {timeout}s:\n{self.log()}") from None

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, and the exit code (within ``timeout``)."""
        self.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def log(self, tail: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-tail:])


# --- a throwaway PostgreSQL cluster -----------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    """A PostgreSQL cluster of its own (initdb in a temporary directory), to stop and start at will.

    initdb refuses to run as root, so the server runs as the ``postgres`` OS user.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.port = free_port()
        self.logfile = base / "postgres.log"

    @staticmethod
    def missing() -> str | None:
        """Why a cluster cannot be made here (None when it can)."""
        for tool in ("initdb", "pg_ctl"):
            if not (PG_BIN / tool).exists():
                return f"{PG_BIN / tool} not found"
        if os.geteuid() == 0:
            import pwd

            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "no postgres OS user to run the server as"
            if not Path("/usr/sbin/runuser").exists() and not Path("/sbin/runuser").exists():
                return "runuser not found"
        return None

    def _as_postgres(self, *args: str, timeout: float = 60.0) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    def create(self) -> Cluster:
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam("postgres")
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8", "--locale=C")
        self.start()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.logfile),
                          "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.stop("immediate")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
