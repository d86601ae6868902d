"""The door of ``POST /slack/events``: what a request must be before Bolt sees it.

In order, each refusal a status with no body and one WARNING line (the reason
is a fixed word, never the body):

1. the method is POST (405), the body at most ``MAX_BODY_BYTES`` (413);
2. the signature verifies on the raw bytes (slack_sdk's ``SignatureVerifier``:
   HMAC-SHA256, constant-time comparison, timestamp within five minutes) (401):
   nothing is parsed before that;
3. the content type is JSON or a form (415), the body UTF-8 and parseable the
   way Bolt parses it, into an object (400);
4. it is a request this app answers, with the fields its listeners read, of the
   right types (400 when a field is missing or mistyped, 404 for an event,
   interaction or command the app does not handle).

Only then is the Bolt request built (Bolt verifies the signature once more).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot.dialog import COMMANDS
from bot.doors import Refused, read_bounded, require_post

MAX_BODY_BYTES = 512 * 1024  # Slack's payloads (a block_actions with its message) stay far below
CONTENT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
HANDLED_EVENTS = frozenset({"message"})
HANDLED_INTERACTIONS = frozenset({"block_actions"})
# Top-level fields Bolt reads (context, self-event filter) before any listener: their types.
BOLT_READS: dict[str, type | tuple[type, ...]] = {
    "event": dict, "authorizations": list, "user": (dict, str), "team": (dict, str), "enterprise": (dict, str),
    "channel": (dict, str), "view": dict, "message": dict, "container": dict, "item": dict,
    "previous_message": dict, "assistant_thread": dict, "function_data": dict,
}
ANALYST_COMMAND = "/chamado"
# The dialog's commands, as Slack slash commands for clients (Slack's own /status wins over ours,
# so a client types " /status" with a leading space in the DM, or "/chamado status").
CLIENT_COMMAND = re.compile(r"^/(" + "|".join(sorted(COMMANDS)) + r")$")


async def read_verified(request: web.Request, signing_secret: str) -> tuple[str, dict[str, Any]]:
    """The raw body and its parsed object, once the request passed every check; else ``Refused`` (``bot.doors``)."""
    require_post(request)
    raw = await read_bounded(request, MAX_BODY_BYTES)
    if not _signed(raw, request.headers, signing_secret):
        raise Refused(401, "signature")
    content_type = request.content_type
    if content_type not in CONTENT_TYPES:
        raise Refused(415, "content type")
    try:
        text = raw.decode("utf-8")
        body = parse_body(text, content_type)
    except (UnicodeDecodeError, ValueError):  # json.JSONDecodeError is a ValueError
        raise Refused(400, "malformed") from None
    if not isinstance(body, dict):
        raise Refused(400, "malformed")
    check_shape(body)
    return text, body


def _signed(raw: bytes, headers: Any, secret: str) -> bool:
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not secret or not timestamp or not signature or not re.fullmatch(r"\d{1,12}", timestamp):
        return False
    return SignatureVerifier(secret).is_valid(body=raw, timestamp=timestamp, signature=signature)


def check_shape(body: dict[str, Any]) -> None:
    """Refuse (400/404) a body the listeners, or Bolt's own middleware, could not read."""
    for key, kinds in BOLT_READS.items():
        _need(body, key, kinds, optional=True)  # Slack sends some as null ("enterprise": null)
    if not all(isinstance(a, dict) for a in body.get("authorizations") or []):
        raise Refused(400, "field authorizations")
    if "command" in body:
        _command(body)
        return
    kind = body.get("type")
    if not isinstance(kind, str):
        raise Refused(400, "no type")
    if kind == "url_verification":
        _need(body, "challenge", str)
    elif kind == "event_callback":
        _event(body)
    elif kind in HANDLED_INTERACTIONS:
        _block_actions(body)
    else:
        raise Refused(404, "unhandled type")


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Refused(400, f"field {key}")
    return value


def _command(body: dict[str, Any]) -> None:
    command = _need(body, "command", str)
    if command != ANALYST_COMMAND and not CLIENT_COMMAND.match(command):
        raise Refused(404, "unhandled command")
    for key in ("user_id", "channel_id", "text", "response_url", "trigger_id"):
        _need(body, key, str, optional=key not in ("user_id", "response_url"))


def _event(body: dict[str, Any]) -> None:
    _need(body, "event_id", str, optional=True)
    event = _need(body, "event", dict)
    if _need(event, "type", str) not in HANDLED_EVENTS:
        raise Refused(404, "unhandled event")
    _need(event, "ts", str)
    for key in ("user", "channel", "thread_ts", "text", "subtype", "channel_type", "bot_id"):
        _need(event, key, str, optional=True)
    files = _need(event, "files", list, optional=True) or []
    if not all(isinstance(f, dict) for f in files):
        raise Refused(400, "field files")
    for f in files:
        for key in ("id", "name", "title", "mimetype"):
            _need(f, key, str, optional=True)


def _block_actions(body: dict[str, Any]) -> None:
    user = _need(body, "user", dict)
    _need(user, "id", str)
    actions = _need(body, "actions", list)
    if not actions or not all(isinstance(a, dict) for a in actions):
        raise Refused(400, "field actions")
    action = actions[0]
    for key in ("action_id", "value", "action_ts", "block_id"):
        _need(action, key, str, optional=key != "action_id")
    selected = _need(action, "selected_option", dict, optional=True)
    if selected is not None:
        _need(selected, "value", str)
    for key in ("container", "channel", "message"):
        _need(body, key, dict, optional=True)
    for key in ("trigger_id", "response_url"):
        _need(body, key, str, optional=True)
    container = body.get("container") or {}
    for key in ("channel_id", "message_ts", "thread_ts"):
        _need(container, key, str, optional=True)
    _need(body.get("channel") or {}, "id", str, optional=True)
