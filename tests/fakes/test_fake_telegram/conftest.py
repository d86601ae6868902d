"""Fixtures of the fake Telegram's self-tests: no network but loopback, a fake with chats, a Bot."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import telegram

from tests.fakes.telegram import FakeTelegram
from tests.fakes.test_fake_telegram.helpers import ANA, BRUNO, HELPDESK, PLAIN_GROUP


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail any connection attempt to a non-loopback address (and ignore proxy settings)."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    attempts: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def is_local(sock: socket.socket, address: Any) -> bool:
        if sock.family == socket.AF_UNIX:
            return True
        host = address[0] if isinstance(address, tuple) else address
        return host in ("localhost", "::1") or str(host).startswith("127.")

    def connect(sock: socket.socket, address: Any) -> None:
        if not is_local(sock, address):
            attempts.append(address)
            raise ConnectionRefusedError(f"test tried to reach {address}")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not is_local(sock, address):
            attempts.append(address)
            return 111
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert not attempts, f"tests must stay offline, tried {attempts}"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.add_private_chat(ANA, "Ana")
        server.add_private_chat(BRUNO, "Bruno", language_code="en", username="bruno")
        server.add_group(HELPDESK, "Suporte N1", is_forum=True)
        server.add_group(PLAIN_GROUP, "Família")
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(fake.token, base_url=fake.base_url,
                            base_file_url=fake.base_file_url) as client:
        yield client
