"""The ``chamado`` command line (Typer): administration, tickets, reports, the FAQ, the bot.

This module only assembles ``app`` (the ``chamado`` script's entry point);
each command group lives in its own module and none of them imports this one:

    common.py     what every command shares: settings, the help desk, errors, JSON
    run.py        init, console, serve
    orgs.py       orgs add|update|list|billing
    contacts.py   contacts add|list|invite|role|manager
    privacy.py    contacts export|erase, retention run, audit list (LGPD)
    analysts.py   analysts add|update|list|link
    tickets.py    tickets open|list|show|reply|...|forward|hours
    kb.py         kb lint|ask|eval (knowledge_base.cli) and kb draft
    reports.py    report billing|sla|kb
    imports.py    import orgs|contacts FILE.csv [--dry-run]
    web.py        web login (a sign-in link to the web workspace)

Humans get rich tables; ``--json`` gives machines stable keys. Any refusal
prints one line on stderr and exits non-zero, never a traceback.
"""

from __future__ import annotations

import typer

from chamado.cli import privacy, run
from chamado.cli.analysts import analysts_app
from chamado.cli.contacts import contacts_app
from chamado.cli.imports import import_app
from chamado.cli.kb import kb_app
from chamado.cli.orgs import orgs_app
from chamado.cli.reports import report_app
from chamado.cli.tickets import tickets_app
from chamado.cli.web import web_app

app = typer.Typer(
    name="chamado",
    help="chamado: help-desk chat bot (FAQ, tickets, analyst relay).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# `chamado --help` lists them in this order.
app.command()(run.init)
app.command()(run.console)
app.command()(run.serve)
app.add_typer(orgs_app, name="orgs")
app.add_typer(contacts_app, name="contacts")  # with contacts export|erase, registered by `privacy`
assert privacy.contacts_app is contacts_app
app.add_typer(analysts_app, name="analysts")
app.add_typer(tickets_app, name="tickets")
app.add_typer(kb_app, name="kb")
app.add_typer(report_app, name="report")
app.add_typer(import_app, name="import")
app.add_typer(web_app, name="web")
app.add_typer(privacy.retention_app, name="retention")
app.add_typer(privacy.audit_app, name="audit")

__all__ = ["app"]
