"""Slack's mrkdwn at the edges: escape what people wrote, read back what Slack sends, split long texts.

Slack treats ``&``, ``<`` and ``>`` as control characters in message text, and
sends them escaped in events (``&lt;`` ...). Mentions, channels and links come
as ``<@U123>``, ``<#C123|suporte>`` and ``<https://x|label>``; ``to_plain``
turns them into text a client on another platform can read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Slack's limits we stay within (https://api.slack.com/reference/block-kit/blocks)
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
FALLBACK_TEXT_LIMIT = 3000

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def escape(text: str) -> str:
    """Make user-written text safe inside mrkdwn (no accidental mentions or links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack message text -> plain text (mentions by name, links as ``label (url)``)."""
    names = names or {}

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or names.get(target[1:], target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            word = target[1:].split("^", 1)[0]
            return label or _SPECIAL.get(word, "")
        url = target[len("mailto:"):] if target.startswith("mailto:") else target
        if label and label != url:
            return f"{label} ({url})"
        return url

    return unescape(_LINK.sub(replace, text))


def _escaped_len(ch: str) -> int:
    return 5 if ch == "&" else 4 if ch in "<>" else 1


def escaped_chunks(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Escape ``text`` and cut it into pieces of at most ``limit`` characters.

    Cuts at a paragraph, line or word boundary when one is in the second half of
    the piece, never inside an escape sequence.
    """
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        size, cut = 0, 0
        for ch in rest:
            size += _escaped_len(ch)
            if size > limit:
                break
            cut += 1
        if cut < len(rest):
            window = rest[:cut]
            for sep in ("\n\n", "\n", " "):
                at = window.rfind(sep)
                if at > cut // 2:
                    cut = at
                    break
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            chunks.append(escape(piece))
    return chunks


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clip_escaped(text: str, limit: int) -> str:
    """Escaped ``text`` of at most ``limit`` characters (the first chunk, marked if cut)."""
    chunks = escaped_chunks(text, limit - 1)
    if not chunks:
        return ""
    return chunks[0] + ("…" if len(chunks) > 1 else "")


def quoted_chunks(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Escaped ``text`` as mrkdwn block quotes, in pieces of at most ``limit`` characters."""
    # "> " doubles a one-character line at worst: cut the text at half the limit.
    return ["\n".join(f"> {line}" if line.strip() else ">" for line in chunk.splitlines())
            for chunk in escaped_chunks(text, limit // 2)]
