"""Prometheus metrics for ``chamado serve`` (``GET /metrics``).

Business figures are read from the database at scrape time, so every worker
reports the same totals and nothing is lost across restarts: updates handled
per platform, FAQ decisions, tickets opened, deflection, outbox pending and
failed, SLA warnings and breaches. Delivery latency is a histogram of this
process's dispatcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from core.store.db import Database
from core.store.orm import FaqQuestion, OutboxMessage, ProcessedUpdate, SlaAlert, Ticket


class DatabaseCollector(Collector):
    """Counts read from the shared database on each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Any]:
        updates = CounterMetricFamily("chamado_updates_handled", "Platform deliveries handled", labels=["platform"])
        faq = CounterMetricFamily("chamado_faq_questions", "Questions put to the FAQ", labels=["decision"])
        opened = CounterMetricFamily("chamado_tickets_opened", "Tickets opened")
        deflected = GaugeMetricFamily("chamado_faq_deflection_ratio",
                                      "Share of FAQ questions that did not become a ticket")
        outbox = GaugeMetricFamily("chamado_outbox_messages", "Outbox rows by status", labels=["status"])
        sla = CounterMetricFamily("chamado_sla_alerts", "SLA warnings and breaches", labels=["level"])
        up = GaugeMetricFamily("chamado_database_up", "1 when the database answered this scrape")
        try:
            with self.db.session() as s:
                for platform, count in s.execute(select(ProcessedUpdate.platform, func.count())
                                                 .group_by(ProcessedUpdate.platform)):
                    updates.add_metric([platform], count)
                total = 0
                for decision, count in s.execute(select(FaqQuestion.decision, func.count())
                                                 .group_by(FaqQuestion.decision)):
                    faq.add_metric([decision], count)
                    total += count
                with_ticket = s.scalar(select(func.count()).where(FaqQuestion.ticket_id.is_not(None))) or 0
                opened.add_metric([], s.scalar(select(func.count()).select_from(Ticket)) or 0)
                deflected.add_metric([], (1 - with_ticket / total) if total else 0.0)
                counts = dict(s.execute(select(OutboxMessage.status, func.count())
                                        .group_by(OutboxMessage.status)).all())
                for status in ("PENDING", "DELIVERED", "FAILED"):
                    outbox.add_metric([status.lower()], counts.get(status, 0))
                levels = dict(s.execute(select(SlaAlert.level, func.count()).group_by(SlaAlert.level)).all())
                for level in ("warning", "breach"):
                    sla.add_metric([level], levels.get(level, 0))
            up.add_metric([], 1)
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        yield from (updates, faq, opened, deflected, outbox, sla, up)


class Metrics:
    """The registry of one service process."""

    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(DatabaseCollector(db))
        self.delivery_latency = Histogram(
            "chamado_delivery_latency_seconds", "From outbox row written to delivered",
            labelnames=["platform"], registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def add_metrics_route(app: web.Application, service: Any) -> None:
    metrics = Metrics(service.db)
    service.metrics = metrics
    previous = service.dispatcher.on_delivered

    def on_delivered(item: Any) -> None:
        latency = (service.dispatcher.clock() - item.created_at).total_seconds()
        metrics.delivery_latency.labels(item.platform).observe(max(0.0, latency))
        if previous is not None:
            previous(item)

    service.dispatcher.on_delivered = on_delivered

    async def handler(request: web.Request) -> web.Response:
        import asyncio

        body = await asyncio.to_thread(metrics.render)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", handler)
