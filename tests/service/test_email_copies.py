"""E-mail copies through a real SMTP server on loopback (aiosmtpd), plain and STARTTLS."""

from __future__ import annotations

import asyncio
import email
import ssl
import subprocess
from collections.abc import Iterator
from email.message import Message as EmailMsg
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.email import EmailDeliverer, SmtpConfig
from chamado.app import build_dispatcher
from core.desk import HelpDesk
from core.outbox import OutboxDispatcher
from core.store.orm import OutboxMessage


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMsg] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def mailing_desk(desk: HelpDesk) -> HelpDesk:
    from chamado.demo import load_demo

    desk.email_copies = True
    load_demo(desk)
    return desk


def deliver(dispatcher: OutboxDispatcher) -> None:
    asyncio.run(dispatcher.drain())


def open_and_answer(desk: HelpDesk) -> str:
    paula = desk.contact_by_email("paula@prata.example").id
    number = desk.open_ticket(contact_id=paula, subject="NF-e rejeitada", module="Fiscal", criticality="ALTA",
                              origin_platform="console", origin_chat="paula").number
    desk.analyst_reply(number, desk.analyst_by_email("ana@suporte.example").id, "Confira o CFOP <5102> & reenvie")
    return number


def test_analyst_reply_and_closing_are_copied_by_email(desk: HelpDesk, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    desk = mailing_desk(desk)
    config = SmtpConfig("127.0.0.1", controller.port, None, None, "none",
                        "Suporte <suporte@example.com>")
    dispatcher = build_dispatcher(desk, {"email": EmailDeliverer(desk, config)})
    number = open_and_answer(desk)
    desk.accept_solution(number, desk.contact_by_email("paula@prata.example").id)
    deliver(dispatcher)
    assert len(inbox.messages) == 2
    reply, closed = inbox.messages
    assert number in reply["Subject"] and reply["To"] == "paula@prata.example"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in reply.walk() if not p.is_multipart()}
    assert "Confira o CFOP <5102> & reenvie" in parts["text/plain"]
    assert "Confira o CFOP &lt;5102&gt; &amp; reenvie" in parts["text/html"]
    assert "escreva no chat" in parts["text/plain"]
    assert "Fechado" in closed["Subject"]


def test_organization_can_opt_out_of_email_copies(desk: HelpDesk) -> None:
    desk = mailing_desk(desk)
    desk.update_organization("prata", email_copies=False)
    open_and_answer(desk)
    with desk.db.session() as s:
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.platform == "email")).all() == []


def test_smtp_down_delays_the_copy_without_losing_it(desk: HelpDesk, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    desk = mailing_desk(desk)
    dead = SmtpConfig("127.0.0.1", 1, None, None, "none", "s@example.com", timeout=2)
    dispatcher = build_dispatcher(desk, {"email": EmailDeliverer(desk, dead)})
    open_and_answer(desk)
    deliver(dispatcher)
    with desk.db.session() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.platform == "email")).one()
        assert (row.status, row.attempts) == ("PENDING", 1)
    with desk.db.session() as s:  # make it due again now
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.platform == "email")).one()
        row.next_attempt_at = row.created_at
        s.commit()
    live = SmtpConfig("127.0.0.1", controller.port, None, None, "none", "s@example.com")
    deliver(build_dispatcher(desk, {"email": EmailDeliverer(desk, live)}))
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_starttls_with_login(desk: HelpDesk, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(str(cert), str(key))
    inbox = Inbox()
    logins: list[bytes] = []

    def authenticator(server: object, session: object, envelope: object, mechanism: str, auth_data: object) -> object:
        from aiosmtpd.smtp import AuthResult

        logins.append(auth_data.login)  # type: ignore[attr-defined]
        return AuthResult(success=auth_data.password == b"s3nha")  # type: ignore[attr-defined]

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_ctx,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        port = controller.port
        config = SmtpConfig("127.0.0.1", port, "suporte", "s3nha", "starttls", "s@example.com",
                            tls_context=client_ctx)
        desk = mailing_desk(desk)
        dispatcher = build_dispatcher(desk, {"email": EmailDeliverer(desk, config)})
        open_and_answer(desk)
        deliver(dispatcher)
    finally:
        controller.stop()
    assert logins == [b"suporte"]
    assert len(inbox.messages) == 1


def test_smtp_url_forms() -> None:
    assert SmtpConfig.from_url("smtp://u:p%40ss@mail.example.com", "s").port == 587
    tls = SmtpConfig.from_url("smtps://mail.example.com", "s")
    assert (tls.security, tls.port) == ("tls", 465)
    assert SmtpConfig.from_url("smtp://u:p%40ss@mail.example.com", "s").password == "p@ss"
    with pytest.raises(ValueError):
        SmtpConfig.from_url("http://mail.example.com", "s")
