"""E-mail copies of analyst replies and closings (SMTP with STARTTLS or TLS, aiosmtplib).

The seeds: when the analyst answers, the requester is notified by e-mail too,
but replies go through the official channel (the chat), never by e-mail. Each
message has a plain-text and an HTML part, the ticket number in the subject
and a footer saying to answer in the chat.
"""

from __future__ import annotations

import html
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlparse

import aiosmtplib

from bot.texts import t
from core.desk import HelpDesk
from core.model import Actor
from core.outbox import OutboxItem, RetryLater, Undeliverable
from core.store.orm import Message


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None
    security: str  # "starttls", "tls" or "none"
    sender: str
    timeout: float = 20.0
    tls_context: ssl.SSLContext | None = None

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpConfig:
        """``smtp://user:pass@host:587`` (STARTTLS), ``smtps://...:465`` (TLS), ``smtp+plain://`` (none)."""
        parsed = urlparse(url)
        scheme = parsed.scheme.lower()
        if scheme not in {"smtp", "smtps", "smtp+plain"} or not parsed.hostname:
            raise ValueError(f"SMTP_URL inválida: {url.split('@')[-1]}")
        security = {"smtp": "starttls", "smtps": "tls", "smtp+plain": "none"}[scheme]
        port = parsed.port or (465 if security == "tls" else 587)
        return cls(parsed.hostname, port, unquote(parsed.username) if parsed.username else None,
                   unquote(parsed.password) if parsed.password else None, security, sender)


def build_email(desk: HelpDesk, item: OutboxItem, sender: str, locale: str = "pt-BR",
                ticket_link: Callable[[str], str | None] | None = None) -> EmailMessage:
    number = str(item.payload.get("number", ""))
    ticket = desk.get_ticket(number, Actor.system(), with_messages=False)
    if item.kind == "email_analyst_reply":
        with desk.db.session() as session:
            row = session.get(Message, int(item.payload["message_id"]))
            if row is None or row.visibility != "PUBLIC":
                raise Undeliverable("message not public")
            body = row.body
            analyst = row.analyst.name if row.analyst else t("analyst", locale)
        subject = t("email.reply.subject", locale, number=number, subject=ticket.subject)
        intro = t("email.reply.intro", locale, name=ticket.requester_name, analyst=analyst, number=number)
    else:
        body = ""
        subject = t("email.closed.subject", locale, number=number, subject=ticket.subject)
        intro = t("email.closed.intro", locale, name=ticket.requester_name, number=number)
    footer = t("email.footer", locale, number=number)
    link = ticket_link(number) if ticket_link is not None else None
    if link:  # the web workspace is on: the client's page of the ticket
        footer = f"{footer}\n{t('web.chat.ticket_link', locale, url=link)}"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ticket.requester
    message["Message-ID"] = make_msgid(idstring=item.key.replace(":", "."), domain="chamado")
    message["X-Chamado-Ticket"] = number
    text = "\n\n".join(part for part in (intro, body, footer) if part)
    message.set_content(text)
    quoted = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p)
    message.add_alternative(
        f"<html><body><p>{html.escape(intro)}</p>"
        f"<blockquote>{quoted}</blockquote>"
        f"<hr><p><small>{html.escape(footer)}</small></p></body></html>",
        subtype="html",
    )
    return message


class EmailDeliverer:
    """Sends outbox rows of platform "email" through SMTP."""

    def __init__(self, desk: HelpDesk, config: SmtpConfig,
                 ticket_link: Callable[[str], str | None] | None = None) -> None:
        self.desk = desk
        self.config = config
        self.ticket_link = ticket_link

    async def deliver(self, item: OutboxItem) -> None:
        message = build_email(self.desk, item, self.config.sender, ticket_link=self.ticket_link)
        cfg = self.config
        try:
            await aiosmtplib.send(
                message, hostname=cfg.host, port=cfg.port, username=cfg.user, password=cfg.password,
                use_tls=cfg.security == "tls", start_tls=cfg.security == "starttls" if cfg.security != "tls" else None,
                timeout=cfg.timeout, tls_context=cfg.tls_context,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise Undeliverable(f"recipient refused: {exc}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise RetryLater(f"smtp: {type(exc).__name__}: {exc}"[:300]) from None
