"""``chamado serve`` as a process: /healthz while running; SIGTERM/SIGINT finish the work in hand and exit 0.

The bot runs in a subprocess against FakeTelegram (long polling) and a fresh
PostgreSQL database prepared with ``chamado init --demo``.
"""

from __future__ import annotations

import asyncio
import json
import signal
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from chamado.app import build_dispatcher, build_helpdesk
from chamado.serve import ServeOptions, Service, start, stop
from chamado.settings import Settings
from core.store.db import Database
from tests.fakes.telegram import updates as u
from tests.service.conftest import ServiceFactory
from tests.service.helpers import ServiceFake, Store, faq_questions, helpdesk, make_clients

CLIENTS = 8
QUESTIONS_EACH = 3  # at once, before SIGTERM; one more each while it stops


@pytest.mark.slow
def test_sigterm_with_messages_in_flight_exits_0_and_loses_no_reply(
        service_db: str, fake: ServiceFake, services: ServiceFactory, tmp_path: Path) -> None:
    desk = helpdesk(service_db)
    clients = make_clients(desk, fake, CLIENTS)
    desk.db.dispose()
    store = Store(service_db)
    questions = faq_questions()
    worker = services(service_db, name="first")
    worker.wait_healthy()
    with urllib.request.urlopen(f"{worker.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read())["status"] == "ok"

    update_ids = []
    for turn in range(QUESTIONS_EACH):
        for index, client in enumerate(clients):
            question = questions[(index * QUESTIONS_EACH + turn) % len(questions)]
            update_ids.append(fake.queue_update(u.text_message(client.user_id, question, first_name=client.name)))
    fake.wait_for(lambda: any(fake.sent_messages(c.user_id) for c in clients), timeout=20)

    worker.send_signal(signal.SIGTERM)  # while most of the messages are still being handled
    for index, client in enumerate(clients):  # and more keep coming while it stops
        question = questions[(index + 1) % len(questions)]
        update_ids.append(fake.queue_update(u.text_message(client.user_id, question, first_name=client.name)))
    assert worker.wait(timeout=15) == 0
    assert "stopped" in worker.log()

    # What the stopped worker confirmed to Telegram, it handled: the replies are in the outbox.
    unconfirmed = {q["update_id"] for q in fake.pending_updates}
    acknowledged = {str(uid) for uid in update_ids if uid not in unconfirmed}
    assert acknowledged <= store.processed()

    # Restarted, the bot takes the rest and delivers whatever was left in the outbox.
    again = services(service_db, name="second")
    again.wait_healthy()
    for client in clients:
        fake.wait_for_messages(client.user_id, QUESTIONS_EACH + 1, timeout=30)
    fake.wait_for(lambda: store.pending() == 0 and not fake.pending_updates, timeout=30)
    assert again.stop() == 0

    assert store.processed() >= {str(uid) for uid in update_ids}
    for client in clients:  # exactly one answer per question, none twice
        texts = fake.texts(client.user_id)
        assert len(texts) == QUESTIONS_EACH + 1, texts
        assert sorted(texts) == sorted(store.reply_texts(client.user_id))
    assert store.statuses() == {"DELIVERED": CLIENTS * (QUESTIONS_EACH + 1)}
    store.close()


@pytest.mark.slow
def test_sigint_stops_cleanly_and_health_says_ok_while_running(
        service_db: str, fake: ServiceFake, services: ServiceFactory) -> None:
    worker = services(service_db, name="webhook", webhook=True)
    worker.wait_healthy()
    assert fake.webhook_info["url"] == worker.webhook_url
    worker.send_signal(signal.SIGINT)
    assert worker.wait(timeout=15) == 0
    assert "stopped" in worker.log()


class TelegramBot:
    """A stand-in adapter (named like the real one, so ``start`` mounts its webhook) whose
    handler holds an update in flight until the test releases it."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.calls: list[str] = []

    async def initialize(self) -> None:
        self.calls.append("initialize")

    async def set_webhook(self, url: str, secret: str) -> None:
        self.calls.append("set_webhook")

    async def webhook_handler(self, request: web.Request) -> web.Response:
        self.entered.set()
        await self.release.wait()
        return web.Response(text="ok")

    async def stop_receiving(self) -> None:
        self.calls.append("stop_receiving")

    async def shutdown(self) -> None:
        self.calls.append("shutdown")


async def test_stopping_answers_503_to_new_updates_and_waits_for_the_one_in_flight(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    db = Database(url)
    db.upgrade()
    settings = Settings(database_url=url, telegram_webhook_secret="s3cret")
    desk = build_helpdesk(settings, db, analyst_desks=("test",))
    adapter = TelegramBot()
    options = ServeOptions(telegram=True, webhook_url="http://127.0.0.1:9/telegram/webhook", host="127.0.0.1",
                           port=0)
    service = Service(settings, options, db, build_dispatcher(desk, {}), [adapter], desk=desk)
    await start(service)
    assert service.runner is not None
    base = f"http://127.0.0.1:{service.runner.addresses[0][1]}"
    async with aiohttp.ClientSession() as http:

        async def post() -> int:
            async with http.post(f"{base}/telegram/webhook", json={}) as response:
                return response.status

        in_flight = asyncio.create_task(post())
        await asyncio.wait_for(adapter.entered.wait(), 10)
        stopping = asyncio.create_task(stop(service))
        while service.accepting:
            await asyncio.sleep(0.01)
        assert await post() == 503  # a new update goes elsewhere (or comes back later)
        async with http.get(f"{base}/healthz") as response:
            assert (response.status, await response.json()) == (503, {"status": "stopping"})
        await asyncio.sleep(0.1)
        assert not stopping.done()  # the update in flight is awaited...
        adapter.release.set()
        assert await in_flight == 200  # ...and answered
        assert await stopping is True
    assert adapter.calls == ["initialize", "set_webhook", "stop_receiving", "shutdown"]
