"""Shared request validation of the fake Slack: errors, Block Kit rules, message content.

`_SlackError` is an ``{"ok": false, "error": ...}`` answer; `block_kit_errors`
checks blocks against the subset of Slack's rules a help-desk bot can trip over
(Slack-style ``json-pointer`` messages); `_check_content` applies Slack's text
and blocks rules to anything that posts a message (chat.*, response URLs);
`_decode_json_fields` decodes form-encoded JSON arguments.
"""

from __future__ import annotations

import copy
import json
from typing import Any

MAX_TEXT_CHARS = 40_000


class _SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, int | str) and str(value).lower() in ("1", "true"))


def _decode_json_fields(args: dict[str, Any]) -> None:
    for key in ("blocks", "attachments", "metadata", "view"):
        value = args.get(key)
        if isinstance(value, str):
            try:
                args[key] = json.loads(value)
            except ValueError:
                if key == "blocks":
                    raise _SlackError("invalid_blocks_format") from None


def _check_content(args: dict[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
    text = args.get("text")
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    blocks = args.get("blocks")
    if blocks is not None:
        errors = block_kit_errors(blocks)
        if errors:
            raise _SlackError(
                "invalid_blocks",
                errors=errors,
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )
    if not text and not blocks and not args.get("attachments"):
        raise _SlackError("no_text")
    if len(text) > MAX_TEXT_CHARS:
        raise _SlackError("msg_too_long")
    return text, copy.deepcopy(blocks)


# Block Kit: the subset of Slack's rules a help-desk bot can trip over

_BLOCK_TYPES = frozenset({"section", "context", "actions", "divider", "header", "rich_text", "input", "image"})
_INTERACTIVE_ELEMENTS = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "timepicker",
        "overflow",
        "radio_buttons",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "plain_text_input",
        "email_text_input",
        "number_input",
        "url_text_input",
        "rich_text_input",
        "workflow_button",
    }
)
_RICH_TEXT_ELEMENTS = frozenset({"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"})
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_URL = 3000


def block_kit_errors(blocks: Any) -> list[str]:
    """Slack-style error strings (``"<problem> [json-pointer:/blocks/0/text]"``) for
    ``blocks``; an empty list means the blocks are valid."""
    errors: list[str] = []

    def err(pointer: str, problem: str) -> None:
        errors.append(f"{problem} [json-pointer:{pointer}]")

    def text_obj(obj: Any, p: str, *, max_len: int, plain_only: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                err(p, "must provide an object")
            return
        if not isinstance(obj, dict):
            err(p, "must provide an object")
            return
        kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            err(f"{p}/type", f"must be one of: {', '.join(kinds)}")
        text = obj.get("text")
        if not isinstance(text, str):
            err(f"{p}/text", "must be a string")
        elif len(text) == 0:
            err(f"{p}/text", "must be more than 0 characters")
        elif len(text) > max_len:
            err(f"{p}/text", f"must be less than {max_len + 1} characters")

    def max_str(value: Any, p: str, limit: int, *, required: bool = False, name: str = "") -> None:
        if value is None:
            if required:
                err(p.rsplit("/", 1)[0], f"missing required field: {name or p.rsplit('/', 1)[1]}")
            return
        if not isinstance(value, str):
            err(p, "must be a string")
        elif len(value) > limit:
            err(p, f"must be less than {limit + 1} characters")
        elif required and not value:
            err(p, "must be more than 0 characters")

    def element(el: Any, p: str) -> None:
        if not isinstance(el, dict):
            err(p, "must provide an object")
            return
        etype = el.get("type")
        if etype not in _INTERACTIVE_ELEMENTS:
            err(f"{p}/type", f"unsupported type: {etype}")
            return
        if etype == "button":
            # Slack generates an action_id when it is missing; chamado's dialog routes on
            # action_id, so the fake insists on it (a button without one is a bug here).
            max_str(el.get("action_id"), f"{p}/action_id", MAX_ID, required=True)
            text_obj(el.get("text"), f"{p}/text", max_len=MAX_BUTTON_TEXT, plain_only=True)
            max_str(el.get("value"), f"{p}/value", MAX_BUTTON_VALUE)
            max_str(el.get("url"), f"{p}/url", MAX_URL)
            style = el.get("style")
            if style is not None and style not in ("primary", "danger"):
                err(f"{p}/style", "must be one of: primary, danger")
        else:
            max_str(el.get("action_id"), f"{p}/action_id", MAX_ID)

    if not isinstance(blocks, list):
        err("/blocks", "must provide an array")
        return errors
    if len(blocks) > MAX_BLOCKS:
        err("/blocks", f"no more than {MAX_BLOCKS} items allowed")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        p = f"/blocks/{i}"
        if not isinstance(block, dict):
            err(p, "must provide an object")
            continue
        btype = block.get("type")
        if btype not in _BLOCK_TYPES:
            err(f"{p}/type", f"unsupported type: {btype}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > MAX_ID:
                err(f"{p}/block_id", f"must be a string of 1 to {MAX_ID} characters")
            elif block_id in seen_ids:
                err(f"{p}/block_id", f"duplicate block_id: {block_id}")
            else:
                seen_ids.add(block_id)
        if btype == "section":
            if block.get("text") is None and block.get("fields") is None:
                err(p, "must provide one of: text, fields")
            text_obj(block.get("text"), f"{p}/text", max_len=MAX_SECTION_TEXT, required=False)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or not fields:
                    err(f"{p}/fields", "must provide a non-empty array")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        err(f"{p}/fields", f"no more than {MAX_SECTION_FIELDS} items allowed")
                    for j, f in enumerate(fields):
                        text_obj(f, f"{p}/fields/{j}", max_len=MAX_FIELD_TEXT)
            if block.get("accessory") is not None:
                acc = block["accessory"]
                if isinstance(acc, dict) and acc.get("type") == "image":
                    max_str(acc.get("image_url"), f"{p}/accessory/image_url", MAX_URL, required=True)
                else:
                    element(acc, f"{p}/accessory")
        elif btype == "header":
            text_obj(block.get("text"), f"{p}/text", max_len=MAX_HEADER_TEXT, plain_only=True)
        elif btype == "context":
            els = block.get("elements")
            if not isinstance(els, list) or not els:
                err(f"{p}/elements", "must provide a non-empty array")
                continue
            if len(els) > MAX_CONTEXT_ELEMENTS:
                err(f"{p}/elements", f"no more than {MAX_CONTEXT_ELEMENTS} items allowed")
            for j, el in enumerate(els):
                ep = f"{p}/elements/{j}"
                if isinstance(el, dict) and el.get("type") == "image":
                    max_str(el.get("image_url"), f"{ep}/image_url", MAX_URL, required=True)
                    max_str(el.get("alt_text"), f"{ep}/alt_text", 2000, required=True)
                else:
                    text_obj(el, ep, max_len=MAX_SECTION_TEXT)
        elif btype == "actions":
            els = block.get("elements")
            if not isinstance(els, list) or not els:
                err(f"{p}/elements", "must provide a non-empty array")
                continue
            if len(els) > MAX_ACTIONS_ELEMENTS:
                err(f"{p}/elements", f"no more than {MAX_ACTIONS_ELEMENTS} items allowed")
            for j, el in enumerate(els):
                element(el, f"{p}/elements/{j}")
        elif btype == "image":
            if block.get("image_url") is None and block.get("slack_file") is None:
                err(p, "must provide one of: image_url, slack_file")
            max_str(block.get("image_url"), f"{p}/image_url", MAX_URL)
            max_str(block.get("alt_text"), f"{p}/alt_text", 2000, required=True)
            text_obj(block.get("title"), f"{p}/title", max_len=2000, plain_only=True, required=False)
        elif btype == "input":
            text_obj(block.get("label"), f"{p}/label", max_len=2000, plain_only=True)
            el = block.get("element")
            if el is None:
                err(p, "missing required field: element")
            else:
                element(el, f"{p}/element")
        elif btype == "rich_text":
            els = block.get("elements")
            if not isinstance(els, list):
                err(f"{p}/elements", "must provide an array")
                continue
            for j, el in enumerate(els):
                if not isinstance(el, dict) or el.get("type") not in _RICH_TEXT_ELEMENTS:
                    err(f"{p}/elements/{j}/type", "unsupported rich text element")
    return errors
