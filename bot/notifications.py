"""Turns outbox items into what people read, platform-neutral.

Client side: an outbox item (a dialog reply, an analyst's answer, a status
notice) becomes a ``Reply`` in the client's language. Analyst side: a ticket
event becomes a ``DeskNotice`` (title, ticket summary, body) that each desk
adapter lays out its own way (Telegram HTML, Slack Block Kit, the console).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.dialog import resolution_buttons
from bot.messages import Reply
from bot.texts import t
from core import model
from core.desk import HelpDesk
from core.model import Attachment
from core.outbox import OutboxItem
from core.store.orm import ChatIdentity, Conversation, Message, Ticket
from core.views import TicketView

_SP = ZoneInfo("America/Sao_Paulo")


def client_locale(desk: HelpDesk, platform: str, chat: str | None) -> str:
    with desk.db.session() as session:
        conv = session.scalar(select(Conversation).where(
            Conversation.platform == platform, Conversation.chat_id == chat))
        if conv is not None and conv.locale:
            return conv.locale
        if conv is not None:
            ident = session.scalar(select(ChatIdentity).where(
                ChatIdentity.platform == platform, ChatIdentity.external_id == conv.user_id))
            if ident is not None and ident.locale:
                return ident.locale
    return "pt-BR"


def _message(desk: HelpDesk, message_id: Any) -> Message | None:
    if message_id is None:
        return None
    with desk.db.session() as session:
        row = session.get(Message, int(message_id))
        if row is not None:
            _ = row.analyst, row.contact  # load before the session closes
        return row


def _ticket(desk: HelpDesk, number: str) -> TicketView:
    with desk.db.session() as session:
        row = session.scalar(select(Ticket).where(Ticket.number == number))
        assert row is not None
        return TicketView.of(row)


def client_reply(desk: HelpDesk, item: OutboxItem) -> Reply | None:
    """The ``Reply`` a client gets for an outbox item (None: nothing to show)."""
    payload = item.payload
    if item.kind == "reply":
        return Reply.from_dict(payload["reply"])
    locale = client_locale(desk, item.platform, item.address)
    number = str(payload.get("number", ""))
    if item.kind == "analyst_reply":
        message = _message(desk, payload.get("message_id"))
        if message is None or message.visibility != "PUBLIC":
            return None
        name = message.analyst.name.split()[0] if message.analyst else t("analyst", locale)
        text = t("notify.analyst_reply", locale, number=number, name=name, body=message.body)
        attachments = tuple(Attachment(**a) for a in (message.attachments or []))
        return Reply(text, resolution_buttons(number, locale), attachments)
    if item.kind == "escalated":
        return Reply(t("notify.escalated", locale, number=number))
    if item.kind == "closed_by_analyst":
        from bot.dialog import rating_buttons

        return Reply(t("notify.closed_by_analyst", locale, number=number),
                     rating_buttons(number, locale))
    if item.kind == "forwarded":
        return Reply(t("notify.forwarded", locale, number=number, area=payload.get("area", "")))
    if item.kind == "billing_approval":
        from bot.dialog import approval_buttons

        minutes = int(payload.get("minutes", 0))
        hours = f"{minutes // 60}h{minutes % 60:02d}" if minutes % 60 else f"{minutes // 60}h"
        return Reply(t("notify.billing_approval", locale, number=number, hours=hours,
                       reason=payload.get("reason") or "—"), approval_buttons(number, locale))
    if item.kind == "unreachable":
        return None
    text = payload.get("text")
    return Reply(str(text)) if text else None


@dataclass(frozen=True)
class DeskNotice:
    """Something the analysts should see about a ticket."""

    kind: str
    ticket: TicketView
    title: str
    body: str = ""
    attachments: tuple[Attachment, ...] = ()
    mention_ids: tuple[int, ...] = field(default=())
    author: str | None = None


def desk_notice(desk: HelpDesk, item: OutboxItem, locale: str = "pt-BR") -> DeskNotice | None:
    """The analysts' view of an outbox item about a ticket."""
    payload = item.payload
    number = str(payload.get("number", ""))
    if not number:
        return None
    ticket = _ticket(desk, number)
    mentions = tuple(int(i) for i in payload.get("mention_ids", []))
    if item.kind == "ticket_opened":
        return DeskNotice(item.kind, ticket, t("desk.opened", locale, number=number),
                          ticket.description, mention_ids=mentions)
    if item.kind in {"client_message", "analyst_reply"}:
        message = _message(desk, payload.get("message_id"))
        if message is None:
            return None
        author = (message.contact.name if message.contact else
                  message.analyst.name if message.analyst else None)
        key = "desk.client_message" if item.kind == "client_message" else "desk.analyst_reply"
        if message.platform == "web":  # written on the web workspace: the thread says so
            key += "_web"
        return DeskNotice(item.kind, ticket, t(key, locale, number=number, name=author or ""),
                          message.body,
                          tuple(Attachment(**a) for a in (message.attachments or [])),
                          author=author)
    if item.kind == "status_changed":
        status = model.status_label(str(payload.get("status")), locale)
        reason = payload.get("reason")
        key = f"desk.status.{reason}" if reason else "desk.status"
        text = t(key, locale, number=number, status=status, area=payload.get("area", ""),
                 analyst=payload.get("analyst", ""))
        return DeskNotice(item.kind, ticket, text, str(payload.get("body") or ""))
    if item.kind == "ticket_updated":
        change = payload.get("change")
        text = t(f"desk.{change}", locale, number=number, analyst=payload.get("analyst", ""),
                 reason=payload.get("reason", ""))
        return DeskNotice(item.kind, ticket, text, mention_ids=mentions)
    if item.kind == "rated":
        text = t("desk.rated", locale, number=number, score=payload.get("score"))
        return DeskNotice(item.kind, ticket, text, str(payload.get("comment") or ""))
    if item.kind == "sla_alert":
        due = payload.get("due")
        when = ""
        if due:
            from datetime import datetime

            when = datetime.fromisoformat(str(due)).astimezone(_SP).strftime("%d/%m %H:%M")
        key = f"sla.alert.{payload.get('target')}.{payload.get('level')}"
        return DeskNotice(item.kind, ticket, t(key, locale, number=number, when=when), mention_ids=mentions)
    if item.kind in {"billing_requested", "billing_decided"}:
        status = str(payload.get("status", "")).upper()
        key = "desk.billing_requested" if item.kind == "billing_requested" else f"desk.billing_{status.lower()}"
        return DeskNotice(item.kind, ticket, t(key, locale, number=number))
    if item.kind == "relayed":
        return DeskNotice(item.kind, ticket, t("desk.relayed", locale, number=number))
    if item.kind == "unreachable":
        return DeskNotice(item.kind, ticket, t("desk.unreachable", locale, number=number))
    text = payload.get("text")
    if text:
        return DeskNotice(item.kind, ticket, str(text), mention_ids=mentions)
    return None


def ticket_summary(ticket: TicketView, locale: str = "pt-BR") -> list[tuple[str, str]]:
    """Label/value pairs every desk shows on a ticket's card."""
    return [
        (t("field.number", locale), ticket.number),
        (t("field.status", locale), model.status_label(ticket.status, locale)),
        (t("field.organization", locale), f"{ticket.organization_name} ({ticket.plan.title()})"),
        (t("field.requester", locale), f"{ticket.requester_name} <{ticket.requester}>"),
        (t("field.module", locale), ticket.module),
        (t("field.criticality", locale), t(f"criticality.{ticket.criticality}", locale)),
        (t("field.level", locale), ticket.level),
        (t("field.assignee", locale), ticket.assignee_name or t("field.unassigned", locale)),
    ]
