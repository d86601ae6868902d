"""A fake Telegram Bot API server: validates requests the way Telegram does and records them.

`FakeTelegram` is a real HTTP server (aiohttp) running on 127.0.0.1, port 0, in a
background thread with its own event loop.  Point python-telegram-bot at it with
``ApplicationBuilder().token(fake.token).base_url(fake.base_url)
.base_file_url(fake.base_file_url)``; the bot under test may live in the test's
event loop, in another thread, or in a subprocess.

What "behaves" means here:

* required parameters and their types are checked and answered with Telegram's
  own error descriptions (``400 Bad Request: ...``, ``403 Forbidden: ...``);
* HTML captions and texts are parsed with a port of TDLib's HTML parser
  (stricter about a bare ``&``, see ``strict_html``), lengths are measured on
  the text without tags, inline keyboards are checked (``BUTTON_DATA_INVALID``);
* messages get per-chat ``message_id``s, replies carry ``reply_to_message``,
  messages in forum topics carry ``message_thread_id``/``is_topic_message``;
* ``getUpdates`` long-polls, confirms by ``offset`` and answers ``409`` while a
  webhook is set; with a webhook, queued updates are POSTed to it;
* a callback query can be answered once; editing with identical content fails
  with "message is not modified"; editing without ``reply_markup`` removes the
  inline keyboard, like Telegram.

Test-facing controls: chat registry (``add_private_chat``/``add_group``), fault
injection (``fail_next``, ``rate_limit_next``, ``block_user``, ``go_down``/
``come_back``), recordings (``calls``, ``sent_messages``, ``edits``, ...), and
waiting helpers (``wait_for`` for sync code, ``await_for`` for async code).

Deliberate differences from Telegram are listed on `FakeTelegram`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from . import telegram_updates as updates

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_BOT_USERNAME = "chamado_test_bot"

T = TypeVar("T")
JSON = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

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


class FakeTelegramTimeout(AssertionError):
    """`wait_for` ran out of time; the message lists what the fake did receive."""


# --------------------------------------------------------------------------------------------
# Records handed to tests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One Bot API request: ``method, params = call`` unpacks like a pair."""

    method: str
    params: JSON
    status: int = 200
    response: JSON = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.params))


@dataclass(frozen=True)
class UploadedFile:
    """A file the client uploaded in a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (edits applied, ``deleted`` when deleted)."""

    chat_id: int
    message_id: int
    kind: str  # text, photo, document, voice, video, video_note, audio
    text: str | None  # what the user reads (tags removed, entities decoded)
    caption: str | None
    raw_text: str | None  # text or caption exactly as the bot sent it
    parse_mode: str | None
    entities: list[JSON]
    reply_markup: JSON | None  # as sent: inline keyboard, reply keyboard, remove, force reply
    message_thread_id: int | None
    reply_to_message_id: int | None
    file_id: str | None
    method: str
    date: int
    edit_date: int | None = None
    deleted: bool = False
    api: JSON = field(default_factory=dict, repr=False)  # the Message object Telegram returned

    @property
    def buttons(self) -> list[JSON]:
        """Inline buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [str(b.get("text")) for b in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def button(self, text: str) -> JSON:
        for candidate in self.buttons:
            if candidate.get("text") == text:
                return candidate
        raise AssertionError(f"no button {text!r}; buttons are {self.button_texts}")

    def to_api(self) -> JSON:
        """The Message object, e.g. to attach a callback query to it."""
        return copy.deepcopy(self.api)


@dataclass(frozen=True)
class Edit:
    chat_id: int
    message_id: int
    method: str
    text: str | None
    caption: str | None
    reply_markup: JSON | None


@dataclass(frozen=True)
class AnsweredCallback:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class Reaction:
    chat_id: int
    message_id: int
    reaction: list[JSON]
    is_big: bool


@dataclass
class Topic:
    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    is_closed: bool = False
    is_deleted: bool = False


@dataclass(frozen=True)
class WebhookDelivery:
    update_id: int
    status: int | None  # HTTP status the webhook answered, None if it could not be reached
    error: str | None


# --------------------------------------------------------------------------------------------
# HTML parse mode: a port of TDLib's parse_html (td/telegram/MessageEntity.cpp)
# --------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span",
     "code", "pre", "blockquote", "tg-emoji"}
)
_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code", "pre": "pre",
    "a": "text_link", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPACE = " \t\r\n\v\f"
_SURROGATE_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is TDLib's wording."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_html_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the entity starting with '&' at ``i``; the ';' is optional, as in TDLib."""
    n = len(text)
    j = i + 1
    if j < n and text[j] == "#":
        j += 1
        code = 0
        if j < n and text[j] in "xX":
            j += 1
            start = j
            while j < n and text[j] in "0123456789abcdefABCDEF":
                code = code * 16 + int(text[j], 16)
                j += 1
        else:
            start = j
            while j < n and text[j].isascii() and text[j].isdigit():
                code = code * 10 + int(text[j])
                j += 1
        if j == start or code == 0 or code > 0x10FFFF:
            return None
        decoded = chr(code)
    else:
        start = j
        while j < n and text[j].isascii() and text[j].isalpha():
            j += 1
        name = text[start:j]
        if name not in _NAMED_ENTITIES:
            return None
        decoded = _NAMED_ENTITIES[name]
    if j < n and text[j] == ";":
        j += 1
    return decoded, j


def parse_html(html: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (plain text, message entities with UTF-16 offsets).

    Raises `HtmlParseError` with TDLib's messages.  With ``strict`` (the default) a
    '&' that does not start a known entity is an error, as the Bot API documentation
    demands; Telegram itself keeps such an '&' literally (``strict=False``).
    """

    def byte_offset(index: int) -> int:
        return len(html[:index].encode("utf-8", "surrogatepass"))

    n = len(html)
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i = 0
    while i < n:
        char = html[i]
        if char == "&":
            decoded = _decode_html_entity(html, i)
            if decoded is not None:
                if 0xD800 <= ord(decoded[0]) <= 0xDFFF:
                    raise HtmlParseError(_SURROGATE_ERROR)
                out.append(decoded[0])
                utf16 += _utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {byte_offset(i)}: write it as "&amp;"'
                )
        if char != "<":
            out.append(char)
            utf16 += _utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or html[i] != "/":
            tag, argument, i = _parse_start_tag(html, begin, i, byte_offset)
            stack.append(_OpenTag(tag, argument, utf16))
            continue

        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1
        j = i
        while j < n and html[j] not in _HTML_SPACE and html[j] != ">":
            j += 1
        end_tag = html[i:j].lower()
        while j < n and html[j] in _HTML_SPACE:
            j += 1
        if j >= n or html[j] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        opened = stack[-1]
        if end_tag and end_tag != opened.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{end_tag}>"'
            )
        stack.pop()
        if (opened.name == "code" and opened.argument and stack and stack[-1].name == "pre"
                and stack[-1].utf16_offset == opened.utf16_offset):
            stack[-1].argument = opened.argument  # <pre><code class="language-x"> is one entity
        else:
            entity = _entity_for(opened, utf16 - opened.utf16_offset, "".join(out))
            if entity is not None:
                entities.append(entity)
        i = j + 1

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_start_tag(
    html: str, begin: int, i: int, byte_offset: Callable[[int], int]
) -> tuple[str, str, int]:
    """Parse ``<tag attr=value ...>`` from ``i`` (just after '<'); return tag, argument, end."""
    n = len(html)
    j = i
    while j < n and html[j] not in _HTML_SPACE and html[j] != ">":
        j += 1
    if j >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
    tag = html[i:j].lower()
    if tag not in _HTML_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
    i = j
    argument = ""
    unclosed = f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
    while i < n and html[i] != ">":
        while i < n and html[i] in _HTML_SPACE:
            i += 1
        if i >= n:
            raise HtmlParseError(unclosed)
        if html[i] == ">":
            break
        name_begin = i
        while i < n and html[i] not in _HTML_SPACE and html[i] not in "=>":
            i += 1
        name = html[name_begin:i].lower()
        if not name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
            )
        while i < n and html[i] in _HTML_SPACE:
            i += 1
        if i >= n:
            raise HtmlParseError(unclosed)
        if html[i] != "=":
            if tag == "blockquote" and name == "expandable":
                argument = "expandable"
                continue
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {byte_offset(begin)}'
            )
        i += 1
        while i < n and html[i] in _HTML_SPACE:
            i += 1
        if i >= n:
            raise HtmlParseError(unclosed)
        value, i = _parse_attribute_value(html, begin, i, byte_offset)
        if tag == "a" and name == "href":
            argument = value
        elif tag in ("code", "pre") and name == "class" and value.startswith("language-"):
            argument = value.removeprefix("language-")
        elif tag == "span" and name == "class" and value == "tg-spoiler":
            argument = "spoiler"
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
    if tag == "span" and argument != "spoiler":
        raise HtmlParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
        )
    return tag, argument, i + 1


def _parse_attribute_value(
    html: str, begin: int, i: int, byte_offset: Callable[[int], int]
) -> tuple[str, int]:
    n = len(html)
    quote = html[i]
    if quote not in "'\"":
        start = i
        while i < n and ((html[i].isascii() and html[i].isalnum()) or html[i] in ".-"):
            i += 1
        if i == start:
            raise HtmlParseError(f"Unexpected end of name token at byte offset {byte_offset(i)}")
        return html[start:i], i
    i += 1
    chars: list[str] = []
    while i < n and html[i] != quote:
        if html[i] == "&":
            decoded = _decode_html_entity(html, i)
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
                continue
        chars.append(html[i])
        i += 1
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
    return "".join(chars), i + 1


def _entity_for(opened: _OpenTag, length: int, text_so_far: str) -> JSON | None:
    if length <= 0:
        return None
    entity: JSON = {"type": _ENTITY_TYPES[opened.name], "offset": opened.utf16_offset,
                    "length": length}
    if opened.name == "a":
        url = opened.argument or _last_utf16_units(text_so_far, length)
        if not re.match(r"^(https?|tg|ftp)://|^[\w.-]+\.[a-z]{2,}", url, re.IGNORECASE):
            return None  # Telegram silently drops links it cannot parse
        entity["url"] = url if "://" in url else f"http://{url}/"
    elif opened.name == "pre" and opened.argument:
        entity["language"] = opened.argument
    elif opened.name == "tg-emoji":
        entity["custom_emoji_id"] = opened.argument
    elif opened.name == "blockquote" and opened.argument == "expandable":
        entity["type"] = "expandable_blockquote"
    return entity


def _last_utf16_units(text: str, units: int) -> str:
    encoded = text.encode("utf-16-le", "surrogatepass")
    return encoded[len(encoded) - 2 * units:].decode("utf-16-le", "surrogatepass")


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------

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
_MEDIA_KINDS = ("photo", "document", "voice", "video", "video_note", "audio")
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)
_TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
# Bot API: the emoji a bot may react with (ReactionTypeEmoji).
_REACTION_EMOJI = frozenset({
    "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉",
    "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤️\u200d🔥",
    "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋",
    "🖕", "😈", "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨",
    "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉",
    "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂️", "🤷", "🤷\u200d♀️", "😡",
})
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


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


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


@dataclass
class _Chat:
    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_forum: bool = False

    def api(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or ""
            if self.last_name:
                chat["last_name"] = self.last_name
        else:
            chat["title"] = self.title or ""
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass
class _StoredMessage:
    api: JSON
    kind: str
    by_bot: bool
    record: SentMessage | None = None


@dataclass
class _FileRecord:
    kind: str
    file_id: str
    file_unique_id: str
    meta: JSON  # the object Telegram puts in a Message (PhotoSize, Document, ...)
    content: bytes = b""
    file_path: str | None = None


@dataclass
class _QueuedUpdate:
    update: JSON
    delivered: bool = False


@dataclass
class _Fault:
    method: str | None
    remaining: int
    error: BotApiError


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


_Handler = Callable[..., Any]  # (fake, params, token) -> result, sync or async
_METHODS: dict[str, tuple[str, _Handler]] = {}


_H = TypeVar("_H", bound=Callable[..., Any])


def _api(name: str) -> Callable[[_H], _H]:
    """Register a Bot API method (names are case-insensitive, as in Telegram)."""

    def register(handler: _H) -> _H:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


_UNSET: Any = object()


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """A Telegram Bot API server on 127.0.0.1 for tests.

    Known, deliberate differences from Telegram:

    * ``strict_html=True`` rejects a bare '&' in HTML (Telegram keeps it literally,
      although its documentation says it must be escaped).  MarkdownV2 is not parsed.
    * Webhooks may be plain ``http://`` and must point at a loopback address; the fake
      never contacts another host.  A failed delivery stays pending and is retried on
      the next ``queue_update``/``flush_webhook``, not on a timer.
    * Text length is counted in code points; file ids must be known to the fake (sent
      in an incoming update, uploaded by the bot, or added with ``add_file``).
    * A queued update that was never delivered is delivered even if its ``update_id``
      is below the client's ``offset`` - that is what lets a test queue the same update
      twice to simulate Telegram redelivering it.
    * The bot is taken to be an admin everywhere: it may post in closed topics; group
      privacy mode is not simulated (the test decides which updates the bot gets).
    * Callback queries never expire; they can be answered exactly once.
    * ``fail_next``/``rate_limit_next`` without a method spare getUpdates, so a polling
      bot in the background does not swallow the fault meant for its next send.
    """

    def __init__(
        self,
        tokens: tuple[str, ...] | list[str] = (DEFAULT_TOKEN,),
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Chamado",
        strict_html: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        if not tokens:
            raise ValueError("FakeTelegram needs at least one valid token")
        self.tokens = tuple(tokens)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_html = strict_html
        self.host = host

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._async_waiters: set[Callable[[], None]] = set()

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._client: aiohttp.ClientSession | None = None
        self._port = 0
        self._up = False
        self._closing = False
        self._poll_event: asyncio.Event | None = None
        self._poll_generation = 0
        self._pollers = 0
        self._delivery_lock: asyncio.Lock | None = None

        self._ids = itertools.count(1)
        self._reset_world()
        self._reset_recordings()

    def _reset_world(self) -> None:
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._topics: dict[tuple[int, int], Topic] = {}
        self._files: dict[str, _FileRecord] = {}
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._queue: list[_QueuedUpdate] = []
        self._next_update_id = 1
        self._webhook: _Webhook | None = None
        self._commands: dict[tuple[str, str], list[JSON]] = {}

    def _reset_recordings(self) -> None:
        self._calls: list[Call] = []
        self._sent: list[SentMessage] = []
        self._edits: list[Edit] = []
        self._answers: list[AnsweredCallback] = []
        self._reactions: list[Reaction] = []
        self._deliveries: list[WebhookDelivery] = []
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=self._serve_forever, args=(loop,), name="FakeTelegram", daemon=True
        )
        self._thread.start()
        self._run(self._startup())
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        try:
            self._run(self._shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._thread = None
            self._loop = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @staticmethod
    def _serve_forever(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _run(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        """Run a coroutine on the server loop and wait for its result."""
        if self._loop is None:
            raise RuntimeError("FakeTelegram is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)  # type: ignore[arg-type]

    async def _startup(self) -> None:
        self._poll_event = asyncio.Event()
        self._delivery_lock = asyncio.Lock()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        # handler_cancellation: a long poll whose client went away must not linger.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, 0)
        await self._site.start()
        sockets = getattr(self._site._server, "sockets", None)
        assert sockets, "the fake could not listen"
        self._port = int(sockets[0].getsockname()[1])
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._up = True

    async def _shutdown(self) -> None:
        self._closing = True
        self._bump_poll_event()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:  # webhook deliveries still in flight
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._up = False

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def token(self) -> str:
        return self.tokens[0]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends ``{token}/{path}``."""
        return f"{self.url}/file/bot"

    def method_url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}{token or self.token}/{method}"

    def bot_user(self, token: str | None = None) -> JSON:
        token = token or self.token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        return {"id": bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    # -- the world the bot lives in ----------------------------------------------------------

    def add_private_chat(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "pt-br",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """A user who has started the bot: messages to ``user_id`` now succeed."""
        with self._lock:
            chat = _Chat(user_id, "private", first_name=first_name, last_name=last_name,
                         username=username, language_code=language_code)
            self._chats[user_id] = chat
            return chat.api()

    def add_group(
        self, chat_id: int, title: str, is_forum: bool = False, chat_type: str | None = None
    ) -> JSON:
        """A group the bot is a member (and, for forums, a topic-managing admin) of."""
        if chat_type is None:
            chat_type = "supergroup" if is_forum or chat_id <= -1_000_000_000_000 else "group"
        with self._lock:
            chat = _Chat(chat_id, chat_type, title=title, is_forum=is_forum)
            self._chats[chat_id] = chat
            return chat.api()

    def add_topic(self, chat_id: int, name: str, icon_color: int = 7322096) -> Topic:
        """A forum topic that already exists (as if someone created it before the test)."""
        with self._lock:
            chat = self._known_chat(chat_id)
            if not chat.is_forum:
                raise ValueError(f"chat {chat_id} is not a forum")
            return self._create_topic(chat, name, icon_color, None, by_bot=False)

    def add_file(
        self, kind: str, content: bytes = b"", file_id: str | None = None, **meta: Any
    ) -> str:
        """Make a file known (e.g. one a user sent earlier); returns its file_id."""
        with self._lock:
            return self._register_file(kind, file_id, content, meta).file_id

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None = None,
        times: int = 1,
        status: int = 500,
        description: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (any method but getUpdates if None) fail."""
        phrase = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        error = BotApiError(status, description or phrase.get(status, "Internal Server Error"))
        with self._lock:
            self._faults.append(_Fault(method and method.lower(), times, error))

    def rate_limit_next(
        self, method: str | None = None, times: int = 1, retry_after: int = 1
    ) -> None:
        """The next ``times`` calls answer 429 with ``parameters.retry_after``."""
        error = BotApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )
        with self._lock:
            self._faults.append(_Fault(method and method.lower(), times, error))

    def block_user(self, chat_id: int) -> None:
        """Sends to ``chat_id`` now fail with 403 (blocked by the user / bot kicked)."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    @property
    def is_up(self) -> bool:
        return self._up

    def go_down(self) -> None:
        """Close the listening socket and drop open connections: clients get refused."""
        self._run(self._go_down())

    def come_back(self) -> None:
        """Listen again on the same port; pending webhook deliveries are retried."""
        self._run(self._come_back())
        self._schedule_delivery()

    async def _go_down(self) -> None:
        if not self._up or self._site is None or self._runner is None:
            return
        self._up = False
        await self._site.stop()
        server = self._runner.server
        if server is not None:
            for connection in server.connections:
                connection.force_close()

    async def _come_back(self) -> None:
        if self._up or self._runner is None:
            return
        self._site = web.TCPSite(self._runner, self.host, self._port, reuse_address=True)
        await self._site.start()
        self._up = True

    # -- updates -----------------------------------------------------------------------------

    def queue_update(self, update: JSON) -> int:
        """Queue an incoming update for getUpdates, or POST it to the webhook if one is set.

        Fills in what Telegram would (``update_id``, ``message_id``, ``date``, the stored
        version of replied and clicked messages) *in the given dict*, so the test can
        read them back; queueing the same dict again simulates a redelivery.
        """
        with self._changed:
            update_id = self._absorb_update(update)
            self._queue.append(_QueuedUpdate(copy.deepcopy(update)))
            webhook = self._webhook is not None
            self._changed.notify_all()
        self._notify_async_waiters()
        if webhook:
            self._schedule_delivery()
        else:
            self._signal_pollers()
        return update_id

    def click(
        self,
        message: SentMessage | JSON | tuple[int, int],
        button_text: str | None = None,
        *,
        data: str | None = None,
        user_id: int | None = None,
    ) -> int:
        """Press an inline button of a bot message, as a Telegram client would.

        The button must exist on the message *as it is now* and carry callback_data.
        Returns the update_id of the queued callback query.
        """
        chat_id, message_id = _message_address(message)
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            if stored is None:
                raise AssertionError(f"message {message_id} in chat {chat_id} does not exist")
            markup = stored.api.get("reply_markup") or {}
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
            matching = [
                b for b in buttons
                if (button_text is None or b.get("text") == button_text)
                and (data is None or b.get("callback_data") == data)
            ]
            if not matching:
                shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
                raise AssertionError(
                    f"no button text={button_text!r} data={data!r} on message {message_id}; "
                    f"buttons are {shown}"
                )
            if "callback_data" not in matching[0]:
                raise AssertionError(f"button {matching[0]} has no callback_data")
            chat = self._chats.get(chat_id)
            if user_id is None:
                if chat is None or chat.type != "private":
                    raise ValueError("user_id is required to click in a group")
                user_id = chat_id
            person = self._chats.get(user_id)
            update = updates.callback_query(
                user_id,
                matching[0]["callback_data"],
                message=copy.deepcopy(stored.api),
                first_name=person.first_name if person and person.first_name else None,
                language_code=person.language_code if person else "pt-br",
                username=person.username if person else None,
            )
        return self.queue_update(update)

    @property
    def pollers(self) -> int:
        """How many getUpdates requests are waiting right now (the bot is polling if > 0)."""
        return self._pollers

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates the client has not confirmed yet."""
        with self._lock:
            return [copy.deepcopy(q.update) for q in self._queue]

    def _absorb_update(self, update: JSON) -> int:
        if not isinstance(update.get("update_id"), int):
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        for key in ("message", "edited_message", "channel_post", "edited_channel_post",
                    "business_message"):
            if isinstance(update.get(key), dict):
                self._absorb_message(update[key])
        query = update.get("callback_query")
        if isinstance(query, dict):
            query.setdefault("id", str(next(self._ids) * 7919 + 10**15))
            query.setdefault("chat_instance", "-1")
            message = query.get("message")
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                stored = self._messages.get((message["chat"]["id"], message["message_id"]))
                if stored is not None:
                    query["message"] = copy.deepcopy(stored.api)
            self._callbacks.setdefault(str(query["id"]), False)
        return int(update["update_id"])

    def _absorb_message(self, message: JSON) -> None:
        chat_data = message.setdefault("chat", {})
        chat = self._chats.get(chat_data.get("id"))
        if chat is None and "id" in chat_data:
            chat = _Chat(
                chat_data["id"], chat_data.get("type", "private"), title=chat_data.get("title"),
                first_name=chat_data.get("first_name"), last_name=chat_data.get("last_name"),
                username=chat_data.get("username"), is_forum=bool(chat_data.get("is_forum")),
                language_code=(message.get("from") or {}).get("language_code"),
            )
            self._chats[chat.id] = chat
        if chat is not None:
            message["chat"] = chat.api()
        message.setdefault("date", int(time.time()))
        if not isinstance(message.get("message_id"), int):
            message["message_id"] = self._take_message_id(chat.id if chat else 0)
        elif chat is not None:
            self._bump_message_id(chat.id, message["message_id"])
        replied = message.get("reply_to_message")
        if isinstance(replied, dict) and chat is not None:
            stored = self._messages.get((chat.id, replied.get("message_id", 0)))
            if stored is not None:
                message["reply_to_message"] = _without_reply(stored.api)
                if stored.api.get("is_topic_message") and "message_thread_id" not in message:
                    # A reply lands in the topic of the message it answers.
                    message["message_thread_id"] = stored.api["message_thread_id"]
                    message["is_topic_message"] = True
        kind = "text"
        for media in _MEDIA_KINDS:
            if media in message:
                kind = media
                objects = message[media] if media == "photo" else [message[media]]
                for obj in objects:
                    if isinstance(obj, dict) and obj.get("file_id") not in self._files:
                        self._files[obj["file_id"]] = _FileRecord(
                            media, obj["file_id"], str(obj.get("file_unique_id", obj["file_id"])),
                            dict(obj), b"", None)
        if chat is not None:
            self._messages[(chat.id, message["message_id"])] = _StoredMessage(
                copy.deepcopy(message), kind, by_bot=False)

    # -- webhooks ----------------------------------------------------------------------------

    def post_to_webhook(self, update: JSON, secret: str | None = _UNSET) -> int:
        """POST ``update`` to the webhook now, with ``secret`` (default: the configured one;
        None sends no header); returns the HTTP status.  From async code use
        ``await post_to_webhook_async(...)``."""
        _refuse_inside_event_loop("post_to_webhook", "post_to_webhook_async")
        return self._run(self._post_once(update, secret))

    async def post_to_webhook_async(self, update: JSON, secret: str | None = _UNSET) -> int:
        if self._loop is None:
            raise RuntimeError("FakeTelegram is not started")
        future = asyncio.run_coroutine_threadsafe(self._post_once(update, secret), self._loop)
        return await asyncio.wrap_future(future)

    def flush_webhook(self) -> None:
        """Retry delivering pending updates to the webhook."""
        self._schedule_delivery()

    async def _post_once(self, update: JSON, secret: str | None) -> int:
        with self._lock:
            if self._webhook is None:
                raise RuntimeError("no webhook is set")
            self._absorb_update(update)
            url = self._webhook.url
            if secret is _UNSET:
                secret = self._webhook.secret_token
        status, error = await self._post_json(url, update, secret)
        with self._changed:
            self._deliveries.append(WebhookDelivery(update["update_id"], status, error))
            self._changed.notify_all()
        self._notify_async_waiters()
        return status if status is not None else 0

    def _schedule_delivery(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._deliver_pending(), loop)

    async def _deliver_pending(self) -> None:
        assert self._delivery_lock is not None
        async with self._delivery_lock:
            while self._up:
                with self._lock:
                    webhook = self._webhook
                    if webhook is None or not self._queue:
                        return
                    entry = self._queue[0]
                status, error = await self._post_json(
                    webhook.url, entry.update, webhook.secret_token)
                with self._changed:
                    self._deliveries.append(
                        WebhookDelivery(entry.update["update_id"], status, error))
                    ok = status is not None and 200 <= status < 300
                    if ok and self._queue and self._queue[0] is entry:
                        self._queue.pop(0)
                    elif not ok:
                        webhook.last_error_date = int(time.time())
                        webhook.last_error_message = error
                    self._changed.notify_all()
                self._notify_async_waiters()
                if not ok:
                    return

    async def _post_json(
        self, url: str, update: JSON, secret: str | None
    ) -> tuple[int | None, str | None]:
        host = urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            return None, f"the fake only delivers to loopback addresses, not {host!r}"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        assert self._client is not None
        try:
            async with self._client.post(url, data=json.dumps(update), headers=headers) as resp:
                await resp.read()
                if resp.status >= 300:
                    return resp.status, (
                        f"Wrong response from the webhook: {resp.status} {resp.reason}")
                return resp.status, None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return None, f"Connection failed: {exc!r}"

    # -- recordings --------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[JSON]:
        """Parameters of every call of ``method`` (case-insensitive)."""
        with self._lock:
            return [c.params for c in self._calls if c.method.lower() == method.lower()]

    def sent_messages(
        self, chat_id: int | None = None, thread_id: int | None = None
    ) -> list[SentMessage]:
        """Messages the bot sent, oldest first, as they are now (edits applied)."""
        with self._lock:
            return [
                copy.deepcopy(m) for m in self._sent
                if (chat_id is None or m.chat_id == chat_id)
                and (thread_id is None or m.message_thread_id == thread_id)
            ]

    def last_message(
        self, chat_id: int | None = None, thread_id: int | None = None
    ) -> SentMessage | None:
        sent = self.sent_messages(chat_id, thread_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The stored Message object (the bot's or a user's), or None."""
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            return copy.deepcopy(stored.api) if stored else None

    @property
    def edits(self) -> list[Edit]:
        with self._lock:
            return list(self._edits)

    @property
    def answered_callbacks(self) -> list[AnsweredCallback]:
        with self._lock:
            return list(self._answers)

    @property
    def reactions(self) -> list[Reaction]:
        with self._lock:
            return list(self._reactions)

    @property
    def topics(self) -> list[Topic]:
        with self._lock:
            return [copy.copy(t) for t in self._topics.values()]

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._deliveries)

    @property
    def webhook_info(self) -> JSON:
        with self._lock:
            return self._webhook_info()

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        with self._lock:
            return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    def clear(self) -> None:
        """Forget recordings, faults and blocks; chats, topics, messages and files stay."""
        with self._changed:
            self._reset_recordings()
            self._changed.notify_all()

    # -- waiting -----------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Block until ``predicate()`` is truthy (re-checked on every recorded change).

        For sync tests, or threads other than the bot's event loop; from async code use
        ``await fake.await_for(...)`` so the bot keeps running.
        """
        _refuse_inside_event_loop("wait_for", "await_for")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FakeTelegramTimeout(self._timeout_report(timeout))
                self._changed.wait(min(remaining, 0.1))

    def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 5.0, thread_id: int | None = None
    ) -> list[SentMessage]:
        """Block until the bot has sent ``count`` messages to the chat; returns them all."""
        return self.wait_for(self._at_least(chat_id, count, thread_id), timeout)

    async def await_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0
    ) -> T:
        """Like `wait_for`, without blocking the caller's event loop."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the waiter's loop is closed
                loop.call_soon_threadsafe(event.set)

        self._async_waiters.add(wake)
        try:
            deadline = loop.time() + timeout
            while True:
                event.clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise FakeTelegramTimeout(self._timeout_report(timeout))
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, 0.1))
        finally:
            self._async_waiters.discard(wake)

    async def await_for_messages(
        self, chat_id: int, count: int, timeout: float = 5.0, thread_id: int | None = None
    ) -> list[SentMessage]:
        return await self.await_for(self._at_least(chat_id, count, thread_id), timeout)

    def _at_least(
        self, chat_id: int, count: int, thread_id: int | None
    ) -> Callable[[], list[SentMessage] | None]:
        def enough() -> list[SentMessage] | None:
            sent = self.sent_messages(chat_id, thread_id)
            return sent if len(sent) >= max(count, 1) else None

        return enough

    def _notify_async_waiters(self) -> None:
        for wake in list(self._async_waiters):
            wake()

    def _timeout_report(self, timeout: float) -> str:
        with self._lock:
            calls = [
                f"  {c.method} -> {c.status} "
                + json.dumps(c.params, ensure_ascii=False, default=repr)[:200]
                for c in self._calls[-15:] if c.method != "getUpdates"
            ]
        listing = "\n".join(calls or ["  (none)"])
        return f"condition not met within {timeout}s; last calls:\n{listing}"

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.tokens:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        entry = _METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return await self._handle_not_found(request)
        name, handler = entry
        try:
            raw = await _read_params(request)
        except BotApiError as error:
            return self._answer(name, {}, error.payload(), error.code)
        params = {key: _decode_value(key, value) for key, value in raw.items()}
        try:
            self._inject_fault(name)
            if inspect.iscoroutinefunction(handler):  # long polls; they lock for themselves
                result = await handler(self, _Params(params), token)
            else:
                with self._lock:
                    result = handler(self, _Params(params), token)
        except BotApiError as error:
            return self._answer(name, params, error.payload(), error.code)
        body: JSON = {"ok": True, "result": result}
        if name in ("setWebhook", "deleteWebhook") and isinstance(result, bool):
            body["description"] = self._webhook_description
        return self._answer(name, params, body, 200)

    def _answer(self, method: str, params: JSON, body: JSON, status: int) -> web.Response:
        with self._changed:
            self._calls.append(Call(method, params, status, body))
            self._changed.notify_all()
        self._notify_async_waiters()
        return web.json_response(
            body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self.tokens:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        with self._lock:
            record = next((f for f in self._files.values() if f.file_path == path), None)
        if record is None:
            return await self._handle_not_found(request)
        return web.Response(body=record.content, content_type="application/octet-stream")

    def _inject_fault(self, method: str) -> None:
        with self._lock:
            for fault in self._faults:
                matches = fault.method == method.lower() if fault.method else method != "getUpdates"
                if matches and fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    raise fault.error

    # -- getUpdates & webhook methods --------------------------------------------------------

    @_api("getUpdates")
    async def _get_updates(self, p: _Params, token: str) -> list[JSON]:
        with self._lock:
            if self._webhook is not None:
                raise BotApiError(409, WEBHOOK_CONFLICT)
            offset = p.integer("offset") or 0
            limit = min(max(p.integer("limit") or 100, 1), 100)
            timeout = max(p.number("timeout") or 0.0, 0.0)
            allowed = p.obj("allowed_updates")
            self._confirm(offset)
            self._poll_generation += 1
            generation = self._poll_generation
        self._bump_poll_event()  # an older long poll, if any, is terminated
        assert self._loop is not None
        deadline = self._loop.time() + timeout
        self._pollers += 1
        try:
            return await self._long_poll(generation, offset, limit, allowed, deadline)
        finally:
            self._pollers -= 1

    async def _long_poll(
        self, generation: int, offset: int, limit: int, allowed: Any, deadline: float
    ) -> list[JSON]:
        assert self._loop is not None
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise BotApiError(409, POLLING_CONFLICT)
                if self._webhook is not None:
                    raise BotApiError(409, WEBHOOK_CONFLICT)
                batch = self._select_updates(offset, limit, allowed)
            remaining = deadline - self._loop.time()
            if batch or remaining <= 0 or self._closing:
                return batch
            event = self._poll_event
            assert event is not None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._queue = [q for q in self._queue
                           if not (q.delivered and q.update["update_id"] < offset)]
        elif offset < 0:
            self._queue = self._queue[offset:]

    def _select_updates(self, offset: int, limit: int, allowed: Any) -> list[JSON]:
        batch: list[JSON] = []
        for entry in self._queue:
            if offset > 0 and entry.delivered and entry.update["update_id"] < offset:
                continue
            if allowed and not any(kind in entry.update for kind in allowed):
                continue
            entry.delivered = True
            batch.append(copy.deepcopy(entry.update))
            if len(batch) >= limit:
                break
        return batch

    def _signal_pollers(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._bump_poll_event)

    def _bump_poll_event(self) -> None:
        event = self._poll_event
        self._poll_event = asyncio.Event()
        if event is not None:
            event.set()

    _webhook_description = ""

    @_api("setWebhook")
    def _set_webhook(self, p: _Params, token: str) -> bool:
        url = p.text("url") or ""
        if not url:
            return self._delete_webhook(p, token)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = p.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = p.obj("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        if p.flag("drop_pending_updates"):
            self._queue.clear()
        self._webhook = _Webhook(url, secret, allowed, max_connections)
        self._webhook_description = "Webhook was set"
        self._signal_pollers()  # a waiting getUpdates now answers 409
        self._schedule_delivery()
        return True

    @_api("deleteWebhook")
    def _delete_webhook(self, p: _Params, token: str) -> bool:
        if p.flag("drop_pending_updates"):
            self._queue.clear()
        self._webhook_description = (
            "Webhook was deleted" if self._webhook else "Webhook is already deleted")
        self._webhook = None
        return True

    @_api("getWebhookInfo")
    def _get_webhook_info(self, p: _Params, token: str) -> JSON:
        return self._webhook_info()

    def _webhook_info(self) -> JSON:
        info: JSON = {"url": "", "has_custom_certificate": False,
                      "pending_update_count": len(self._queue)}
        hook = self._webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            info["ip_address"] = "127.0.0.1"
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    # -- bot identity and commands -----------------------------------------------------------

    @_api("getMe")
    def _get_me(self, p: _Params, token: str) -> JSON:
        return self.bot_user(token) | {
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("logOut")
    def _log_out(self, p: _Params, token: str) -> bool:
        return True

    @_api("close")
    def _close(self, p: _Params, token: str) -> bool:
        return True

    @_api("setMyCommands")
    def _set_my_commands(self, p: _Params, token: str) -> bool:
        commands = p.obj("commands", required=True)
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: object expected")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND.match(name.removeprefix("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("command description must be non-empty")
        key = (_scope_key(self._scope(p)), self._language(p))
        self._commands[key] = [{"command": c["command"].removeprefix("/"),
                                "description": c["description"]} for c in commands]
        return True

    @_api("deleteMyCommands")
    def _delete_my_commands(self, p: _Params, token: str) -> bool:
        self._commands.pop((_scope_key(self._scope(p)), self._language(p)), None)
        return True

    @_api("getMyCommands")
    def _get_my_commands(self, p: _Params, token: str) -> list[JSON]:
        return copy.deepcopy(
            self._commands.get((_scope_key(self._scope(p)), self._language(p)), []))

    def _scope(self, p: _Params) -> JSON | None:
        scope = p.obj("scope")
        if scope is None:
            return None
        if not isinstance(scope, dict) or scope.get("type") not in (
            "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
            "chat", "chat_administrators", "chat_member",
        ):
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"].startswith("chat"):
            self._known_chat(scope.get("chat_id"))
        return scope

    @staticmethod
    def _language(p: _Params) -> str:
        language = p.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return language

    # -- chats -------------------------------------------------------------------------------

    @_api("getChat")
    def _get_chat(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p)
        info = chat.api() | {
            "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                    "unique_gifts": False, "premium_subscription": False,
                                    "gifts_from_channels": False},
        }
        return info

    @_api("sendChatAction")
    def _send_chat_action(self, p: _Params, token: str) -> bool:
        chat = self._chat(p, sending=True)
        if p.text("action", required=True) not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._thread_of(chat, p)
        return True

    def _known_chat(self, chat_id: Any) -> _Chat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = next((c for c in self._chats.values()
                          if c.username and c.username.lower() == chat_id[1:].lower()), None)
            if found is None:
                raise bad_request("chat not found")
            return found
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id not in self._chats:
            raise bad_request("chat not found")
        return self._chats[chat_id]

    def _chat(self, p: _Params, name: str = "chat_id", *, sending: bool = False) -> _Chat:
        chat = self._known_chat(p.required(name))
        if sending and chat.id in self._blocked:
            if chat.type == "private":
                raise forbidden("bot was blocked by the user")
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        return chat

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _bump_message_id(self, chat_id: int, message_id: int) -> None:
        self._next_message_id[chat_id] = max(self._next_message_id.get(chat_id, 1), message_id + 1)

    # -- sending -----------------------------------------------------------------------------

    @_api("sendMessage")
    def _send_message(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p, sending=True)
        raw = p.text("text")
        if raw is None:
            raise bad_request("message text is empty")
        text, entities = self._format(raw, p.text("parse_mode"), p.obj("entities"))
        _check_text_length(text, 4096, "message text is empty", "message is too long")
        markup = self._reply_markup(p)
        thread_id = self._thread_of(chat, p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        return self._store_bot_message(
            chat, token, "sendMessage", kind="text", text=text, raw=raw,
            parse_mode=p.text("parse_mode"), entities=entities, markup=markup,
            thread_id=thread_id, reply_to=reply_to,
        )

    def _send_media(self, p: _Params, token: str, kind: str, method: str) -> JSON:
        chat = self._chat(p, sending=True)
        source = p.required(kind)
        record = self._resolve_file(source, kind, p)
        raw = p.text("caption")
        caption: str | None = None
        entities: list[JSON] = []
        if raw is not None and kind != "video_note":
            caption, entities = self._format(raw, p.text("parse_mode"), p.obj("caption_entities"))
            _check_text_length(caption, 1024, None, "message caption is too long")
        markup = self._reply_markup(p)
        thread_id = self._thread_of(chat, p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        return self._store_bot_message(
            chat, token, method, kind=kind, caption=caption or None, raw=raw,
            parse_mode=p.text("parse_mode"), entities=entities, markup=markup,
            thread_id=thread_id, reply_to=reply_to, file=record,
        )

    @_api("sendPhoto")
    def _send_photo(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "photo", "sendPhoto")

    @_api("sendDocument")
    def _send_document(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "document", "sendDocument")

    @_api("sendVoice")
    def _send_voice(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "voice", "sendVoice")

    @_api("sendVideo")
    def _send_video(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "video", "sendVideo")

    @_api("sendVideoNote")
    def _send_video_note(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "video_note", "sendVideoNote")

    @_api("sendAudio")
    def _send_audio(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "audio", "sendAudio")

    @_api("copyMessage")
    def _copy_message(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p, sending=True)
        source = self._source_message(p, "message to copy not found")
        if source.kind not in ("text", *_MEDIA_KINDS):
            raise bad_request("message can't be copied")
        text = source.api.get("text")
        entities = source.api.get("entities", [])
        caption = source.api.get("caption")
        raw = text if source.kind == "text" else caption
        if p.has("caption") and source.kind != "text":
            raw = p.text("caption")
            caption, entities = self._format(raw or "", p.text("parse_mode"),
                                             p.obj("caption_entities"))
            _check_text_length(caption, 1024, None, "message caption is too long")
        elif source.kind != "text":
            entities = source.api.get("caption_entities", [])
        markup = self._reply_markup(p)
        thread_id = self._thread_of(chat, p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        file = self._files.get(_file_id_of(source.api, source.kind) or "")
        message = self._store_bot_message(
            chat, token, "copyMessage", kind=source.kind, text=text, caption=caption or None,
            raw=raw, parse_mode=p.text("parse_mode"), entities=entities, markup=markup,
            thread_id=thread_id, reply_to=reply_to, file=file,
        )
        return {"message_id": message["message_id"]}

    @_api("forwardMessage")
    def _forward_message(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p, sending=True)
        source = self._source_message(p, "message to forward not found")
        thread_id = self._thread_of(chat, p)
        file = self._files.get(_file_id_of(source.api, source.kind) or "")
        original = source.api
        message = self._store_bot_message(
            chat, token, "forwardMessage", kind=source.kind, text=original.get("text"),
            caption=original.get("caption"), raw=original.get("text") or original.get("caption"),
            parse_mode=None,
            entities=original.get("entities") or original.get("caption_entities") or [],
            markup=None, thread_id=thread_id, reply_to=None, file=file,
        )
        origin = {"type": "user", "sender_user": original.get("from") or self.bot_user(token),
                  "date": original.get("date", int(time.time()))}
        self._messages[(chat.id, message["message_id"])].api["forward_origin"] = origin
        return message | {"forward_origin": origin}

    def _source_message(self, p: _Params, not_found: str) -> _StoredMessage:
        from_chat = self._chat(p, "from_chat_id")
        message_id = p.integer("message_id", required=True)
        stored = self._messages.get((from_chat.id, message_id or 0))
        if stored is None:
            raise bad_request(not_found)
        return stored

    def _store_bot_message(
        self,
        chat: _Chat,
        token: str,
        method: str,
        *,
        kind: str,
        raw: str | None,
        parse_mode: str | None,
        entities: list[JSON],
        markup: JSON | None,
        thread_id: int | None,
        reply_to: _StoredMessage | None,
        text: str | None = None,
        caption: str | None = None,
        file: _FileRecord | None = None,
    ) -> JSON:
        message_id = self._take_message_id(chat.id)
        now = int(time.time())
        api: JSON = {"message_id": message_id, "from": self.bot_user(token), "chat": chat.api(),
                     "date": now}
        if thread_id is not None:
            api["message_thread_id"] = thread_id
            api["is_topic_message"] = True
        if reply_to is not None:
            api["reply_to_message"] = _without_reply(reply_to.api)
        elif thread_id is not None and (chat.id, thread_id) in self._messages:
            # In a forum, a message that replies to nothing replies to the topic's first message.
            api["reply_to_message"] = _without_reply(self._messages[(chat.id, thread_id)].api)
        if kind == "text":
            api["text"] = text
            if entities:
                api["entities"] = entities
        else:
            assert file is not None
            api[kind] = _media_object(file)
            if caption:
                api["caption"] = caption
                if entities:
                    api["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            api["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        record = SentMessage(
            chat_id=chat.id, message_id=message_id, kind=kind,
            text=text if kind == "text" else None,
            caption=caption, raw_text=raw, parse_mode=parse_mode, entities=entities,
            reply_markup=markup, message_thread_id=thread_id,
            reply_to_message_id=reply_to.api["message_id"] if reply_to else None,
            file_id=file.file_id if file else None, method=method, date=now, api=api,
        )
        self._messages[(chat.id, message_id)] = _StoredMessage(api, kind, True, record)
        self._sent.append(record)
        return copy.deepcopy(api)

    def _format(self, raw: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        if parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    return parse_html(raw, strict=self.strict_html)
                except HtmlParseError as exc:
                    raise bad_request(f"can't parse entities: {exc}") from None
            if mode in ("markdown", "markdownv2"):
                return raw, []
            raise bad_request("unsupported parse_mode")
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return raw, list(entities or [])

    def _thread_of(self, chat: _Chat, p: _Params) -> int | None:
        thread_id = p.integer("message_thread_id")
        if thread_id is None or not chat.is_forum:
            return None
        topic = self._topics.get((chat.id, thread_id))
        if topic is None or topic.is_deleted:
            raise bad_request("message thread not found")
        return thread_id

    def _reply_target(
        self, chat: _Chat, p: _Params, thread_id: int | None
    ) -> tuple[_StoredMessage | None, int | None]:
        params = p.obj("reply_parameters")
        if params is None and p.has("reply_to_message_id"):
            params = {"message_id": p.integer("reply_to_message_id"),
                      "allow_sending_without_reply": p.flag("allow_sending_without_reply")}
        if params is None:
            return None, thread_id
        if not isinstance(params, dict) or not isinstance(params.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if params.get("chat_id") not in (None, chat.id):
            target_chat = self._known_chat(params["chat_id"])
        stored = self._messages.get((target_chat.id, params["message_id"]))
        if stored is None:
            if params.get("allow_sending_without_reply"):
                return None, thread_id
            raise bad_request("message to be replied not found")
        if thread_id is None and target_chat is chat and stored.api.get("is_topic_message"):
            thread_id = stored.api.get("message_thread_id")
        return stored, thread_id

    def _resolve_file(self, source: Any, kind: str, p: _Params) -> _FileRecord:
        if isinstance(source, str) and source.startswith("attach://"):
            source = p.values.get(source.removeprefix("attach://"))
        if isinstance(source, UploadedFile):
            meta: JSON = {}
            if kind == "document":
                meta = {"file_name": source.filename or "file",
                        "mime_type": source.content_type or "application/octet-stream"}
            return self._register_file(kind, None, source.data, meta)
        if not isinstance(source, str) or not source:
            raise bad_request(f'parameter "{kind}" is required')
        if re.match(r"^https?://", source):
            return self._register_file(kind, None, b"", {})
        record = self._files.get(source)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.kind != kind:
            raise bad_request(
                f"can't use file of type {_type_name(record.kind)} as {_type_name(kind)}")
        return record

    def _register_file(
        self, kind: str, file_id: str | None, content: bytes, meta: JSON
    ) -> _FileRecord:
        number = next(self._ids)
        file_id = file_id or f"{_FILE_PREFIX.get(kind, 'BQAC')}-fake-{kind}-{number:06d}"
        unique = f"AQAD-{kind}-{number:06d}"
        extension = {"photo": "jpg", "voice": "oga", "video": "mp4", "video_note": "mp4",
                     "audio": "mp3"}.get(kind, "bin")
        obj = updates.media_object(kind, file_id, unique_id=unique, size=len(content), **meta)
        record = _FileRecord(kind, file_id, unique, obj, content,
                             f"{kind}s/file_{number}.{extension}")
        self._files[file_id] = record
        return record

    # -- keyboards ---------------------------------------------------------------------------

    def _reply_markup(self, p: _Params, *, inline_only: bool = False) -> JSON | None:
        markup = p.obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('Field "keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    if not (isinstance(button, str) or
                            (isinstance(button, dict) and isinstance(button.get("text"), str))):
                        raise bad_request(
                            "can't parse keyboard button: Field \"text\" must be of type String")
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise bad_request("can't find field \"inline_keyboard\"")

    # -- editing -----------------------------------------------------------------------------

    def _editable(self, p: _Params) -> _StoredMessage:
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline mode
        if not p.has("chat_id"):
            raise bad_request("chat_id is empty")
        chat = self._chat(p, sending=True)
        message_id = p.integer("message_id", required=True)
        stored = self._messages.get((chat.id, message_id or 0))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.by_bot:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(
        self, stored: _StoredMessage, method: str, *, text: str | None = _UNSET,
        caption: str | None = _UNSET, entities: list[JSON] | None = None,
        markup: JSON | None, raw: str | None = None, parse_mode: str | None = None,
    ) -> JSON:
        api = stored.api
        before = copy.deepcopy(api)
        if text is not _UNSET:
            api["text"] = text
            _set_or_drop(api, "entities", entities)
        if caption is not _UNSET:
            _set_or_drop(api, "caption", caption)
            _set_or_drop(api, "caption_entities", entities if caption else None)
        _set_or_drop(api, "reply_markup",
                     {"inline_keyboard": markup["inline_keyboard"]} if markup else None)
        before.pop("edit_date", None)
        after = {k: v for k, v in api.items() if k != "edit_date"}
        if before == after:
            raise bad_request(NOT_MODIFIED)
        api["edit_date"] = int(time.time())
        record = stored.record
        assert record is not None
        if text is not _UNSET:
            record.text = text
            record.entities = entities or []
            record.raw_text, record.parse_mode = raw, parse_mode
        if caption is not _UNSET:
            record.caption = caption
            record.entities = entities or []
            record.raw_text, record.parse_mode = raw, parse_mode
        record.reply_markup = markup
        record.edit_date = api["edit_date"]
        record.api = api
        self._edits.append(Edit(record.chat_id, record.message_id, method, record.text,
                                record.caption, markup))
        return copy.deepcopy(api)

    @_api("editMessageText")
    def _edit_message_text(self, p: _Params, token: str) -> JSON:
        stored = self._editable(p)
        if stored.kind != "text":
            raise bad_request("there is no text in the message to edit")
        raw = p.text("text")
        if raw is None:
            raise bad_request("message text is empty")
        text, entities = self._format(raw, p.text("parse_mode"), p.obj("entities"))
        _check_text_length(text, 4096, "message text is empty", "message is too long")
        markup = self._reply_markup(p, inline_only=True)
        return self._apply_edit(stored, "editMessageText", text=text, entities=entities,
                                markup=markup, raw=raw, parse_mode=p.text("parse_mode"))

    @_api("editMessageCaption")
    def _edit_message_caption(self, p: _Params, token: str) -> JSON:
        stored = self._editable(p)
        if stored.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        raw = p.text("caption")
        caption: str | None = None
        entities: list[JSON] = []
        if raw is not None:
            caption, entities = self._format(raw, p.text("parse_mode"), p.obj("caption_entities"))
            _check_text_length(caption, 1024, None, "message caption is too long")
        markup = self._reply_markup(p, inline_only=True)
        return self._apply_edit(stored, "editMessageCaption", caption=caption or None,
                                entities=entities, markup=markup, raw=raw,
                                parse_mode=p.text("parse_mode"))

    @_api("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, p: _Params, token: str) -> JSON:
        stored = self._editable(p)
        markup = self._reply_markup(p, inline_only=True)
        return self._apply_edit(stored, "editMessageReplyMarkup", markup=markup)

    @_api("deleteMessage")
    def _delete_message(self, p: _Params, token: str) -> bool:
        chat = self._chat(p)
        message_id = p.integer("message_id", required=True)
        stored = self._messages.pop((chat.id, message_id or 0), None)
        if stored is None:
            raise bad_request("message to delete not found")
        if stored.record is not None:
            stored.record.deleted = True
        return True

    # -- callback queries, reactions ---------------------------------------------------------

    @_api("answerCallbackQuery")
    def _answer_callback_query(self, p: _Params, token: str) -> bool:
        query_id = p.text("callback_query_id", required=True) or ""
        if self._callbacks.get(query_id, True):
            raise bad_request(QUERY_TOO_OLD)
        text = p.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        self._answers.append(AnsweredCallback(query_id, text, p.flag("show_alert"),
                                              p.text("url"), p.integer("cache_time")))
        return True

    @_api("setMessageReaction")
    def _set_message_reaction(self, p: _Params, token: str) -> bool:
        chat = self._chat(p, sending=True)
        message_id = p.integer("message_id", required=True)
        if (chat.id, message_id or 0) not in self._messages:
            raise bad_request("message to react not found")
        reaction = p.obj("reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        for item in reaction:
            if not isinstance(item, dict) or item.get("type") not in (
                "emoji", "custom_emoji", "paid"
            ):
                raise bad_request("can't parse ReactionType JSON object")
            if item["type"] == "emoji" and item.get("emoji") not in _REACTION_EMOJI:
                raise bad_request("REACTION_INVALID")
            if item["type"] == "custom_emoji" and not str(item.get("custom_emoji_id")).isdigit():
                raise bad_request("REACTION_INVALID")
        if len(reaction) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        self._reactions.append(Reaction(chat.id, message_id or 0, reaction, p.flag("is_big")))
        return True

    # -- forum topics ------------------------------------------------------------------------

    def _forum(self, p: _Params) -> _Chat:
        chat = self._chat(p, sending=True)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, chat: _Chat, p: _Params) -> Topic:
        thread_id = p.integer("message_thread_id", required=True)
        topic = self._topics.get((chat.id, thread_id or 0))
        if topic is None or topic.is_deleted:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    @_api("createForumTopic")
    def _create_forum_topic(self, p: _Params, token: str) -> JSON:
        chat = self._forum(p)
        name = p.text("name", required=True) or ""
        if len(name) > 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        color = p.integer("icon_color") or 7322096
        if color not in _TOPIC_COLORS:
            raise bad_request("TOPIC_COLOR_INVALID")
        topic = self._create_topic(chat, name, color, p.text("icon_custom_emoji_id"), by_bot=True,
                                   token=token)
        result: JSON = {"message_thread_id": topic.message_thread_id, "name": topic.name,
                        "icon_color": topic.icon_color}
        if topic.icon_custom_emoji_id:
            result["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
        return result

    def _create_topic(self, chat: _Chat, name: str, color: int, emoji: str | None, *,
                      by_bot: bool, token: str | None = None) -> Topic:
        thread_id = self._take_message_id(chat.id)
        created: JSON = {"name": name, "icon_color": color}
        if emoji:
            created["icon_custom_emoji_id"] = emoji
        service: JSON = {
            "message_id": thread_id, "message_thread_id": thread_id, "is_topic_message": True,
            "date": int(time.time()), "chat": chat.api(), "forum_topic_created": created,
        }
        if by_bot:
            service["from"] = self.bot_user(token)
        self._messages[(chat.id, thread_id)] = _StoredMessage(service, "service", by_bot=False)
        topic = Topic(chat.id, thread_id, name, color, emoji)
        self._topics[(chat.id, thread_id)] = topic
        return topic

    @_api("editForumTopic")
    def _edit_forum_topic(self, p: _Params, token: str) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        name = p.text("name")
        emoji = p.values.get("icon_custom_emoji_id")
        if name is not None and len(name) > 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        same_name = name is None or name == topic.name
        if same_name and (emoji is None or emoji == topic.icon_custom_emoji_id):
            raise bad_request("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = name
        if emoji is not None:
            topic.icon_custom_emoji_id = emoji or None
        return True

    @_api("closeForumTopic")
    def _close_forum_topic(self, p: _Params, token: str) -> bool:
        topic = self._topic(self._forum(p), p)
        if topic.is_closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.is_closed = True
        return True

    @_api("reopenForumTopic")
    def _reopen_forum_topic(self, p: _Params, token: str) -> bool:
        topic = self._topic(self._forum(p), p)
        if not topic.is_closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.is_closed = False
        return True

    @_api("deleteForumTopic")
    def _delete_forum_topic(self, p: _Params, token: str) -> bool:
        topic = self._topic(self._forum(p), p)
        topic.is_deleted = True
        return True

    # -- files -------------------------------------------------------------------------------

    @_api("getFile")
    def _get_file(self, p: _Params, token: str) -> JSON:
        file_id = p.text("file_id", required=True) or ""
        record = self._files.get(file_id)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.file_path is None:
            number = next(self._ids)
            record.file_path = f"{record.kind}s/file_{number}"
        return {"file_id": record.file_id, "file_unique_id": record.file_unique_id,
                "file_size": len(record.content), "file_path": record.file_path}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_FILE_PREFIX = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "video": "BAAC",
                "video_note": "DQAC", "audio": "CQAC"}


def _type_name(kind: str) -> str:
    return {"video_note": "VideoNote"}.get(kind, kind.capitalize())


async def _read_params(request: web.Request) -> JSON:
    """Query string plus body, whether JSON, urlencoded or multipart - as Telegram accepts."""
    params: JSON = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.read()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON encoded request body") from None
            if not isinstance(data, dict):
                raise bad_request("JSON object expected in request body")
            params.update(data)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
        else:
            params[key] = value
    return params


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list):
        raise bad_request('Field "inline_keyboard" must be of type Array')
    count = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request('Field "inline_keyboard" must be of type Array of Array')
        for button in row:
            count += 1
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton "
                                  "must be an Object")
            if not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Field \"text\" must be "
                                  "of type String")
            actions = [a for a in _BUTTON_ACTIONS if a in button]
            if not actions:
                raise bad_request("can't parse inline keyboard button: Text buttons are "
                                  "unallowed in the inline keyboard")
            if len(actions) > 1:
                raise bad_request("can't parse inline keyboard button: exactly one of the "
                                  f"optional fields must be used, got {actions}")
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                    raise bad_request("BUTTON_URL_INVALID")
    if count > 100:
        raise bad_request("reply markup is too long")


def _check_text_length(text: str | None, limit: int, empty: str | None, too_long: str) -> None:
    text = text or ""
    if empty is not None and not text.strip():
        raise bad_request(empty)
    if len(text) > limit:
        raise bad_request(too_long)


def _without_reply(message: JSON) -> JSON:
    copied = copy.deepcopy(message)
    copied.pop("reply_to_message", None)
    return copied


def _media_object(record: _FileRecord) -> Any:
    return [dict(record.meta)] if record.kind == "photo" else dict(record.meta)


def _file_id_of(message: JSON, kind: str) -> str | None:
    media = message.get(kind)
    if isinstance(media, list) and media:
        return str(media[-1].get("file_id"))
    if isinstance(media, dict):
        return str(media.get("file_id"))
    return None


def _set_or_drop(target: JSON, key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)


def _scope_key(scope: JSON | None) -> str:
    if not scope or scope.get("type") == "default":
        return "default"
    return json.dumps(scope, sort_keys=True)


def _message_address(message: SentMessage | Mapping[str, Any] | tuple[int, int]) -> tuple[int, int]:
    if isinstance(message, SentMessage):
        return message.chat_id, message.message_id
    if isinstance(message, tuple):
        return message
    return int(message["chat"]["id"]), int(message["message_id"])


def _refuse_inside_event_loop(name: str, alternative: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"FakeTelegram.{name}() blocks; inside a running event loop it would freeze the bot "
        f"under test. Use `await fake.{alternative}(...)` instead."
    )


# --------------------------------------------------------------------------------------------
# pytest fixture: `pytest_plugins = ["tests.fakes.telegram_server"]` in a conftest shares it.
# --------------------------------------------------------------------------------------------


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram, stopped after the test."""
    with FakeTelegram() as fake:
        yield fake
