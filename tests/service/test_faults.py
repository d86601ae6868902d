"""``chamado serve`` under faults: two workers on one database, the platform down, the database
restarted, a worker killed with SIGKILL. Each worker is a real subprocess; FakeTelegram plays
Telegram, and the test plays the load balancer by POSTing updates to the workers' webhooks.
"""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from chamado.serve import ServeOptions, build_service, stop
from chamado.settings import Settings
from core.store.db import Database
from tests.service.conftest import ServiceFactory
from tests.service.helpers import (
    ANA,
    ANALYSTS_CHAT,
    Client,
    Cluster,
    ServiceFake,
    ServiceProcess,
    Store,
    chamado_init,
    deliver,
    faq_questions,
    helpdesk,
    make_clients,
    open_ticket,
    post_update,
    wait_until,
)

JSON = dict[str, Any]


async def test_backoff_and_lease_of_the_dispatcher_come_from_settings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    Database(url).upgrade()
    settings = Settings(database_url=url, telegram_bot_token="123:abc", telegram_analysts_chat_id=-100,
                        outbox_base_backoff=0.5, outbox_max_backoff=4, outbox_lease_seconds=30)
    service = await build_service(settings, ServeOptions(telegram=True, dispatch=False))
    try:
        dispatcher = service.dispatcher
        assert (dispatcher.base_backoff, dispatcher.max_backoff) == (0.5, 4)
        assert dispatcher.lease == timedelta(seconds=30)
        assert [dispatcher.backoff(n) for n in range(1, 6)] == [0.5, 1, 2, 4, 4]
    finally:
        await stop(service)


# --- two workers, one database ---------------------------------------------------------------

ROUTES = ("a", "b", "both", "telegram")


class Balancer:
    """Sends each update to worker A, worker B, both (a retried request), or through the fake's
    own webhook delivery (which points at A); then waits until it is handled and answered."""

    def __init__(self, http: aiohttp.ClientSession, fake: ServiceFake, store: Store,
                 a: ServiceProcess, b: ServiceProcess, seed: int) -> None:
        self.http, self.fake, self.store, self.a, self.b = http, fake, store, a, b
        self.rng = random.Random(seed)
        self.routes: Counter[str] = Counter()

    async def turn(self, update: JSON) -> None:
        route = self.rng.choice(ROUTES)
        self.routes[route] += 1
        uid = update["update_id"]
        if route == "both":
            statuses = await asyncio.gather(post_update(self.http, self.a.webhook_url, update),
                                            post_update(self.http, self.b.webhook_url, update))
            assert list(statuses) == [200, 200]
        elif route == "telegram":
            self.fake.queue_update(update)
            await self.fake.await_for(
                lambda: any(d.update_id == uid and d.status == 200 for d in self.fake.deliveries), 30)
        else:
            worker = self.a if route == "a" else self.b
            assert await post_update(self.http, worker.webhook_url, update) == 200
        await wait_until(lambda: self.store.turn_done(uid), 30, f"update {uid} answered")


async def open_ticket_through_buttons(turn: Callable[[JSON], Awaitable[None]], fake: ServiceFake,
                                      client: Client, question: str) -> list[int]:
    """FAQ answer, "Não", open, module, criticality, description, confirm, then a follow-up."""
    chat = client.user_id
    steps: list[Callable[[], JSON]] = [
        lambda: fake.text_update(chat, question, client.name),
        lambda: fake.press_update(chat, "Não"),
        lambda: fake.press_update(chat, "Abrir chamado"),
        lambda: fake.press_update(chat, "Fiscal"),
        lambda: fake.press_update(chat, "Alta"),
        lambda: fake.text_update(chat, f"A nota de {client.name} não grava desde ontem.", client.name),
        lambda: fake.press_update(chat, "Confirmar"),
        lambda: fake.text_update(chat, f"Mais um detalhe de {client.name}: acontece só à tarde.", client.name),
    ]
    sent = []
    for step in steps:
        update = step()
        await turn(update)
        sent.append(update["update_id"])
    return sent


@pytest.mark.slow
async def test_two_workers_on_one_database_handle_each_update_and_send_each_reply_once(
        service_db: str, fake: ServiceFake, services: ServiceFactory) -> None:
    desk = helpdesk(service_db)
    clients = make_clients(desk, fake, 8)
    desk.db.dispose()
    store = Store(service_db)
    a = services(service_db, name="a", webhook=True)
    b = services(service_db, name="b", webhook=a.webhook_url)  # Telegram's webhook stays on A
    await asyncio.to_thread(a.wait_healthy)
    await asyncio.to_thread(b.wait_healthy)
    questions = faq_questions()
    async with aiohttp.ClientSession() as http:
        balancers = [Balancer(http, fake, store, a, b, seed=i) for i in range(len(clients))]
        sent = await asyncio.gather(*(
            open_ticket_through_buttons(balancer.turn, fake, client, questions[i % len(questions)])
            for i, (balancer, client) in enumerate(zip(balancers, clients, strict=True))))
    await wait_until(lambda: store.pending() == 0, 30, "outbox drained")
    assert a.stop() == 0
    assert b.stop() == 0

    routes = sum((balancer.routes for balancer in balancers), Counter())
    assert set(routes) == set(ROUTES), routes  # every path, including the same update to both workers
    # Every update handled once (and only the ones sent), one ticket per client.
    assert store.processed() == {str(uid) for ids in sent for uid in ids}
    assert store.tickets_by_contact() == {client.contact_id: 1 for client in clients}
    # Every notification delivered, each with a single attempt; nothing failed.
    statuses = store.statuses()
    assert set(statuses) == {"DELIVERED"}
    assert store.scalar("SELECT max(attempts) FROM outbox") == 1
    # What each client saw: exactly the replies queued for them, none twice.
    for client in clients:
        texts = fake.texts(client.user_id)
        assert Counter(texts) == Counter(store.reply_texts(client.user_id))
        assert len(texts) == store.client_rows(client.user_id)
        assert sum(text.startswith("Chamado ") and "aberto" in text for text in texts) == 1
    # The analysts: one topic per ticket, nothing posted twice.
    assert len(fake.topics) == len(clients)
    group = Counter(fake.texts(ANALYSTS_CHAT))
    assert group and max(group.values()) == 1, group
    store.close()


# --- the chat platform down -------------------------------------------------------------------


@pytest.mark.slow
async def test_platform_answering_500_then_down_then_back_delivers_everything_once_in_order(
        service_db: str, fake: ServiceFake, services: ServiceFactory) -> None:
    desk = helpdesk(service_db)
    [client] = make_clients(desk, fake, 1)
    desk.link_analyst("ana@suporte.example", "telegram", str(ANA))
    open_ticket(desk, client)
    desk.db.dispose()
    store = Store(service_db)
    worker = services(service_db, webhook=True)  # OUTBOX_BASE_BACKOFF=0.2, OUTBOX_MAX_BACKOFF=1
    await asyncio.to_thread(worker.wait_healthy)
    await wait_until(lambda: store.pending() == 0, 20, "the ticket posted to the analysts")
    [topic] = fake.topics

    fake.fail_next(times=100_000, status=500)  # Telegram answers 500 to everything...
    script = [("client", "primeira mensagem"), ("client", "segunda mensagem"), ("analyst", "resposta um"),
              ("client", "terceira mensagem"), ("analyst", "resposta dois")]
    async with aiohttp.ClientSession() as http:
        for who, body in script:
            update = (fake.text_update(client.user_id, body, client.name) if who == "client"
                      else fake.group_update(ANA, body, topic.message_thread_id))
            assert await post_update(http, worker.webhook_url, update) == 200
    await fake.await_for(lambda: fake.failed_sends() >= 6, 20)
    fake.go_down()  # ...then refuses connections...
    await wait_until(lambda: store.scalar(
        "SELECT count(*) FROM outbox WHERE status = 'PENDING' AND last_error ILIKE '%connect%'"), 20,
        "a delivery refused")
    fake.clear()  # (no fault left; what the fake records from now on is what got through)
    fake.come_back()  # ...and comes back.
    await wait_until(lambda: store.pending() == 0 and store.scalar(
        "SELECT count(*) FROM outbox WHERE kind = 'relayed'") == 2, 30, "everything delivered")
    assert worker.stop() == 0

    def label(text: str) -> str:
        for _who, body in script:
            if body in text:
                return body
        return "anotado" if text.startswith("Anotado no chamado") else text

    # The client's chat: each confirmation and each analyst answer once, in the order they were written.
    assert [label(t) for t in fake.texts(client.user_id)] == [
        "anotado", "anotado", "resposta um", "anotado", "resposta dois"]
    # The ticket's topic: the client's messages once each, in order; each relay confirmed once.
    relayed = [label(t) for t in fake.texts(ANALYSTS_CHAT, topic.message_thread_id)
               if any(body in t for _w, body in script)]
    assert relayed == ["primeira mensagem", "segunda mensagem", "terceira mensagem"]
    assert len(fake.reactions) == 2
    assert set(store.statuses()) == {"DELIVERED"}
    assert store.scalar("SELECT count(*) FROM outbox WHERE attempts > 2") > 0  # it did retry, more than once
    store.close()


# --- the database restarted under load -------------------------------------------------------


async def keep_talking(send: Callable[[JSON], Awaitable[Any]], fake: ServiceFake, store: Store,
                       client: Client, bodies: list[str], done: list[JSON]) -> None:
    """Send messages one after the other, each once it was taken and answered."""
    for body in bodies:
        update = fake.text_update(client.user_id, body, client.name)
        await send(update)
        done.append(update)
        uid = update["update_id"]
        await wait_until(lambda: store.turn_done(uid), 60, f"{body!r} answered")  # noqa: B023


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_database_restart_under_load_loses_nothing_acknowledged(
        mode: str, cluster: Cluster, fake: ServiceFake, services: ServiceFactory, tmp_path: Path) -> None:
    """Webhook: an update that arrives while the database is down is held (the handler waits for the
    database) and answered 200 once it is back, or answered 500 and delivered again. Polling: Telegram
    already counts a fetched update as delivered, so the handler's waiting is what keeps it."""
    chamado_init(cluster.url, tmp_path)
    desk = helpdesk(cluster.url)
    clients = make_clients(desk, fake, 6)
    late = make_clients(desk, fake, 2, first_user=clients[-1].user_id + 1)  # write while the database is down
    for client in clients[:3]:
        open_ticket(desk, client, subject=f"Erro de {client.name}")
    desk.db.dispose()
    store = Store(cluster.url)
    worker = services(cluster.url, webhook=mode == "webhook")
    await asyncio.to_thread(worker.wait_healthy)
    questions = faq_questions()
    rounds = 6
    done: list[JSON] = []
    async with aiohttp.ClientSession() as http:

        async def send(update: JSON) -> list[int | None]:
            if mode == "polling":
                fake.queue_update(update)
                return []
            return await deliver(http, [worker.webhook_url], update, timeout=90)

        talks = []
        for index, client in enumerate(clients):
            bodies = ([f"{client.name}: detalhe {n}" for n in range(rounds)] if client.ticket
                      else [questions[(index + n) % len(questions)] for n in range(rounds)])
            talks.append(asyncio.create_task(keep_talking(send, fake, store, client, bodies, done)))
        await wait_until(lambda: len(done) >= len(clients), 30, "the conversations under way")
        await asyncio.to_thread(cluster.stop, "fast")  # connections are cut in the middle of the work
        await wait_until(lambda: worker.health() == 503, 20, "/healthz to report the database down")
        during = [fake.text_update(client.user_id, questions[0], client.name) for client in late]
        posts = [asyncio.create_task(send(update)) for update in during]
        await wait_until(lambda: "while handling an update" in worker.log(tail=400), 20,
                         "a handler waiting for the database")
        await asyncio.to_thread(cluster.start)
        # The updates that came in while the database was down were held and handled, not refused.
        assert [await post for post in posts] == ([[200], [200]] if mode == "webhook" else [[], []])
        await asyncio.gather(*talks)
        done.extend(during)
        for update in during:
            uid = update["update_id"]
            await wait_until(lambda: store.turn_done(uid), 30, "the late questions answered")  # noqa: B023
    await wait_until(lambda: store.pending() == 0, 30, "outbox drained")
    assert worker.health() == 200
    assert worker.stop() == 0

    # Every message the bot accepted is in the database, once.
    assert {str(update["update_id"]) for update in done} <= store.processed()
    for client in clients:
        if client.ticket:
            for n in range(rounds):
                assert store.message_count(f"{client.name}: detalhe {n}") == 1
    # Every reply the clients saw was queued once and delivered once; every queued reply arrived.
    for client in clients + late:
        assert Counter(fake.texts(client.user_id)) == Counter(store.reply_texts(client.user_id))
    for client in late:
        assert len(fake.texts(client.user_id)) == 1
    assert set(store.statuses()) == {"DELIVERED"}
    store.close()


# --- a worker killed mid-conversation ----------------------------------------------------------


@pytest.mark.slow
async def test_sigkill_between_criticality_and_confirmation_then_restart_continues_without_duplicates(
        service_db: str, fake: ServiceFake, services: ServiceFactory) -> None:
    desk = helpdesk(service_db)
    [client] = make_clients(desk, fake, 1)
    desk.db.dispose()
    store = Store(service_db)
    chat = client.user_id
    first = services(service_db, name="first", webhook=True)
    await asyncio.to_thread(first.wait_healthy)
    async with aiohttp.ClientSession() as http:

        async def turn(update: JSON, worker: ServiceProcess) -> None:
            assert await post_update(http, worker.webhook_url, update) == 200
            await wait_until(lambda: store.turn_done(update["update_id"]), 30, "the turn answered")

        await turn(fake.text_update(chat, faq_questions()[0], client.name), first)
        for label in ("Não", "Abrir chamado", "Fiscal", "Alta"):
            await turn(fake.press_update(chat, label), first)
        await turn(fake.text_update(chat, "Ao gravar a nota aparece 'falha ao gravar'.", client.name), first)
        assert "Confirmar" in fake.newest_with_button(chat, "Confirmar").button_texts

        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL

        second = services(service_db, name="second", webhook=True)
        await asyncio.to_thread(second.wait_healthy)
        confirm = fake.press_update(chat, "Confirmar")  # the conversation goes on where it was
        await turn(confirm, second)
        for _ in range(2):  # Telegram delivering the same press again
            await turn(confirm, second)
        await wait_until(lambda: store.pending() == 0, 20, "outbox drained")
    assert second.stop() == 0

    assert store.tickets_by_contact() == {client.contact_id: 1}
    opened = [t for t in fake.texts(chat) if t.startswith("Chamado ") and "aberto" in t]
    assert len(opened) == 1, fake.texts(chat)
    assert Counter(fake.texts(chat)) == Counter(store.reply_texts(chat))
    assert len(fake.topics) == 1
    store.close()
