"""Shared request validation of the fake Telegram: Bot API errors and typed parameters.

`BotApiError` (with `bad_request`/`forbidden` and the fixed error descriptions),
`_decode_value` (form/query strings to the types Telegram expects), `_Params`
(typed access that fails the way the Bot API does) and `_check_text_length`.
Every API area validates its requests with these.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .records import JSON

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLLING_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class BotApiError(Exception):
    """An error answer of the Bot API: HTTP status, description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {description}")


_INT_FIELDS = frozenset(
    {"message_id", "message_thread_id", "reply_to_message_id", "offset", "limit", "user_id",
     "icon_color", "cache_time", "max_connections", "duration", "width", "height", "length",
     "from_chat_id"}
)
_FLOAT_FIELDS = frozenset({"timeout"})
_BOOL_FIELDS = frozenset(
    {"disable_notification", "protect_content", "show_alert", "drop_pending_updates", "is_big",
     "allow_sending_without_reply", "has_spoiler", "disable_web_page_preview",
     "disable_content_type_detection", "show_caption_above_media", "allow_paid_broadcast",
     "supports_streaming", "remove_caption"}
)
_JSON_FIELDS = frozenset(
    {"reply_markup", "reply_parameters", "allowed_updates", "reaction", "commands", "scope",
     "entities", "caption_entities", "link_preview_options"}
)


def _decode_value(name: str, value: Any) -> Any:
    """Best-effort decoding of a form/JSON value into the type Telegram expects."""
    if isinstance(value, str):
        if name in _JSON_FIELDS:
            try:
                return json.loads(value)
            except ValueError:
                return value
        if name in _INT_FIELDS and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        if name in _FLOAT_FIELDS and re.fullmatch(r"-?\d+(\.\d*)?", value.strip()):
            number = float(value)
            return int(number) if number.is_integer() else number
        if name in _BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if name == "chat_id" and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
    return value


class _Params:
    """Typed access to one request's parameters, failing like the Bot API does."""

    def __init__(self, values: JSON) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def required(self, name: str) -> Any:
        if not self.has(name):
            if name == "chat_id":
                raise bad_request("chat_id is empty")
            raise bad_request(f'parameter "{name}" is required')
        return self.values[name]

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.required(name) if required else self.values.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, (dict, list)):
            raise bad_request(f'field "{name}" must be of type String')
        return str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.required(name) if required else self.values.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise bad_request(f'field "{name}" must be of type Integer')
        return value

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad_request(f'field "{name}" must be of type Number')
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if value in (None, ""):
            return False
        if not isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Boolean')
        return value

    def obj(self, name: str, *, required: bool = False) -> Any:
        value = self.required(name) if required else self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object")
        return value


def _check_text_length(text: str | None, limit: int, empty: str | None, too_long: str) -> None:
    text = text or ""
    if empty is not None and not text.strip():
        raise bad_request(empty)
    if len(text) > limit:
        raise bad_request(too_long)
