"""Block Kit layouts: the ticket card in the analysts' channel and the client's messages.

Pure functions from read models (``TicketView``, ``Reply``) to Slack's JSON;
every text people wrote is escaped, every block stays within Slack's limits.
Action ids are the contract with the listeners: ``chamado_<verb>`` (value = the
ticket number) on the card, ``dlg:<i>`` (value = ``Button.data``) on client
messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.messages import Reply
from bot.slack.mrkdwn import (
    BUTTON_TEXT_LIMIT,
    FALLBACK_TEXT_LIMIT,
    HEADER_TEXT_LIMIT,
    SECTION_TEXT_LIMIT,
    clip,
    clip_escaped,
    escape,
    escaped_chunks,
    unescape,
)
from bot.slack.texts import FORWARD_AREAS, st
from bot.texts import t
from core import model
from core.model import Attachment, TicketStatus
from core.views import TicketView

Block = dict[str, Any]

CLAIM, ESCALATE, FORWARD, CLOSE = "chamado_claim", "chamado_escalate", "chamado_forward", "chamado_close"
DESK_ACTION = re.compile(r"^chamado_(claim|escalate|forward|close)$")
DIALOG_ACTION = re.compile(r"^dlg:\d+$")
MAX_DESCRIPTION_SECTIONS = 3
MAX_SECTIONS_PER_MESSAGE = 40
_CRITICALITY_MARK = {"CRITICA": "🔴", "ALTA": "🟠", "MEDIA": "🟡", "BAIXA": "🟢"}


def section(mrkdwn: str) -> Block:
    """A section with already-escaped mrkdwn (at most 3000 characters)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:SECTION_TEXT_LIMIT]}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:SECTION_TEXT_LIMIT]}]}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or "…", "emoji": True}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "text": plain(label, BUTTON_TEXT_LIMIT),
                      "value": value}
    if style:
        element["style"] = style
    return element


def attachment_line(attachments: Sequence[Attachment]) -> str:
    """Files stay on the platform they were sent to; other desks and clients see their names."""
    names = [a.name or f"{a.kind} {a.file_id}" for a in attachments]
    if not names:
        return ""
    if len(names) == 1:
        return st("attachment", name=names[0])
    return st("attachments", names=", ".join(names))


# --- the ticket card ------------------------------------------------------------------------


def card_fallback(ticket: TicketView, locale: str = "pt-BR") -> str:
    return clip_escaped(st("card.fallback", number=ticket.number, subject=ticket.subject,
                           status=model.status_label(ticket.status, locale)), FALLBACK_TEXT_LIMIT)


def card_blocks(ticket: TicketView, locale: str = "pt-BR",
                attachments: Sequence[Attachment] = ()) -> list[Block]:
    """The ticket's root message: what it is, where it stands, and what an analyst can do."""
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"{ticket.number} · {ticket.subject}", HEADER_TEXT_LIMIT)},
        {"type": "section", "fields": _fields(ticket, locale)},
    ]
    description = ticket.description.strip() or ticket.subject
    chunks = escaped_chunks(description, SECTION_TEXT_LIMIT - 40)
    for i, chunk in enumerate(chunks[:MAX_DESCRIPTION_SECTIONS]):
        heading = f"*{escape(st('field.description'))}*\n" if i == 0 else ""
        cut = i == MAX_DESCRIPTION_SECTIONS - 1 and len(chunks) > MAX_DESCRIPTION_SECTIONS
        blocks.append(section(heading + chunk + ("…" if cut else "")))
    line = attachment_line(attachments)
    if line:
        blocks.append(context(escape(line)))
    actions = _card_actions(ticket)
    if actions:
        blocks.append({"type": "actions", "block_id": "chamado_actions", "elements": actions})
    elif ticket.status == TicketStatus.CLOSED:
        blocks.append(context(escape(st("card.closed"))))
    return blocks


def _fields(ticket: TicketView, locale: str) -> list[dict[str, str]]:
    criticality = t(f"criticality.{ticket.criticality}", locale)
    pairs = [
        (t("field.organization", locale), ticket.organization_name),
        (st("field.plan"), ticket.plan.title()),
        (t("field.module", locale), ticket.module),
        (t("field.criticality", locale), f"{_CRITICALITY_MARK.get(ticket.criticality, '')} {criticality}".strip()),
        (t("field.requester", locale), f"{ticket.requester_name} ({ticket.requester})"),
        (t("field.status", locale), model.status_label(ticket.status, locale)),
        (t("field.level", locale), ticket.level),
        (t("field.assignee", locale), ticket.assignee_name or t("field.unassigned", locale)),
    ]
    if ticket.forwarded_area:
        pairs.append((st("field.area"), ticket.forwarded_area))
    return [{"type": "mrkdwn", "text": f"*{escape(label)}*\n{clip_escaped(value, 1900)}"}
            for label, value in pairs]


def _card_actions(ticket: TicketView) -> list[Block]:
    number = ticket.number
    if ticket.status in (TicketStatus.OPEN, TicketStatus.ANSWERED):
        elements: list[Block] = []
        if ticket.assignee is None:
            elements.append(button(st("btn.claim"), CLAIM, number, "primary"))
        if ticket.level == model.Level.N1.value:
            elements.append(button(st("btn.escalate"), ESCALATE, number))
        elements.append({
            "type": "static_select", "action_id": FORWARD,
            "placeholder": plain(st("btn.forward"), BUTTON_TEXT_LIMIT),
            "options": [{"text": plain(area, BUTTON_TEXT_LIMIT), "value": f"{number}|{area}"}
                        for area in FORWARD_AREAS],
        })
        elements.append(_close_button(number))
        return elements
    if ticket.status == TicketStatus.FORWARDED:
        return [_close_button(number)]
    return []


def _close_button(number: str) -> Block:
    element = button(st("btn.close"), CLOSE, number, "danger")
    element["confirm"] = {
        "title": plain(st("confirm.close.title"), 100),
        "text": {"type": "plain_text", "text": st("confirm.close.text")},
        "confirm": plain(st("confirm.yes"), 30),
        "deny": plain(st("confirm.no"), 30),
        "style": "danger",
    }
    return element


def card_signature(ticket: TicketView) -> tuple[str, str | None, str, str | None]:
    """What the card shows that can change: when it is equal, the card needs no update."""
    return (ticket.status, ticket.assignee, ticket.level, ticket.forwarded_area)


# --- client messages -----------------------------------------------------------------------


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage: fallback text (notifications) and blocks."""

    text: str
    blocks: list[Block]


def reply_messages(reply: Reply) -> list[SlackMessage]:
    """A ``Reply`` as one message (more if the text is very long); buttons go on the last one."""
    text = reply.text.strip()
    line = attachment_line(reply.attachments)
    if line:
        text = f"{text}\n\n{line}" if text else line
    chunks = escaped_chunks(text) or ["…"]
    groups = [chunks[i:i + MAX_SECTIONS_PER_MESSAGE] for i in range(0, len(chunks), MAX_SECTIONS_PER_MESSAGE)]
    messages = [SlackMessage(clip_escaped(text, FALLBACK_TEXT_LIMIT) if n == 0 else group[0][:FALLBACK_TEXT_LIMIT],
                             [section(c) for c in group])
                for n, group in enumerate(groups)]
    if reply.buttons:
        messages[-1].blocks.extend(_dialog_actions(reply))
    return messages


def _dialog_actions(reply: Reply) -> list[Block]:
    blocks: list[Block] = []
    counter = 0
    for row_index, row in enumerate(reply.buttons):
        elements = []
        for b in row:
            elements.append(button(b.label, f"dlg:{counter}", b.data))
            counter += 1
        if elements:
            blocks.append({"type": "actions", "block_id": f"dlg_row{row_index}", "elements": elements[:25]})
    return blocks


def pressed_message(original: str | None, choice: str) -> SlackMessage:
    """A client message after a button press: the same text, the choice, no buttons."""
    mark = f"✅ *{escape(clip(choice, 200))}*"
    blocks = [section(c) for c in escaped_chunks(original or "")[:MAX_SECTIONS_PER_MESSAGE]]
    blocks.append(context(mark))
    fallback = clip_escaped(original, FALLBACK_TEXT_LIMIT) if original else mark
    return SlackMessage(fallback, blocks)


def message_text(message: dict[str, Any]) -> str:
    """The plain text of one of our client messages, read back from its blocks (or its text)."""
    parts = [str(b.get("text", {}).get("text", "")) for b in message.get("blocks") or []
             if b.get("type") == "section" and isinstance(b.get("text"), dict)]
    if parts:
        return unescape("\n".join(parts))
    return unescape(str(message.get("text") or ""))
