"""What the fake Slack records and hands to tests.

`ApiCall` (one Web API request), `Message` (current state of a message in the
fake workspace), `Update` (a chat.update), `Ephemeral`, `Reaction`,
`ResponseUrlPost` (what Bolt's ``respond()`` sent), `Button` (found in blocks),
and `WaitTimeout`, raised when ``wait_for``/``await_for`` gives up.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .validation import _truthy


class ApiCall(NamedTuple):
    """One Web API request as received: method name and arguments (token removed,
    JSON-string fields such as ``blocks`` decoded)."""

    method: str
    args: dict[str, Any]


class Button(NamedTuple):
    """An interactive button found in a message's blocks."""

    action_id: str | None
    text: str
    value: str | None
    block_id: str | None
    style: str | None = None


class _Content:
    """Text helpers shared by everything that carries ``text`` and ``blocks``."""

    text: str
    blocks: list[dict[str, Any]] | None

    @property
    def all_text(self) -> str:
        """The fallback text plus every text found in the blocks, one per line."""
        parts = [self.text] if self.text else []
        parts.extend(_texts_in(self.blocks or []))
        return "\n".join(parts)

    @property
    def buttons(self) -> list[Button]:
        """Every button in the blocks (actions blocks and section accessories)."""
        return list(_buttons_in(self.blocks or []))

    def button(self, action_id: str) -> Button:
        for b in self.buttons:
            if b.action_id == action_id:
                return b
        raise KeyError(f"no button with action_id {action_id!r} in {self.buttons!r}")


@dataclass(frozen=True)
class Message(_Content):
    """A message in the fake workspace (current state, after any chat.update)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = field(default=None, compare=False, repr=False)
    files: list[dict[str, Any]] | None = field(default=None, compare=False, repr=False)
    team: str | None = field(default=None, compare=False, repr=False)
    parent_user_id: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The message as Slack shows it in API responses and interaction payloads."""
        d: dict[str, Any] = {"type": "message", "text": self.text, "ts": self.ts}
        if self.user:
            d["user"] = self.user
        if self.bot_id:
            d["bot_id"] = self.bot_id
        if self.team:
            d["team"] = self.team
        if self.blocks is not None:
            d["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            d["thread_ts"] = self.thread_ts
            if self.thread_ts != self.ts and self.parent_user_id:
                d["parent_user_id"] = self.parent_user_id
        if self.files:
            d["files"] = copy.deepcopy(self.files)
            d["subtype"] = "file_share"
        return d


@dataclass(frozen=True)
class Update(_Content):
    """A successful chat.update (or a response_url ``replace_original``)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Ephemeral(_Content):
    """An ephemeral message (chat.postEphemeral, or an ephemeral response_url reply)."""

    channel: str
    user: str | None
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    message_ts: str = ""


@dataclass(frozen=True)
class Reaction:
    channel: str
    timestamp: str
    name: str
    user: str


@dataclass(frozen=True)
class ResponseUrlPost(_Content):
    """A body POSTed to one of the fake's response URLs (what Bolt's ``respond()`` sent)."""

    url: str
    body: dict[str, Any]

    @property
    def text(self) -> str:  # type: ignore[override]
        return str(self.body.get("text") or "")

    @property
    def blocks(self) -> list[dict[str, Any]] | None:  # type: ignore[override]
        return self.body.get("blocks")

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))


class WaitTimeout(AssertionError):
    """``wait_for``/``await_for`` gave up; the message lists what the fake received."""


def _texts_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, str) and node.get("type") in ("plain_text", "mrkdwn", "text"):
            yield text
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _texts_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts_in(item)


def _buttons_in(blocks: list[dict[str, Any]]) -> Iterator[Button]:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for el in candidates:
            if isinstance(el, dict) and el.get("type") == "button":
                text = el.get("text") or {}
                yield Button(
                    action_id=el.get("action_id"),
                    text=str(text.get("text", "")) if isinstance(text, dict) else "",
                    value=el.get("value"),
                    block_id=block.get("block_id"),
                    style=el.get("style"),
                )
