"""The FAQ's gaps: the questions it did not answer well, grouped as ``chamado report kb`` groups them.

``GET /relatorios/faq?month=YYYY-MM`` (``month=all``: every question ever
asked) lists ``kb_report``'s gaps, the most asked first; each group carries
its draft FAQ entry (``core.kb_drafts.draft_from_gap``: YAML in the knowledge
base's format), one click away in a ``<details>``, and
``GET /relatorios/faq/rascunho?month=...&group=N`` serves the same draft as a
``.yaml`` file. Managers only.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import manager_only
from bot.web.context import web_context
from bot.web.rendering import error_page, render, request_locale
from bot.web.report_pages import bad_month, chosen_month, neighbours
from core.errors import InvalidInput
from core.kb_drafts import draft_from_gap
from core.reports import KbReport, kb_report

routes = web.RouteTableDef()
TEMPLATE = "reports/faq_gaps.html"
ALL_TIME = "all"


async def _report(request: web.Request) -> KbReport:
    ctx = web_context(request)
    month = None if request.query.get("month", "").strip() == ALL_TIME else chosen_month(request)
    return await ctx.run(kb_report, ctx.desk, month)


@routes.get("/relatorios/faq", name="faq_gaps")
@manager_only
async def faq_gaps(request: web.Request) -> web.StreamResponse:
    try:
        report = await _report(request)
    except InvalidInput as exc:
        return bad_month(request, TEMPLATE, exc, all_time=ALL_TIME)
    drafts = [draft_from_gap(g.example, g.variants, g.count) for g in report.gaps]
    previous, following = neighbours(report.month) if report.month else (None, None)
    return render(request, TEMPLATE, report=report, month=report.month or "", gaps=list(zip(report.gaps, drafts,
                  strict=True)), error=None, all_time=ALL_TIME, previous=previous, following=following)


@routes.get("/relatorios/faq/rascunho", name="faq_gap_draft")
@manager_only
async def faq_gap_draft(request: web.Request) -> web.StreamResponse:
    locale = request_locale(request)
    try:
        report = await _report(request)
    except InvalidInput as exc:
        return error_page(request, 400, exc.key, message=exc.render(locale))
    group = request.query.get("group", "")
    if not group.isdigit() or not 1 <= int(group) <= len(report.gaps):
        return error_page(request, 404, "web.reports.faq.no_group")
    gap = report.gaps[int(group) - 1]
    response = web.Response(text=draft_from_gap(gap.example, gap.variants, gap.count),
                            content_type="text/plain", charset="utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="rascunho-faq-{group}.yaml"'
    return response
