"""Running the bot: ``chamado init`` (the database), ``chamado console`` (a terminal chat), ``chamado serve``.

Plain functions; ``chamado/cli/__init__.py`` adds them to the root command.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chamado.app import build_dialog, build_helpdesk, confirm_relay
from chamado.cli.common import fail, handle_errors, helpdesk, out, settings
from core.errors import DomainError
from core.store.db import Database


@handle_errors
def init(demo: Annotated[bool, typer.Option(help="Load demo organizations, contacts and analysts.")] = False) -> None:
    """Create or migrate the database to the current schema."""
    desk = helpdesk(migrate=True)
    out.print(f"Banco de dados pronto ({desk.db.engine.url.render_as_string(hide_password=True)}).")
    if demo:
        from chamado.demo import load_demo

        created = load_demo(desk)
        out.print(f"Dados de demonstração: {created} registros criados.")


@handle_errors
def console(
    as_: Annotated[str | None, typer.Option("--as", help="Chat as this contact (e-mail).")] = None,
    analyst: Annotated[str | None, typer.Option(help="Work as this analyst (e-mail) instead.")] = None,
) -> None:
    """Chat with the bot in the terminal (no tokens needed)."""
    from bot.console import AnalystConsole, ClientConsole, run_loop, welcome
    from chamado.demo import DEMO_CLIENT, load_demo

    conf = settings()
    db = Database(conf.database_url)
    db.upgrade()
    desk = build_helpdesk(conf, db)
    if not desk.list_organizations():
        load_demo(desk)

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    if analyst:
        session = AnalystConsole(desk, analyst, write)
        write(f"Console do analista {session.analyst.name} ({session.analyst.level}).\n")
        write(session.HELP)
        session.flush()
        run_loop(session.turn, session.flush, session.lock, "analista> ")
        return
    dialog = build_dialog(conf, desk)
    client = ClientConsole(dialog, as_ or DEMO_CLIENT, write,
                           on_delivered=confirm_relay(desk))  # type: ignore[arg-type]
    write(f"Conversando como {client.name} <{client.email}>. Ctrl-D para sair.\n")
    write(welcome(conf.locale) + "\n")
    client.flush()
    run_loop(lambda line: client.turn(line) if line.strip() else None, client.flush, client.lock,
             "você> ")


def serve(
    telegram: Annotated[bool, typer.Option("--telegram", help="Run the Telegram bot.")] = False,
    slack: Annotated[bool, typer.Option("--slack", help="Run the Slack app.")] = False,
    web: Annotated[bool, typer.Option("--web", help="Serve the web workspace (also WEB_ENABLED=true).")] = False,
    webhook: Annotated[str | None, typer.Option("--webhook", help="Telegram webhook URL (else long polling).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (webhooks, /healthz, /metrics).")] = None,
    no_dispatch: Annotated[bool, typer.Option("--no-dispatch", help="Do not run the outbox dispatcher here.")] = False,
    dispatch_only: Annotated[bool, typer.Option(
        "--dispatch-only", help="Only deliver the outbox (extra workers next to one poller).")] = False,
) -> None:
    """Run the bot as a long-lived service."""
    import asyncio

    from chamado.logs import setup_logging
    from chamado.serve import ConfigError, ServeOptions
    from chamado.serve import serve as run_service

    conf = settings()
    setup_logging(conf.log_format, conf.log_level)
    options = ServeOptions(telegram=telegram, slack=slack, web=web or conf.web_enabled, webhook_url=webhook,
                           host=conf.http_host, port=port or conf.http_port, dispatch=not no_dispatch,
                           receive=not dispatch_only)
    try:
        code = asyncio.run(run_service(conf, options))
    except ConfigError as exc:
        raise fail(f"erro de configuração: {exc}") from None
    except DomainError as exc:
        raise fail(f"erro: {exc.render(conf.locale)}") from None
    raise typer.Exit(code)
