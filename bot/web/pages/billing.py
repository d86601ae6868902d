"""The month's billing, per organization and ticket, with the CSV ``chamado report billing --csv`` writes.

``GET /relatorios/faturamento?month=YYYY-MM[&org=slug]`` shows
``core.reports.billing_report``; ``GET /relatorios/faturamento.csv`` downloads
its rows with the CLI's columns (``core.reports.CSV_COLUMNS``). Managers only.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import manager_only
from bot.web.context import web_context
from bot.web.rendering import error_page, render, request_locale
from bot.web.report_pages import bad_month, chosen_month, csv_response, csv_text, neighbours
from core.errors import InvalidInput
from core.reports import CSV_COLUMNS, BillingReport, billing_report

routes = web.RouteTableDef()
TEMPLATE = "reports/billing.html"


async def _report(request: web.Request) -> BillingReport:
    ctx = web_context(request)
    org = request.query.get("org", "").strip() or None
    return await ctx.run(billing_report, ctx.desk, chosen_month(request), org)


@routes.get("/relatorios/faturamento", name="billing")
@manager_only
async def billing(request: web.Request) -> web.StreamResponse:
    try:
        report = await _report(request)  # an unknown ?org= is a NotFound: the app's 404 page
    except InvalidInput as exc:
        return bad_month(request, TEMPLATE, exc, org="")
    previous, following = neighbours(report.month)
    return render(request, TEMPLATE, report=report, month=report.month, totals=report.totals(), error=None,
                  org=request.query.get("org", "").strip(), previous=previous, following=following)


@routes.get("/relatorios/faturamento.csv", name="billing_csv")
@manager_only
async def billing_csv(request: web.Request) -> web.StreamResponse:
    try:
        report = await _report(request)
    except InvalidInput as exc:
        return error_page(request, 400, exc.key, message=exc.render(request_locale(request)))
    return csv_response(f"faturamento-{report.month}.csv", csv_text(CSV_COLUMNS, report.rows()))
