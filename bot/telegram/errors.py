"""How Bot API failures become outbox outcomes.

    TelegramError
    ├── RetryAfter (429)                  -> RetryLater(after=retry_after)
    ├── Forbidden (blocked, kicked)       -> Undeliverable
    ├── NetworkError
    │   ├── BadRequest "chat not found"   -> Undeliverable
    │   ├── BadRequest (anything else)    -> Undeliverable (retrying cannot fix it)
    │   ├── TimedOut                      -> RetryLater
    │   └── 5xx, connection refused       -> RetryLater
    └── anything else (InvalidToken ...)  -> RetryLater

Edits that change nothing ("message is not modified") or whose message is gone
are not failures: a button press is shown once however often it is delivered.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from core.outbox import RetryLater, Undeliverable

_HARMLESS_EDIT = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
)
_THREAD_GONE = ("message thread not found", "topic_id_invalid", "topic_deleted", "topic_closed")


def retry_after_seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    with warnings.catch_warnings():  # PTB 22 warns when retry_after is read as an int
        warnings.simplefilter("ignore")
        raw = exc.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


def outcome(exc: TelegramError) -> RetryLater | Undeliverable:
    """The outbox exception for a failed Bot API call."""
    if isinstance(exc, RetryAfter):
        return RetryLater(f"rate limited: {exc.message}", after=retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        return Undeliverable(f"forbidden: {exc.message}")
    if isinstance(exc, BadRequest):
        return Undeliverable(f"bad request: {exc.message}")
    if isinstance(exc, NetworkError):
        return RetryLater(f"network: {exc.message}")
    return RetryLater(f"telegram: {exc.message}")


def is_harmless_edit(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return any(fragment in text for fragment in _HARMLESS_EDIT)


def thread_is_gone(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return any(fragment in text for fragment in _THREAD_GONE)


def not_modified(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return "not_modified" in text or "not modified" in text
