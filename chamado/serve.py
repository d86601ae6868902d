"""``chamado serve``: the long-lived service (Telegram and/or Slack, one outbox dispatcher).

One process runs the chat adapters, one outbox dispatcher for all of them, the
SLA scheduler, and (in webhook/HTTP mode) an aiohttp server with
``/telegram/webhook``, ``/slack/events``, ``/healthz`` and ``/metrics``.
SIGTERM/SIGINT stop taking updates, let the dispatcher finish the batch in
hand, and exit 0 within a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from chamado.app import build_dialog, build_dispatcher, build_email_deliverer, build_helpdesk
from chamado.settings import Settings
from core.errors import DomainError
from core.outbox import Deliverer, OutboxDispatcher, pending_count
from core.store.db import Database

log = logging.getLogger("chamado.serve")


class ConfigError(Exception):
    """A setting that makes starting impossible; reported in one line."""


@dataclass
class ServeOptions:
    telegram: bool = False
    slack: bool = False
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


def check_config(settings: Settings, options: ServeOptions) -> None:
    """Fail before anything starts, with one clear line."""
    if not options.telegram and not options.slack:
        raise ConfigError("nada para servir: use --telegram e/ou --slack")
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
    dialog = build_dialog(settings, desk)
    deliverers: dict[str, Deliverer] = {}
    adapters: list[Any] = []
    if options.telegram:
        from bot.telegram.app import TelegramBot

        telegram = TelegramBot(settings, desk, dialog)  # type: ignore[arg-type]
        deliverers["telegram"] = telegram.deliverer
        adapters.append(telegram)
    if options.slack:
        from bot.slack.app import SlackBot

        slack = SlackBot(settings, desk, dialog)  # type: ignore[arg-type]
        deliverers["slack"] = slack.deliverer
        adapters.append(slack)
    email = build_email_deliverer(settings, desk)
    if email is not None:
        deliverers["email"] = email
    dispatcher = build_dispatcher(desk, deliverers)
    dialog.after_commit = dispatcher.notify  # type: ignore[attr-defined]
    return Service(settings, options, db, dispatcher, adapters, desk=desk)


async def start(service: Service) -> None:
    settings, options = service.settings, service.options
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
                app.router.add_post("/telegram/webhook", adapter.webhook_handler)
                await adapter.set_webhook(webhook, settings.telegram_webhook_secret)
            else:
                await adapter.start_polling()
        elif name == "SlackBot":
            if settings.slack_app_token:
                await adapter.start_socket_mode()
            else:
                app.router.add_post("/slack/events", adapter.http_handler)
    from chamado.metrics import add_metrics_route

    add_metrics_route(app, service)
    # Health and metrics are served in every mode; webhooks only when configured.
    service.runner = web.AppRunner(app, handle_signals=False)
    await service.runner.setup()
    site = web.TCPSite(service.runner, options.host, options.port)
    await site.start()
    log.info("listening on %s:%s", options.host, options.port)
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


async def stop(service: Service) -> None:
    """Stop taking updates, flush the dispatcher's batch, close everything."""
    for adapter in service.adapters:
        try:
            await adapter.stop()
        except Exception:
            log.exception("adapter stop failed")
    service.stop_event.set()
    if service.tasks:
        _done, pending = await asyncio.wait(service.tasks, timeout=service.options.shutdown_timeout)
        for task in pending:
            task.cancel()
    if service.runner is not None:
        await service.runner.cleanup()
    service.db.dispose()


async def serve(settings: Settings, options: ServeOptions) -> int:
    service = await build_service(settings, options)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await start(service)
    log.info("chamado serve started")
    await stopping.wait()
    log.info("shutting down")
    await stop(service)
    log.info("stopped")
    return 0
