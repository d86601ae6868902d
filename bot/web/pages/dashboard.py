"""The manager's dashboard: the month's charts (server-drawn SVG), each with its table and a CSV download.

``GET /relatorios/painel?month=YYYY-MM`` draws ``core.reports.dashboard_report``
of the month (default: the current one); ``GET /relatorios/painel/{table}.csv``
downloads one of its tables (``dashboard_tables``: daily, sla, breach_counts,
breaches, backlog_level, backlog_module, faq, csat). A month's figures are
kept and measured again in the background once a minute old
(``month_dashboard``), so the page and its downloads agree and no manager waits
for a busy month's SLA clocks but the first. Managers only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web

from bot.web import charts
from bot.web.auth import manager_only
from bot.web.context import WebContext, web_context
from bot.web.rendering import error_page, render, request_locale
from bot.web.report_pages import bad_month, chosen_month, csv_response, csv_text, display, neighbours, sla_settings
from core.billing import format_minutes
from core.errors import InvalidInput
from core.i18n import translate
from core.reports import Dashboard, dashboard_report, dashboard_tables
from core.reports.dashboard import breach_counts

routes = web.RouteTableDef()
TEMPLATE = "reports/dashboard.html"
log = logging.getLogger("chamado.web")
CACHE_SECONDS = 60.0
CACHE_MONTHS = 12
TABLE_ROWS = 50


@routes.get("/relatorios/painel", name="dashboard")
@manager_only
async def dashboard(request: web.Request) -> web.StreamResponse:
    try:
        report = await month_dashboard(request, chosen_month(request), fresh=request.query.get("fresh") == "1")
    except InvalidInput as exc:
        return bad_month(request, TEMPLATE, exc)
    locale = request_locale(request)
    tables = dashboard_tables(report)
    sections = [{"name": name, "title": translate(f"web.reports.chart.{name}", locale),
                 "charts": charts_of(name, report, locale),
                 "tables": [_table(table, *tables[table], locale, limit=TABLE_ROWS) for table in shown]}
                for name, shown in SECTIONS.items()]
    previous, following = neighbours(report.month)
    return render(request, TEMPLATE, report=report, month=report.month, sections=sections, previous=previous,
                  following=following, error=None)


@routes.get("/relatorios/painel/{table}.csv", name="dashboard_csv")
@manager_only
async def dashboard_csv(request: web.Request) -> web.StreamResponse:
    name = request.match_info["table"]
    if name not in TABLES:
        return error_page(request, 404, "web.reports.unknown_table")
    try:
        report = await month_dashboard(request, chosen_month(request))
    except InvalidInput as exc:
        return error_page(request, 400, exc.key, message=exc.render(request_locale(request)))
    columns, rows = dashboard_tables(report)[name]
    return csv_response(f"painel-{name}-{report.month}.csv", csv_text(columns, rows))


SECTIONS = {"daily": ("daily",), "sla": ("sla",), "breach_counts": ("breach_counts", "breaches"),
            "backlog_level": ("backlog_level",), "backlog_module": ("backlog_module",), "faq": ("faq",),
            "csat": ("csat",)}
TABLES = frozenset(table for shown in SECTIONS.values() for table in shown)


def _table(name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]], locale: str, *,
           limit: int) -> dict[str, Any]:
    """A table for the page: translated headers, cells in the locale, at most ``limit`` rows (the CSV has all)."""
    return {"name": name, "columns": [translate(f"web.reports.col.{c}", locale) for c in columns],
            "rows": display(columns, rows[:limit], locale), "hidden": max(0, len(rows) - limit)}


async def month_dashboard(request: web.Request, month: str, *, fresh: bool = False) -> Dashboard:
    """The month's figures as last measured (the page and its CSVs agree); measured now when never before.

    Measuring every SLA clock of a busy month takes seconds, so each month's
    figures are kept: once they are older than ``CACHE_SECONDS`` the next
    request still gets them and starts a new measurement in the background.
    The page says when they were measured; ``?fresh=1`` measures now.
    """
    ctx = web_context(request)
    cache: dict[str, tuple[float, Dashboard]] = ctx.extras.setdefault("dashboard_cache", {})
    hit = cache.get(month)
    if hit is None or fresh:
        return await _measure(ctx, month)
    if time.monotonic() - hit[0] >= CACHE_SECONDS:
        tasks: dict[str, asyncio.Task[Dashboard]] = ctx.extras.setdefault("dashboard_refresh", {})
        if month not in tasks or tasks[month].done():
            tasks[month] = asyncio.get_running_loop().create_task(_measure(ctx, month))
            tasks[month].add_done_callback(_log_failure)
    return hit[1]


async def _measure(ctx: WebContext, month: str) -> Dashboard:
    """Measure the month, one measurement at a time per month (one that began after this call is reused)."""
    cache: dict[str, tuple[float, Dashboard]] = ctx.extras.setdefault("dashboard_cache", {})
    locks: dict[str, asyncio.Lock] = ctx.extras.setdefault("dashboard_locks", {})
    asked = time.monotonic()
    async with locks.setdefault(month, asyncio.Lock()):
        hit = cache.get(month)
        if hit is not None and hit[0] >= asked:
            return hit[1]
        started = time.monotonic()
        report = await ctx.run(dashboard_report, ctx.desk, month, *sla_settings(ctx))
        cache[month] = (started, report)
        for stale in sorted(cache, key=lambda m: cache[m][0])[:-CACHE_MONTHS]:
            del cache[stale]
        return report


def _log_failure(task: asyncio.Task[Dashboard]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("dashboard measurement failed", exc_info=task.exception())


def charts_of(name: str, d: Dashboard, locale: str) -> list[charts.Chart]:
    """The chart(s) drawn above table ``name``."""
    def t(key: str, **params: Any) -> str:
        return translate(key, locale, **params)

    fmt = partial(charts.number, locale=locale)
    plans = list(d.plans)
    plan_label = _plan_label(locale)
    if name == "daily":
        return [charts.grouped_bars(
            t("web.reports.chart.daily_svg", month=d.month), [f"{x.day.day:02d}" for x in d.days],
            [charts.Series(t("web.reports.col.opened"), [x.opened for x in d.days]),
             charts.Series(t("web.reports.col.closed"), [x.closed for x in d.days])],
            fmt=fmt, label_every=2, empty=t("web.reports.nothing"))]
    if name == "sla":
        return [
            charts.percent_bars(t("web.reports.col.first_response_pct"),
                                [(plan_label(g.plan), g.first_response_pct) for g in plans], fmt=fmt),
            charts.percent_bars(t("web.reports.col.resolution_pct"),
                                [(plan_label(g.plan), g.resolution_pct) for g in plans], fmt=fmt),
            charts.grouped_bars(
                t("web.reports.chart.medians"), [plan_label(g.plan) for g in plans],
                [charts.Series(t("web.reports.col.median_first_response_minutes"),
                               [g.median_first_response_minutes or 0 for g in plans]),
                 charts.Series(t("web.reports.col.median_resolution_minutes"),
                               [g.median_resolution_minutes or 0 for g in plans])],
                fmt=lambda v: format_minutes(round(v)) if v else "0", height=220),
        ]
    if name == "breach_counts":
        counts = breach_counts(d.breaches)
        return [charts.grouped_bars(
            t("web.reports.chart.breach_counts"), [plan_label(p) for p in counts],
            [charts.Series(t(f"web.reports.value.{target}"), [counts[p][target] for p in counts],
                           charts.PALETTE[4 + i])
             for i, target in enumerate(("first_response", "resolution"))],
            stacked=True, fmt=fmt, height=220)]
    if name in ("backlog_level", "backlog_module"):
        items = d.backlog_by_level if name == "backlog_level" else d.backlog_by_module
        return [charts.bar_chart(t(f"web.reports.chart.{name}"), list(items), fmt=fmt,
                                 empty=t("web.reports.nothing"))]
    if name == "faq":
        return [charts.percent_bars(t("web.reports.chart.faq"), [
            (t("web.reports.value.deflection_pct"), d.kb.deflection_pct),
            (t("web.reports.value.helpful_pct"), d.kb.helpful_pct)], fmt=fmt)]
    return [charts.bar_chart(t("web.reports.chart.csat"),
                             [(t("web.reports.csat_score", score=s), n) for s, n in d.csat()], fmt=fmt,
                             color=charts.PALETTE[2])]


def _plan_label(locale: str) -> Callable[[str], str]:
    def label(plan: str) -> str:
        key = f"web.reports.value.{plan}"
        text = translate(key, locale)
        return plan if text == key else text

    return label
