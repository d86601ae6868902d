"""Reading what Slack sends: which message events people wrote, their files, the value of an action."""

from __future__ import annotations

import re
from typing import Any

from bot.slack.mrkdwn import to_plain
from bot.slack.users import Users
from core.model import Attachment

PLATFORM = "slack"

# Subtypes that are still a person writing; every other one (message_changed, message_deleted,
# bot_message, channel_join...) is Slack telling us about something else.
HUMAN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def is_human_message(event: dict[str, Any]) -> bool:
    return (event.get("subtype") in HUMAN_SUBTYPES and not event.get("bot_id")
            and bool(event.get("user")) and bool(event.get("channel")))


def is_thread_reply(event: dict[str, Any]) -> bool:
    thread_ts = event.get("thread_ts")
    return bool(thread_ts) and thread_ts != event.get("ts")


def _kind(mimetype: str) -> str:
    major = mimetype.split("/", 1)[0]
    return {"image": "photo", "video": "video", "audio": "audio"}.get(major, "document")


def attachments_of(event: dict[str, Any]) -> tuple[Attachment, ...]:
    """The files of a ``file_share`` message as attachments (metadata only; files stay on Slack)."""
    found = []
    for f in event.get("files") or []:
        if not isinstance(f, dict) or not f.get("id"):
            continue
        mimetype = str(f.get("mimetype") or "application/octet-stream")
        size = f.get("size")
        found.append(Attachment(kind=_kind(mimetype), file_id=str(f["id"]), name=f.get("name") or f.get("title"),
                                mime_type=mimetype, size=int(size) if isinstance(size, int) else None,
                                platform=PLATFORM))
    return tuple(found)


async def plain_text(event: dict[str, Any], users: Users) -> str:
    """The message as plain text, with ``<@U123>`` mentions turned into names."""
    raw = str(event.get("text") or "")
    names = {}
    for user_id in set(_MENTION.findall(raw)):
        profile = await users.profile(user_id)
        names[user_id] = profile.display_name or user_id
    return to_plain(raw, names).strip()


def action_value(action: dict[str, Any]) -> str:
    """A button's value, or the value of the option picked in a select."""
    selected = action.get("selected_option")
    if isinstance(selected, dict) and selected.get("value") is not None:
        return str(selected["value"])
    return str(action.get("value") or "")


def action_channel(body: dict[str, Any]) -> str:
    container = body.get("container") or {}
    channel = body.get("channel") or {}
    return str(container.get("channel_id") or channel.get("id") or "")
