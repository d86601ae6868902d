"""Requests as Slack sends them to a Bolt app: exact bodies of events, interactions, commands.

Builders return the raw body string (JSON for Events API callbacks, form-encoded for
interactions and slash commands); `signing` signs and posts them the way Slack does::

    body = event_body(message_event("U1", "C1", "como abro um chamado"))
    status, text = post_signed(bot_url, body, SIGNING_SECRET)
    # or: await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed_headers(body, secret)))

``response_url`` defaults to an address on the discard port of 127.0.0.1, so a test
that forgets to pass ``fake.response_url(...)`` fails offline instead of reaching
hooks.slack.com.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "OFFLINE_RESPONSE_URL",
    "app_mention_event",
    "block_actions_body",
    "event_body",
    "message_event",
    "slash_command_body",
    "ssl_check_body",
    "url_verification_body",
    "view_submission_body",
]

DEFAULT_TEAM_ID = "T1"
DEFAULT_APP_ID = "A1"
DEFAULT_BOT_USER_ID = "U0BOT"  # FakeSlack's default bot user
LEGACY_VERIFICATION_TOKEN = "legacy-verification-token"
OFFLINE_RESPONSE_URL = "http://127.0.0.1:9/commands/T1/0/not-a-real-response-url"


def _now_ts() -> str:
    return f"{time.time():.6f}"


def _random_id(prefix: str, n: int = 10) -> str:
    return prefix + uuid.uuid4().hex[:n].upper()


# ------------------------------------------------------------------------ Events API


def message_event(
    user: str,
    channel: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    files: list[Mapping[str, Any]] | None = None,
    *,
    team_id: str = DEFAULT_TEAM_ID,
) -> dict[str, Any]:
    """A ``message`` event (``channel_type`` "channel", "group", "im" or "mpim").

    With ``files`` it is a ``file_share`` message, as Slack sends uploads."""
    ts = ts or _now_ts()
    event: dict[str, Any] = {
        "type": "message",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": ts,
        "team": team_id,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": _random_id("b", 4),
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if files:
        event["subtype"] = "file_share"
        event["files"] = [dict(f) for f in files]
        event["upload"] = False
        event["display_as_bot"] = False
    return event


def app_mention_event(
    user: str,
    channel: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    *,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
    team_id: str = DEFAULT_TEAM_ID,
) -> dict[str, Any]:
    """An ``app_mention`` event; ``<@bot>`` is prefixed to ``text`` if it is missing."""
    mention = f"<@{bot_user_id}>"
    if mention not in text:
        text = f"{mention} {text}"
    ts = ts or _now_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": ts,
        "team": team_id,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def event_body(
    event: Mapping[str, Any],
    event_id: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    *,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
    event_time: int | None = None,
) -> str:
    """The JSON ``event_callback`` envelope Slack POSTs for ``event``."""
    return json.dumps(
        {
            "token": LEGACY_VERIFICATION_TOKEN,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": None,
            "api_app_id": api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or _random_id("Ev"),
            "event_time": event_time or int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }
    )


def url_verification_body(challenge: str) -> str:
    """The handshake Slack sends when the Request URL is saved."""
    return json.dumps({"token": LEGACY_VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"})


def ssl_check_body() -> str:
    """Slack's periodic certificate check for slash-command URLs (form-encoded)."""
    return urlencode({"ssl_check": "1", "token": LEGACY_VERIFICATION_TOKEN})


# ------------------------------------------------------------------------ interactivity


def _find_element(blocks: list[Mapping[str, Any]], action_id: str) -> tuple[str, dict[str, Any]] | None:
    for i, block in enumerate(blocks):
        elements = list(block.get("elements") or []) if block.get("type") in ("actions", "input") else []
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            elements.append(block["element"])
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for el in elements:
            if isinstance(el, dict) and el.get("action_id") == action_id:
                return str(block.get("block_id") or f"blk{i}"), dict(el)
    return None


def block_actions_body(
    user_id: str,
    action_id: str,
    value: str | None = None,
    channel_id: str | None = None,
    message_ts: str | None = None,
    message: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    *,
    response_url: str = OFFLINE_RESPONSE_URL,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    user_name: str | None = None,
    channel_name: str = "",
    is_ephemeral: bool = False,
) -> str:
    """``payload=<json>`` of a ``block_actions`` interaction: ``user_id`` clicked the
    element ``action_id`` of ``message`` (a dict as Slack shows it, e.g.
    ``fake.message(ch, ts).to_dict()``).

    The element must exist in the message's blocks, as only real buttons can be clicked;
    its ``block_id``, ``text`` and (unless ``value`` is given) ``value`` are copied."""
    message = dict(message or {})
    message_ts = message_ts or message.get("ts")
    if not message_ts:
        raise ValueError("block_actions_body needs message_ts (or a message with ts)")
    if not channel_id:
        raise ValueError("block_actions_body needs channel_id")
    found = _find_element(message.get("blocks") or [], action_id)
    if found is None:
        raise ValueError(f"no element with action_id {action_id!r} in the message blocks")
    block_id, element = found
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": element.get("type", "button"),
        "action_ts": _now_ts(),
    }
    if "text" in element:
        action["text"] = element["text"]
    if value is not None or element.get("value") is not None:
        action["value"] = value if value is not None else element.get("value")
    if element.get("style"):
        action["style"] = element["style"]
    name = user_name or user_id.lower()
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": name, "name": name, "team_id": team_id},
        "api_app_id": api_app_id,
        "token": LEGACY_VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        },
        "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}",
        "team": {"id": team_id, "domain": "chamado-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_name or channel_id},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if not is_ephemeral:
        payload["message"] = {**message, "ts": message_ts}
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(
    user_id: str,
    callback_id: str,
    values: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    private_metadata: str = "",
    view_id: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    trigger_id: str | None = None,
) -> str:
    """``payload=<json>`` of a ``view_submission``; ``values`` is the
    ``state.values`` mapping ``{block_id: {action_id: {"type": ..., "value": ...}}}``."""
    view_id = view_id or _random_id("V")
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "chamado-test"},
        "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id},
        "api_app_id": api_app_id,
        "token": LEGACY_VERIFICATION_TOKEN,
        "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().hex}",
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "blocks": [],
            "state": {"values": {k: {a: dict(v) for a, v in d.items()} for k, d in values.items()}},
            "hash": uuid.uuid4().hex[:20],
            "app_id": api_app_id,
            "bot_id": "B0BOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)})


def slash_command_body(
    command: str = "/chamado",
    text: str = "fila",
    user_id: str = "U1",
    channel_id: str = "C1",
    response_url: str = OFFLINE_RESPONSE_URL,
    *,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    user_name: str | None = None,
    channel_name: str | None = None,
    trigger_id: str | None = None,
) -> str:
    """The form-encoded body of a slash command invocation."""
    return urlencode(
        {
            "token": LEGACY_VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": "chamado-test",
            "channel_id": channel_id,
            "channel_name": channel_name or ("directmessage" if channel_id.startswith("D") else channel_id),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().hex}",
        }
    )
