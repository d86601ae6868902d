"""Telegram HTML: escaping user text, splitting long texts, inline keyboards.

Everything a person wrote is escaped; the only markup is the adapter's own
(bold titles, mentions). Telegram allows 4,096 characters per message (1,024
per caption), counted after the markup is parsed; lengths here are counted in
UTF-16 code units, which is never less than Telegram's own count.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Button

MAX_TEXT = 4096
MAX_CAPTION = 1024
_TAG = re.compile(r"<[^>]+>")
# Where a long text may be cut, best first: between paragraphs, lines, words.
_BOUNDARIES = ("\n\n", "\n", " ")


def escape(text: str) -> str:
    """Plain text made safe for parse_mode=HTML."""
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def visible_units(markup: str) -> int:
    """Length of an HTML text as the reader sees it (tags removed, entities decoded)."""
    return units(html.unescape(_TAG.sub("", markup)))


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut plain ``text`` into parts of at most ``limit`` units.

    Cuts between paragraphs when it can, else between lines, else between
    words, else anywhere; a boundary too early in the window (less than a
    quarter of it) is skipped for the next finer one, so no part is tiny.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while units(rest) > limit:
        window = _prefix(rest, limit)
        cut = _cut(window)
        head = window[:cut].rstrip()
        if not head:  # a window of blanks: drop it
            rest = rest[len(window):]
            continue
        parts.append(head)
        rest = rest[cut:].lstrip()
    if rest.strip() or not parts:
        parts.append(rest)
    return parts


def _prefix(text: str, limit: int) -> str:
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text


def _cut(window: str) -> int:
    floor = len(window) // 4
    for boundary in _BOUNDARIES:
        found = window.rfind(boundary)
        if found > floor:
            return found
    return len(window)


def html_parts(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Plain text as escaped HTML messages of at most ``limit`` visible units each."""
    return [escape(part) for part in split_text(text, limit)]


def with_header(header: str, body: str, footer: str = "", limit: int = MAX_TEXT, sep: str = "\n\n") -> list[str]:
    """Messages for an HTML ``header`` + plain ``body`` + HTML ``footer``.

    The body is escaped and split so that the first part carries the header
    and the last the footer, every part within ``limit``.
    """
    head_len = visible_units(header)
    foot_len = visible_units(footer)
    if not body.strip():
        joined = "\n\n".join(p for p in (header, footer) if p)
        if visible_units(joined) <= limit:
            return [joined]
        return [header, footer] if footer else [header]
    room = max(limit - head_len - foot_len - 4, limit // 4)
    pieces = [escape(part) for part in split_text(body, room)]
    pieces[0] = f"{header}{sep}{pieces[0]}" if header else pieces[0]
    if footer:
        pieces[-1] = f"{pieces[-1]}\n\n{footer}"
    return pieces


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """The inline keyboard for a ``Reply``'s buttons (None when there are none)."""
    built = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows if row]
    return InlineKeyboardMarkup(built) if built else None


def mention(user_id: str | int, name: str) -> str:
    return f'<a href="tg://user?id={int(user_id)}">{escape(name)}</a>'
