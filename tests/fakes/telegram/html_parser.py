"""Telegram's HTML parse mode: a port of TDLib's parse_html (td/telegram/MessageEntity.cpp).

`parse_html` turns Telegram HTML into the plain text the user reads plus message
entities with UTF-16 offsets, and raises `HtmlParseError` with TDLib's wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .records import JSON

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
