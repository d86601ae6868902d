"""The analysts' queue: open tickets, filtered and paged, with each SLA countdown.

``GET /fila`` is the page (the filter form works without JavaScript);
``GET /fila/tabela`` is the table alone, which htmx fetches again every
``REFRESH_SECONDS`` (and when a filter changes) so the queue updates without a
reload. Filters come from the query string (``QueueFilters`` in
``core.tickets.reading``); a bad value is refused politely above the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.web.auth import WebActor, analyst_only, signed_in_actor
from bot.web.context import web_context
from bot.web.rendering import render, request_locale
from bot.web.sla_display import Countdown, age, countdown
from core.errors import DomainError
from core.model import Criticality, Level, Plan, TicketStatus
from core.tickets.reading import QueueFilters, QueuePage
from core.views import AnalystView, TicketView

routes = web.RouteTableDef()

PAGE_SIZE = 25
REFRESH_SECONDS = 15
FILTER_KEYS = ("status", "level", "module", "assignee", "plan", "criticality", "mine", "unassigned",
               "breached", "order")


@dataclass(frozen=True)
class QueueRow:
    ticket: TicketView
    age: str
    sla: Countdown


def _flag(query: Any, name: str) -> bool:
    return str(query.get(name, "")).lower() in {"1", "on", "true", "sim", "yes"}


def filters_from(query: Any, actor: WebActor) -> QueueFilters:
    """The query string as ``QueueFilters`` (text values are checked by the use case)."""
    try:
        page = max(1, min(int(query.get("pagina", "1") or 1), 10_000))
    except ValueError:
        page = 1
    order = "deadline" if query.get("order") == "deadline" else "activity"
    text = {key: str(query.get(key, ""))[:100].strip() for key in ("status", "level", "module", "assignee",
                                                                 "plan", "criticality")}
    return QueueFilters(**text, mine_of=actor.id if _flag(query, "mine") else None,
                        unassigned=_flag(query, "unassigned"), breached=_flag(query, "breached"),
                        order=order, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)


async def _queue_context(request: web.Request) -> dict[str, Any]:
    ctx = web_context(request)
    actor = await signed_in_actor(request)
    locale = request_locale(request)
    query = request.query
    error: str | None = None
    filters = filters_from(query, actor)
    desk = ctx.desk

    def load() -> tuple[QueuePage, list[QueueRow], list[AnalystView]]:
        page = desk.queue_page(filters)
        statuses = ctx.sla.statuses([t.id for t in page.tickets]) if ctx.sla is not None else {}
        now = desk.clock()
        rows = [QueueRow(t, age(t.created_at, now), countdown(statuses.get(t.id), locale)) for t in page.tickets]
        return page, rows, desk.list_analysts()

    try:
        page, rows, analysts = await ctx.run(load)
    except DomainError as exc:
        error = exc.render(locale)
        page, rows = QueuePage((), 0, 0, PAGE_SIZE), []
        analysts = await ctx.run(desk.list_analysts)
    current = {key: query.get(key, "") for key in FILTER_KEYS if query.get(key)}
    number = filters.offset // PAGE_SIZE + 1
    return {
        "rows": rows, "page": page, "error": error, "current": current, "page_number": number,
        "has_prev": number > 1, "has_next": page.offset + len(page.tickets) < page.total,
        "analysts": [a for a in analysts if a.active], "modules": desk.modules,
        "statuses": [s.value for s in TicketStatus], "levels": [lv.value for lv in Level],
        "plans": [p.value for p in Plan], "criticalities": [c.value for c in Criticality],
        "refresh_seconds": REFRESH_SECONDS,
    }


@routes.get("/fila", name="queue")
@analyst_only
async def queue(request: web.Request) -> web.StreamResponse:
    return render(request, "queue/index.html", **await _queue_context(request))


@routes.get("/fila/tabela", name="queue_table")
@analyst_only
async def queue_table(request: web.Request) -> web.StreamResponse:
    return render(request, "queue/_table.html", **await _queue_context(request))
