"""Web API failures in the outbox's terms: ``RetryLater`` (try again) or ``Undeliverable`` (give up).

    SlackApiError / network error
    ├── HTTP 429, ``ratelimited``          -> RetryLater(after=Retry-After)
    ├── HTTP 5xx, network, timeouts        -> RetryLater (dispatcher backoff)
    ├── our token is bad (invalid_auth...) -> RetryLater(after=5 min): an operator fixes it, nothing is lost
    └── anything else (channel_not_found, user is not in channel, account_inactive, invalid_blocks...)
                                           -> Undeliverable
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError

from core.outbox import RetryLater, Undeliverable

log = logging.getLogger(__name__)

T = TypeVar("T")

TEMPORARY = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                       "request_timeout", "team_added_to_org"})
OUR_TOKEN = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "no_permission",
                       "missing_scope", "not_allowed_token_type"})
AUTH_RETRY_SECONDS = 300.0


def error_code(exc: SlackApiError) -> str:
    response = exc.response
    try:
        return str(response.get("error") or "")
    except Exception:  # a non-JSON body (a proxy's HTML page)
        return ""


def retry_after(exc: SlackApiError) -> float | None:
    headers: Any = getattr(exc.response, "headers", None) or {}
    value = None
    for key in ("Retry-After", "retry-after"):
        if key in headers:
            value = headers[key]
            break
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def classify(exc: SlackApiError) -> RetryLater | Undeliverable:
    status = int(getattr(exc.response, "status_code", 200) or 200)
    error = error_code(exc)
    if status == 429 or error == "ratelimited":
        return RetryLater("slack rate limit", after=retry_after(exc) or 1.0)
    if status >= 500 or error in TEMPORARY:
        return RetryLater(f"slack error {status} {error}".strip())
    if error in OUR_TOKEN:
        log.error("slack refused our token", extra={"error": error})
        return RetryLater(f"slack auth: {error}", after=AUTH_RETRY_SECONDS)
    return Undeliverable(f"slack: {error or status}")


async def deliver(call: Awaitable[T]) -> T:
    """Await one Web API call made for the outbox, translating its failures."""
    try:
        return await call
    except SlackApiError as exc:
        raise classify(exc) from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise RetryLater(f"slack unreachable: {exc!r}"[:300]) from exc
