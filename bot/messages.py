"""Platform-neutral chat types: what comes in (``Incoming``) and what goes out (``Reply``).

Adapters translate their platform's updates into ``Incoming`` and render
``Reply`` with their own widgets (inline keyboards, Block Kit, numbered
choices in the console). Button ``data`` is compact (at most 64 bytes, the
Telegram limit) and is checked by the dialog when it comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.model import Attachment

MAX_BUTTON_DATA = 64


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > MAX_BUTTON_DATA:
            raise ValueError(f"button data too long: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """One message to a chat: text (plain, never markup) and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in self.buttons],
            "attachments": [a.to_dict() for a in self.attachments],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=str(data.get("text", "")),
            buttons=tuple(tuple(Button(str(b["label"]), str(b["data"])) for b in row)
                          for row in data.get("buttons", [])),
            attachments=tuple(Attachment(**a) for a in data.get("attachments", [])),
        )

    @property
    def button_labels(self) -> list[str]:
        return [b.label for row in self.buttons for b in row]


@dataclass(frozen=True)
class Incoming:
    """One thing a chat user did: a text, a button press, an attachment."""

    platform: str
    user_id: str
    chat_id: str
    text: str = ""
    button: str | None = None
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    update_key: str | None = None
    locale: str | None = None
    display_name: str | None = None
    button_message_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
