"""What the fake Telegram hands to tests: the records of what the bot did.

`Call` (one Bot API request), `SentMessage` (a bot message as it stands now),
`Edit`, `AnsweredCallback`, `Reaction`, `Topic`, `WebhookDelivery`,
`UploadedFile` (a multipart upload), and `FakeTelegramTimeout`, raised when a
``wait_for`` runs out of time.  ``JSON`` is the type alias the package uses for
Bot API objects.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class FakeTelegramTimeout(AssertionError):
    """`wait_for` ran out of time; the message lists what the fake did receive."""


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
