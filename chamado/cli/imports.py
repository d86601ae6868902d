"""``chamado import orgs|contacts FILE.csv [--dry-run]``: a spreadsheet of clients, all rows or none.

The file is read as ``core.imports`` reads it (``;`` or ``,``, UTF-8 or Latin-1,
pt-BR or English headers). The per-row preview is printed; when a row fails,
nothing is imported and the command exits non-zero; ``--dry-run`` only previews.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from chamado.cli.common import JsonOption, fail, handle_errors, helpdesk, out, print_json, settings
from core.imports import MAX_BYTES, ImportKind, ImportResult, import_csv

import_app = typer.Typer(help="Import organizations or contacts from a CSV spreadsheet.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="The CSV file (Excel: Save as > CSV).", dir_okay=False)]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Only check and preview; import nothing.")]
SHOWN_ROWS = 100  # longer files: only the failing rows are listed

# (one, many): what was imported, what a dry run found ready
DONE = {ImportKind.ORGANIZATIONS: ("organização importada", "organizações importadas"),
        ImportKind.CONTACTS: ("contato importado", "contatos importados")}
READY = {ImportKind.ORGANIZATIONS: ("organização pronta", "organizações prontas"),
         ImportKind.CONTACTS: ("contato pronto", "contatos prontos")}


@import_app.command("orgs")
@handle_errors
def import_orgs(file: FileArgument, dry_run: DryRun = False, as_json: JsonOption = False) -> None:
    """Organizations: nome, slug, plano, cobrança, termo de aceite, cópias por e-mail, valor-hora, horas."""
    _run(ImportKind.ORGANIZATIONS, file, dry_run, as_json)


@import_app.command("contacts")
@handle_errors
def import_contacts(file: FileArgument, dry_run: DryRun = False, as_json: JsonOption = False) -> None:
    """Contacts: organização (slug), nome, e-mail, papel, indicado."""
    _run(ImportKind.CONTACTS, file, dry_run, as_json)


def _run(kind: ImportKind, file: Path, dry_run: bool, as_json: bool) -> None:
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # enough to refuse a larger file without reading it all
    except FileNotFoundError:
        raise fail(f"erro: arquivo não encontrado: {file}") from None
    locale = settings().locale
    result = import_csv(helpdesk(), kind, data, dry_run=dry_run)
    if as_json:
        print_json({"kind": kind.value, "imported": result.imported, "dry_run": dry_run, "rows": [
            {"row": r.number, "values": dict(r.values), "error": r.message(locale) or None}
            for r in result.rows]})
    else:
        out.print(_table(result, locale))
    count = len(result.rows)
    if not result.ok:
        failed = len(result.failed)
        raise fail(f"Nada foi importado: {failed} de {count} {'linha' if count == 1 else 'linhas'} com erro. "
                   "Corrija as linhas indicadas e rode de novo.")
    if as_json:
        return
    if dry_run:
        out.print(f"Prévia: {count} {READY[kind][count != 1]} para importar; nada foi gravado (--dry-run).")
    else:
        out.print(f"{count} {DONE[kind][count != 1]}.")


def _table(result: ImportResult, locale: str) -> Table:
    rows = result.rows if len(result.rows) <= SHOWN_ROWS else result.failed
    caption = None if rows is result.rows else f"Só as {len(rows)} linhas com erro de {len(result.rows)}."
    table = Table("linha", *result.headers, "situação", caption=caption)
    for row in rows:
        status = f"[red]{escape(row.message(locale))}[/red]" if row.problem else "[green]ok[/green]"
        table.add_row(str(row.number), *(escape(row.values.get(f, "")) for f in result.fields), status)
    return table
