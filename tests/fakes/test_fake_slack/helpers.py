"""What the fake Slack's self-tests share: blocks, the signing secret, ``error_of``."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

SIGNING_SECRET = "test-signing-secret"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def buttons(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "resolveu",
        "elements": [
            {"type": "button", "action_id": aid, "text": {"type": "plain_text", "text": label}, "value": aid}
            for aid, label in pairs
        ],
    }


RESOLVEU = [section("Resolveu?"), buttons(("resolveu_sim", "Sim"), ("resolveu_nao", "Não"))]


def error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])
