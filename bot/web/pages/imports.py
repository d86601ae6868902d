"""CSV import of organizations and contacts (managers only): a preview with per-row errors, then one transaction.

``GET /admin/importar`` is the form (what kind, the file, the accepted columns,
a model spreadsheet to download). ``POST /admin/importar`` checks the file with
``core.imports.import_csv(dry_run=True)`` against the store and shows every
row with its error, in the reader's language; nothing is written. When every
row passes, the page carries the file's text in its "Importar" form, and
``POST /admin/importar/confirmar`` imports it (``import_csv``: checked again,
all rows in one transaction or none), then shows the imported list.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from bot.web.app import MAX_BODY
from bot.web.auth import manager_only
from bot.web.context import web_context
from bot.web.pages.admin import done, page
from core.errors import DomainError, InvalidInput
from core.imports import COLUMNS, MAX_BYTES, MAX_ROWS, ImportKind, ImportResult, decode, import_csv

routes = web.RouteTableDef()
TEMPLATE = "admin/import.html"
EXAMPLES = {
    ImportKind.ORGANIZATIONS: ["Comercial Exemplo Ltda", "exemplo", "Prata", "Avulso", "11/03/2026", "sim",
                               "R$ 150,00", ""],
    ImportKind.CONTACTS: ["exemplo", "Maria Souza", "maria@exemplo.com.br", "Gerente de projeto", "não"],
}


def _kind(value: str) -> ImportKind:
    try:
        return ImportKind(value)
    except ValueError:
        raise InvalidInput("web.admin.import.bad_kind") from None


def _form_page(request: web.Request, *, error: DomainError | None = None, kind: str = "orgs",
               result: ImportResult | None = None, csv_text: str = "", status: int | None = None) -> web.Response:
    response = page(request, TEMPLATE, error=error, kind=kind, result=result, csv_text=csv_text,
                    columns={k.value: COLUMNS[k] for k in ImportKind},
                    limit_mb=min(MAX_BYTES, MAX_BODY) // (1024 * 1024),
                    max_rows=MAX_ROWS)
    if status is not None:
        response.set_status(status)
    return response


@routes.get("/admin/importar", name="admin_import")
@manager_only
async def import_form(request: web.Request) -> web.StreamResponse:
    kind = request.query.get("tipo", "orgs")
    return _form_page(request, kind=kind if kind in {k.value for k in ImportKind} else "orgs")


async def _upload(request: web.Request) -> tuple[str, bytes]:
    """The kind and the file's bytes from the multipart form (a missing file is refused clearly)."""
    form = await request.post()
    kind = form.get("kind")
    upload: Any = form.get("file")
    if not hasattr(upload, "file"):
        raise InvalidInput("web.admin.import.no_file")
    data: bytes = upload.file.read(MAX_BYTES + 1)
    return kind if isinstance(kind, str) else "", data


@routes.post("/admin/importar", name="admin_import_preview")
@manager_only
async def import_preview(request: web.Request) -> web.StreamResponse:
    ctx = web_context(request)
    kind = "orgs"
    try:
        raw_kind, data = await _upload(request)
        kind = _kind(raw_kind).value
        result = await ctx.run(import_csv, ctx.desk, kind, data, dry_run=True)
    except DomainError as exc:
        return _form_page(request, error=exc, kind=kind)
    # the file as text, for the "Importar" form: what the confirmation imports is what was checked here
    text_value = decode(data) if result.ok else ""
    return _form_page(request, kind=kind, result=result, csv_text=text_value,
                      status=200 if result.ok else 422)


@routes.post("/admin/importar/confirmar", name="admin_import_run")
@manager_only
async def import_run(request: web.Request) -> web.StreamResponse:
    ctx = web_context(request)
    form = await request.post()
    raw_text = form.get("csv")
    kind = "orgs"
    try:
        kind = _kind(str(form.get("kind", ""))).value
        if not isinstance(raw_text, str) or not raw_text.strip():
            raise InvalidInput("web.admin.import.no_file")
        result = await ctx.run(import_csv, ctx.desk, kind, raw_text.encode("utf-8"))
    except DomainError as exc:
        return _form_page(request, error=exc, kind=kind)
    if not result.imported:  # something changed since the preview (a slug registered meanwhile...)
        return _form_page(request, kind=kind, result=result, status=409)
    if kind == ImportKind.ORGANIZATIONS:
        return done(request, "admin_orgs", "imported_orgs", str(len(result.rows)))
    return done(request, "admin_contacts", "imported_contacts", str(len(result.rows)))


@routes.get("/admin/importar/modelo-{kind}.csv", name="admin_import_model")
@manager_only
async def import_model(request: web.Request) -> web.StreamResponse:
    """A model spreadsheet: the pt-BR header and one example row, ``;``-separated as Excel in pt-BR writes."""
    try:
        kind = _kind(request.match_info["kind"])
    except DomainError as exc:
        return _form_page(request, error=exc)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.pt for c in COLUMNS[kind]])
    writer.writerow(EXAMPLES[kind])
    body = "\ufeff" + buffer.getvalue()  # the BOM makes Excel read the accents right
    name = "organizacoes" if kind is ImportKind.ORGANIZATIONS else "contatos"
    return web.Response(body=body.encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="modelo-{name}.csv"'})

