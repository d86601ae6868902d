"""Signing and posting requests to a Bolt app the way Slack does.

``signed_headers`` signs a body (built with `requests`) with the app's signing
secret (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``); the forged variants
(``wrong_secret_headers``, ``unsigned_headers``, ``stale_headers``) and
``retry_headers`` cover what Bolt must reject or recognise.  ``post_signed``/
``apost_signed`` send them over HTTP (``post``/``apost`` with any headers).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping

import aiohttp

__all__ = [
    "apost",
    "apost_signed",
    "post",
    "post_signed",
    "retry_headers",
    "sign",
    "signed_headers",
    "stale_headers",
    "unsigned_headers",
    "wrong_secret_headers",
]

SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
MAX_CLOCK_SKEW = 60 * 5  # Bolt (slack_sdk SignatureVerifier) rejects older timestamps

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


# ------------------------------------------------------------------------ signing


def sign(body: str, signing_secret: str, timestamp: int | str) -> str:
    """``v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def _content_type(body: str) -> str:
    return JSON_TYPE if body.lstrip().startswith("{") else FORM_TYPE


def signed_headers(
    body: str, signing_secret: str, timestamp: int | None = None, *, content_type: str | None = None
) -> dict[str, str]:
    """The headers Slack sends with ``body``, signed with ``signing_secret``."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type or _content_type(body),
        "User-Agent": SLACK_USER_AGENT,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, signing_secret, ts),
    }


def wrong_secret_headers(body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a forger who does not know the signing secret."""
    return signed_headers(body, "not-the-signing-secret-" + uuid.uuid4().hex, timestamp)


def unsigned_headers(body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack-looking headers without ``X-Slack-Signature``."""
    headers = signed_headers(body, "irrelevant", timestamp)
    del headers["X-Slack-Signature"]
    return headers


def stale_headers(body: str, signing_secret: str, age_seconds: int = MAX_CLOCK_SKEW + 60) -> dict[str, str]:
    """Correctly signed, but with a timestamp ``age_seconds`` old (a replayed request)."""
    return signed_headers(body, signing_secret, int(time.time()) - age_seconds)


def retry_headers(num: int, reason: str = "http_timeout") -> dict[str, str]:
    """What Slack adds when it redelivers an event (reasons: http_timeout,
    http_error, too_many_redirects, connection_failed, ssl_error, unknown_error)."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


# ------------------------------------------------------------------------ transport


def post(url: str, body: str, headers: Mapping[str, str], *, timeout: float = 5.0) -> tuple[int, str]:
    """POST ``body`` with exactly ``headers`` (urllib); returns (status, text), also on 4xx/5xx."""
    req = urllib.request.Request(url, data=body.encode("utf-8"), headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def post_signed(
    url: str,
    body: str,
    signing_secret: str,
    *,
    timestamp: int | None = None,
    extra_headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, str]:
    """POST ``body`` signed like Slack would; returns (status, text)."""
    headers = {**signed_headers(body, signing_secret, timestamp), **(extra_headers or {})}
    return post(url, body, headers, timeout=timeout)


async def apost(url: str, body: str, headers: Mapping[str, str], *, timeout: float = 5.0) -> tuple[int, str]:
    """Async ``post`` (aiohttp)."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.post(url, data=body.encode("utf-8"), headers=dict(headers)) as resp,
    ):
        return resp.status, await resp.text()


async def apost_signed(
    url: str,
    body: str,
    signing_secret: str,
    *,
    timestamp: int | None = None,
    extra_headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, str]:
    """Async ``post_signed`` (aiohttp)."""
    headers = {**signed_headers(body, signing_secret, timestamp), **(extra_headers or {})}
    return await apost(url, body, headers, timeout=timeout)
