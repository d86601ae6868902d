"""What the manager's report pages share: the chosen month, table cells, CSV downloads, the SLA settings.

``chosen_month`` reads ``?month=YYYY-MM`` (default: the current month in São
Paulo) and raises ``InvalidInput("report.bad_month")`` for anything else; the
pages answer that with ``bad_month`` (a 400 page with the month picker again,
never a traceback). ``csv_response`` writes a download; ``cell`` shows one
table value in the reader's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.web.charts import number
from bot.web.context import WebContext, web_context
from bot.web.rendering import render, request_locale
from core.billing import month_bounds, month_of, parse_month
from core.errors import DomainError
from core.i18n import translate

if TYPE_CHECKING:
    from core.business_calendar import BusinessCalendar
    from core.sla import SlaPolicy

TRANSLATED_COLUMNS = frozenset({"plan", "target", "indicator", "criticality"})


def current_month(ctx: WebContext) -> str:
    return month_of(ctx.desk.clock())


def chosen_month(request: web.Request) -> str:
    """``?month=`` normalized ("2026-3" -> "2026-03"), or the current month when absent or empty."""
    raw = request.query.get("month", "").strip()
    return parse_month(raw) if raw else current_month(web_context(request))


def neighbours(month: str) -> tuple[str, str]:
    """The months before and after ``month``."""
    start, end = month_bounds(month)
    return month_of(start - timedelta(days=1)), month_of(end + timedelta(days=1))


def sla_settings(ctx: WebContext) -> tuple[BusinessCalendar | None, SlaPolicy | None]:
    """The calendar and SLA policy the running help desk was built with, if any (as the CLI reads them)."""
    return (ctx.sla.calendar, ctx.sla.policy) if ctx.sla is not None else (None, None)


def bad_month(request: web.Request, template: str, error: DomainError, **context: Any) -> web.Response:
    """The page again with the month picker and the reason, as a 400."""
    return render(request, template, status=400, error=error.render(request_locale(request)),
                  month=request.query.get("month", "")[:20], **context)


def cell(column: str, value: Any, locale: str) -> str:
    """One table value for people: "—" for nothing, numbers in the locale, codes as words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translate("web.reports.yes" if value else "web.reports.no", locale)
    if isinstance(value, int | float):
        return number(value, locale)
    if column in TRANSLATED_COLUMNS:
        key = f"web.reports.value.{value}"
        label = translate(key, locale)
        return str(value) if label == key else label
    return str(value)


def display(columns: Sequence[str], rows: Iterable[Sequence[Any]], locale: str) -> list[list[str]]:
    return [[cell(c, v, locale) for c, v in zip(columns, row, strict=True)] for row in rows]


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]] | Iterable[dict[str, Any]]) -> str:
    """CSV with a header of ``columns``; rows as sequences or as mappings (``None`` -> empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, dict) else list(row)
        writer.writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def csv_response(filename: str, text: str) -> web.Response:
    response = web.Response(text=text, content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
