"""``chamado serve``: the long-lived service (Telegram and/or Slack, one outbox dispatcher).

One process runs the chat adapters, one outbox dispatcher for all of them, the
SLA scheduler, and (in webhook/HTTP mode) an aiohttp server with
``/telegram/webhook``, ``/slack/events``, ``/healthz`` and ``/metrics``. With
``--web`` (or WEB_ENABLED) that server is the web workspace's application
(``bot.web.build_web_app``), which needs no chat token at all.
SIGTERM/SIGINT stop taking updates, let the dispatcher finish the batch in
hand, and exit 0 within a bounded time.

Stopping, step by step (all of it within ``shutdown_timeout``):

1. Stop taking updates: webhook and Slack HTTP requests are answered 503 (the
   platform or the load balancer tries again, elsewhere or later) and /healthz
   says "stopping"; polling stops and confirms to Telegram only the updates it
   fetched, and every update already taken is handled to the end.
2. The dispatcher finishes its batch, then delivers what is due now (the
   replies to the last updates), without waiting for retries.
3. Chat clients, the HTTP server and the database pool are closed.

A second signal exits at once; so does a watchdog if closing hangs (exit 1).
Work cut short is not lost: updates not confirmed are fetched again, leased
outbox rows go out after their lease, from this process restarted or another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web

from chamado.adapters import slack_config, telegram_config
from chamado.app import build_dialog, build_dispatcher, build_email_deliverer, build_helpdesk, build_web_links
from chamado.settings import Settings
from core.errors import DomainError
from core.outbox import Deliverer, OutboxDispatcher, pending_count
from core.store.db import Database

log = logging.getLogger("chamado.serve")

DISPATCH_CONCURRENCY = 8  # rows of different streams delivered side by side
WATCHDOG_GRACE = 5.0  # seconds past shutdown_timeout before the process is ended regardless


class ConfigError(Exception):
    """A setting that makes starting impossible; reported in one line."""


@dataclass
class ServeOptions:
    telegram: bool = False
    slack: bool = False
    web: bool = False
    webhook_url: str | None = None
    host: str = "0.0.0.0"
    port: int = 8080
    dispatch: bool = True
    receive: bool = True
    shutdown_timeout: float = 20.0


@dataclass
class Service:
    settings: Settings
    options: ServeOptions
    db: Database
    dispatcher: OutboxDispatcher
    adapters: list[Any] = field(default_factory=list)
    runner: web.AppRunner | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    stoppers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    metrics: Any = None
    desk: Any = None
    accepting: bool = True
    inflight: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    clean: bool = True
    web_context: Any = None

    def guarded(self, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """An update route that refuses new requests once stopping and counts the ones in flight."""

        async def route(request: web.Request) -> web.StreamResponse:
            if not self.accepting:
                return web.Response(status=503, text="shutting down", headers={"Retry-After": "5"})
            self.inflight += 1
            self.idle.clear()
            try:
                return await handler(request)
            finally:
                self.inflight -= 1
                if self.inflight == 0:
                    self.idle.set()

        return route


def check_config(settings: Settings, options: ServeOptions) -> None:
    """Fail before anything starts, with one clear line."""
    if not options.telegram and not options.slack and not options.web:
        raise ConfigError("nada para servir: use --telegram, --slack e/ou --web")
    if options.web:
        from chamado.adapters import WebSecretMissing, web_secret

        if not settings.web_public_url.startswith(("http://", "https://")):
            raise ConfigError(f"WEB_PUBLIC_URL inválida: {settings.web_public_url}")
        try:
            web_secret(settings)
        except (WebSecretMissing, OSError) as exc:
            raise ConfigError(str(exc)) from None
    if options.telegram:
        if not settings.telegram_bot_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN não definido (necessário para --telegram)")
        if ":" not in settings.telegram_bot_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN inválido: o formato é 123456:ABC...")
        if settings.telegram_analysts_chat_id is None and not settings.slack_analysts_channel:
            raise ConfigError("defina TELEGRAM_ANALYSTS_CHAT_ID (ou SLACK_ANALYSTS_CHANNEL) para os analistas")
        webhook = options.webhook_url or settings.telegram_webhook_url
        if webhook and not webhook.startswith(("https://", "http://")):
            raise ConfigError(f"URL de webhook inválida: {webhook}")
        if webhook and not settings.telegram_webhook_secret:
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET não definido (obrigatório no modo webhook)")
    if options.slack:
        if not settings.slack_bot_token or not settings.slack_bot_token.startswith("xox"):
            raise ConfigError("SLACK_BOT_TOKEN não definido ou inválido (começa com xoxb-)")
        if not settings.slack_app_token and not settings.slack_signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET não definido (necessário no modo HTTP)")
        if not settings.slack_analysts_channel and settings.telegram_analysts_chat_id is None:
            raise ConfigError("defina SLACK_ANALYSTS_CHANNEL (ou TELEGRAM_ANALYSTS_CHAT_ID) para os analistas")
    if settings.outbox_max_backoff < settings.outbox_base_backoff:
        raise ConfigError("OUTBOX_MAX_BACKOFF menor que OUTBOX_BASE_BACKOFF")
    if settings.smtp_url:
        from bot.email import SmtpConfig

        try:
            SmtpConfig.from_url(settings.smtp_url, settings.smtp_from)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    for name in ("telegram_api_base_url", "slack_api_base_url"):
        value = getattr(settings, name)
        if value and not value.startswith(("http://", "https://")):
            raise ConfigError(f"{name.upper()} inválida: {value}")


async def healthz(service: Service, request: web.Request) -> web.Response:
    if not service.accepting:  # a load balancer stops sending updates here
        return web.json_response({"status": "stopping"}, status=503)
    try:
        backlog = await asyncio.to_thread(pending_count, service.db)
        status, db_ok = 200, True
    except Exception as exc:  # the database is down: say so, do not crash
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        backlog, status, db_ok = -1, 503, False
    return web.json_response({"status": "ok" if db_ok else "degraded", "database": db_ok,
                              "outbox_pending": backlog}, status=status)


async def build_service(settings: Settings, options: ServeOptions) -> Service:
    check_config(settings, options)
    db = Database(settings.database_url)
    try:
        await asyncio.to_thread(db.check_ready)
    except DomainError as exc:
        raise ConfigError(exc.render(settings.locale)) from None
    desk = build_helpdesk(settings, db)
    dialog = build_dialog(settings, desk, web=options.web)
    sign_in = build_web_links(settings, desk).sign_in if options.web else None
    deliverers: dict[str, Deliverer] = {}
    adapters: list[Any] = []
    if options.telegram:
        from bot.telegram.app import TelegramBot

        telegram = TelegramBot(telegram_config(settings, web_sign_in=sign_in), desk, dialog)
        deliverers["telegram"] = telegram.deliverer
        adapters.append(telegram)
    if options.slack:
        from bot.slack.app import SlackBot

        slack = SlackBot(slack_config(settings, web_sign_in=sign_in), desk, dialog)
        deliverers["slack"] = slack.deliverer
        adapters.append(slack)
    email = build_email_deliverer(settings, desk, web=options.web)
    if email is not None:
        deliverers["email"] = email
    dispatcher = build_dispatcher(
        desk, deliverers, base_backoff=settings.outbox_base_backoff, max_backoff=settings.outbox_max_backoff,
        lease=timedelta(seconds=settings.outbox_lease_seconds), concurrency=DISPATCH_CONCURRENCY,
    )
    service = Service(settings, options, db, dispatcher, adapters, desk=desk)
    if options.web:
        from chamado.app import build_web_context

        service.web_context = build_web_context(settings, desk)
    return service


async def start(service: Service) -> None:
    settings, options = service.settings, service.options
    if service.web_context is not None:
        from bot.web.app import build_web_app

        app = build_web_app(service.web_context)  # the service's routes below are left alone by its middlewares
    else:
        app = web.Application()
    async def health_route(request: web.Request) -> web.Response:
        return await healthz(service, request)

    app.router.add_get("/healthz", health_route)
    for adapter in service.adapters:
        await adapter.initialize()
        if not options.receive:
            continue  # a dispatch-only worker: delivers the outbox, takes no updates
        name = type(adapter).__name__
        if name == "TelegramBot":
            webhook = options.webhook_url or settings.telegram_webhook_url
            if webhook:
                app.router.add_route("*", "/telegram/webhook", service.guarded(adapter.webhook_handler))
                await adapter.set_webhook(webhook, settings.telegram_webhook_secret)
            else:
                await adapter.start_polling()
        elif name == "SlackBot":
            if settings.slack_app_token:
                await adapter.start_socket_mode()
            else:
                app.router.add_route("*", "/slack/events", service.guarded(adapter.http_handler))
    from chamado.metrics import add_metrics_route

    add_metrics_route(app, service)
    # Health and metrics are served in every mode; webhooks only when configured.
    service.runner = web.AppRunner(app, handle_signals=False)
    await service.runner.setup()
    site = web.TCPSite(service.runner, options.host, options.port)
    await site.start()
    log.info("listening on %s:%s", options.host, options.port)
    if service.web_context is not None:
        log.info("web workspace at %s (sign in: chamado web login EMAIL)", service.web_context.config.public_url)
    if options.dispatch:
        service.tasks.append(asyncio.create_task(service.dispatcher.run_forever(service.stop_event)))
        service.tasks.append(asyncio.create_task(sla_scheduler(service)))


async def sla_scheduler(service: Service) -> None:
    """Every SLA_SWEEP_SECONDS, warn analysts at 80% and at breach (once each, across workers)."""
    from chamado.app import sla_of

    sla = sla_of(service.desk) if service.desk else None
    if sla is None:
        return
    while not service.stop_event.is_set():
        try:
            raised = await asyncio.to_thread(sla.sweep)
            if raised:
                service.dispatcher.notify()
        except Exception:
            log.exception("SLA sweep failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(service.stop_event.wait(), timeout=service.settings.sla_sweep_seconds)


async def _bounded(work: Coroutine[Any, Any, Any], timeout: float, what: str) -> bool:
    """Await ``work`` for at most ``timeout`` seconds; False (logged) when it failed or ran out of time."""
    try:
        await asyncio.wait_for(work, max(0.05, timeout))
        return True
    except TimeoutError:
        log.warning("shutdown: %s did not finish in time", what)
    except Exception:
        log.exception("shutdown: %s failed", what)
    return False


async def stop(service: Service) -> bool:
    """Stop taking updates, finish those in flight, flush the dispatcher, close everything.

    Returns True when every step finished within ``shutdown_timeout``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + service.options.shutdown_timeout

    def left() -> float:
        return deadline - loop.time()

    clean = True
    # 1. No new updates; the ones already taken are handled to the end.
    service.accepting = False
    if service.inflight:
        clean &= await _bounded(service.idle.wait(), left(), "webhook requests in flight")
    for adapter in service.adapters:
        name = type(adapter).__name__
        receiving = getattr(adapter, "stop_receiving", None)
        if receiving is not None:
            clean &= await _bounded(receiving(), left(), f"{name}: updates in flight")
        else:
            clean &= await _bounded(adapter.stop(), left(), f"{name}: stop")
    # 2. The dispatcher finishes its batch, then sends what the last updates queued.
    service.stop_event.set()
    if service.tasks:
        _done, pending = await asyncio.wait(service.tasks, timeout=max(0.05, left()))
        for task in pending:
            task.cancel()
        if pending:
            clean = False
            log.warning("shutdown: background tasks cancelled", extra={"tasks": len(pending)})
            await asyncio.gather(*pending, return_exceptions=True)
    if service.options.dispatch and service.tasks:  # (not when starting failed half-way)
        clean &= await _bounded(service.dispatcher.drain(), left(), "outbox flush")
    # 3. Close the chat clients, the HTTP server, the database pool.
    for adapter in service.adapters:
        closing = getattr(adapter, "shutdown", None)
        if closing is not None:
            clean &= await _bounded(closing(), max(1.0, left()), f"{type(adapter).__name__}: shutdown")
    if service.runner is not None:
        clean &= await _bounded(service.runner.cleanup(), max(1.0, left()), "HTTP server")
    service.db.dispose()
    service.clean = clean
    return clean


def _watchdog(seconds: float) -> threading.Timer:
    """Ends the process if closing hangs (a thread stuck in I/O would keep it alive)."""

    def expire() -> None:
        log.error("shutdown took too long; exiting now")
        logging.shutdown()
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


async def serve(settings: Settings, options: ServeOptions) -> int:
    """Run until SIGTERM/SIGINT; 0 after a clean stop, 1 when it had to cut work short."""
    service = await build_service(settings, options)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def on_signal(sig: signal.Signals) -> None:
        if stopping.is_set():
            log.warning("second %s: exiting now", sig.name)
            logging.shutdown()
            os._exit(1)
        log.info("%s received; stopping", sig.name)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        await start(service)
    except BaseException:
        await stop(service)
        raise
    log.info("chamado serve started")
    await stopping.wait()
    log.info("shutting down")
    timer = _watchdog(options.shutdown_timeout + WATCHDOG_GRACE)
    clean = await stop(service)
    log.info("stopped" if clean else "stopped, with work cut short")
    timer.cancel()
    return 0 if clean else 1
