"""LGPD on the command line: ``contacts export|erase EMAIL``, ``retention run``, ``audit list``.

``export`` prints, as JSON, everything stored about the contact; ``erase``
anonymizes them and what they wrote (``--dry-run``: the counts, no change),
keeping ticket numbers, times, hours and amounts for the reports (``core/privacy.py``).
``retention run`` does the same to everything older than ``RETENTION_MONTHS``
(``core/retention.py``); ``audit list`` shows the exports, erasures and runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from chamado.cli.common import JsonFlag, fail, handle_errors, helpdesk, out, print_json, settings
from chamado.cli.contacts import contacts_app
from core.privacy import Erasure, erase_contact, export_contact
from core.retention import audit_entries, run_retention

retention_app = typer.Typer(help="LGPD retention (RETENTION_MONTHS).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of exports, erasures and retention runs.", no_args_is_help=True)
DryRun = Annotated[bool, typer.Option("--dry-run", help="Count what would change; change nothing.")]


def _counts(done: Erasure) -> str:
    return ", ".join(f"{kind}: {n}" for kind, n in sorted(done.counts.items())) or "nada"


@contacts_app.command("export")
@handle_errors
def contacts_export(email: str) -> None:
    """Everything stored about the contact EMAIL, as JSON (an LGPD access request)."""
    print_json(export_contact(helpdesk(), email))


@contacts_app.command("erase")
@handle_errors
def contacts_erase(email: str, dry_run: DryRun = False) -> None:
    """Anonymize the contact EMAIL and what they wrote (an LGPD erasure request)."""
    done = erase_contact(helpdesk(), email, dry_run=dry_run)
    verb = "seria anonimizado" if dry_run else "anonimizado"
    out.print(f"Contato #{done.contact_id} {verb} ({_counts(done)}).")


@retention_app.command("run")
@handle_errors
def retention_run(dry_run: DryRun = False) -> None:
    """Anonymize what is older than RETENTION_MONTHS (closed tickets' texts, FAQ questions, outbox)."""
    months = settings().retention_months
    if months is None:
        raise fail("RETENTION_MONTHS não definido: a retenção está desligada.")
    done = run_retention(helpdesk(), months, dry_run=dry_run)
    verb = "seria anonimizado" if dry_run else "anonimizado"
    out.print(f"Mais antigo que {months} meses {verb}: {_counts(done)}.")


@audit_app.command("list")
@handle_errors
def audit_list(limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
               as_json: JsonFlag = False) -> None:
    """Exports, erasures and retention runs, newest first."""
    entries = audit_entries(helpdesk(), limit)
    if as_json:
        print_json(entries)
        return
    for e in entries:
        contact = f" contato #{e['contact_id']}" if e["contact_id"] is not None else ""
        out.print(f"{e['at']}  {e['action']}{contact}  {e['detail'].get('counts', '')}")
