"""Fixtures of the fake Slack's self-tests: no SLACK_* variables, a fake workspace, clients."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # SLACK_CLIENT_ID/SECRET would switch Bolt to OAuth mode; SLACK_* tokens leak config
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        f.add_user("U1", "ana.souza", email="ana@example.com", locale="pt-BR")
        f.add_user("U2", "bob", email="bob@example.com", locale="en-US")
        f.add_channel("C1", "suporte")
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.token, base_url=fake.base_url)


@pytest.fixture
def aclient(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.token, base_url=fake.base_url)
