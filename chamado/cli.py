"""The ``chamado`` command line (Typer): administration, tickets, FAQ, the bot.

Humans get rich tables; ``--json`` gives machines stable keys. Any refusal
prints one line on stderr and exits non-zero, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from chamado.app import build_helpdesk
from chamado.settings import Settings, load_settings
from core.errors import DomainError
from core.services import Actor, HelpDesk
from core.store.db import Database
from core.views import TicketView

app = typer.Typer(
    name="chamado",
    help="chamado: help-desk chat bot (FAQ, tickets, analyst relay).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
orgs_app = typer.Typer(help="Organizations (clients) and their plans.", no_args_is_help=True)
contacts_app = typer.Typer(help="Client contacts.", no_args_is_help=True)
analysts_app = typer.Typer(help="Support analysts (N1, N2).", no_args_is_help=True)
tickets_app = typer.Typer(help="Tickets (chamados).", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(contacts_app, name="contacts")
app.add_typer(analysts_app, name="analysts")
app.add_typer(tickets_app, name="tickets")

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn domain and configuration errors into one line on stderr."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise fail(f"erro: {exc.render(_locale())}") from None
        except SQLAlchemyError as exc:
            raise fail(f"erro de banco de dados: {str(exc).splitlines()[0][:200]}") from None
        except (ValueError, OSError) as exc:
            raise fail(f"erro: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None

    return wrapper  # type: ignore[return-value]


def _locale() -> str:
    try:
        return load_settings().locale
    except Exception:
        return "pt-BR"


def settings() -> Settings:
    try:
        return load_settings()
    except Exception as exc:  # pydantic ValidationError: one line per bad variable
        raise fail(f"erro de configuração: {str(exc).splitlines()[0]}") from None


def helpdesk(*, migrate: bool = False) -> HelpDesk:
    """The help desk on the configured database, refusing an unmigrated one."""
    conf = settings()
    db = Database(conf.database_url)
    if migrate:
        db.upgrade()
    else:
        db.check_ready()
    return build_helpdesk(conf, db)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# --- init --------------------------------------------------------------------


@app.command()
@handle_errors
def init(demo: Annotated[bool, typer.Option(help="Load demo organizations, contacts and analysts.")] = False) -> None:
    """Create or migrate the database to the current schema."""
    desk = helpdesk(migrate=True)
    out.print(f"Banco de dados pronto ({desk.db.engine.url.render_as_string(hide_password=True)}).")
    if demo:
        from chamado.demo import load_demo

        created = load_demo(desk)
        out.print(f"Dados de demonstração: {created} registros criados.")


# --- organizations -----------------------------------------------------------


@orgs_app.command("add")
@handle_errors
def orgs_add(
    name: Annotated[str, typer.Option(help="Company name.")],
    slug: Annotated[str, typer.Option(help="Short id, e.g. acme.")],
    plan: Annotated[str, typer.Option(help="PRATA, OURO or VIP.")],
    billing: Annotated[str, typer.Option(help="ON_DEMAND, CONTRACT or SAAS.")] = "ON_DEMAND",
    acceptance: Annotated[str | None, typer.Option(help="Date the acceptance term was signed (YYYY-MM-DD).")] = None,
) -> None:
    """Register an organization."""
    signed = date.fromisoformat(acceptance) if acceptance else None
    org = helpdesk().add_organization(name=name, slug=slug, plan=plan, billing_mode=billing,
                                      acceptance_signed_on=signed)
    out.print(f"Organização {org.slug} cadastrada (plano {org.plan}).")


@orgs_app.command("update")
@handle_errors
def orgs_update(
    slug: Annotated[str, typer.Argument()],
    plan: Annotated[str | None, typer.Option(help="PRATA, OURO or VIP.")] = None,
    billing: Annotated[str | None, typer.Option(help="ON_DEMAND, CONTRACT or SAAS.")] = None,
    acceptance: Annotated[str | None, typer.Option(help="Date the acceptance term was signed (YYYY-MM-DD).")] = None,
    email_copies: Annotated[bool | None, typer.Option("--email-copies/--no-email-copies",
                                                      help="E-mail copies of answers to the requester.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
) -> None:
    """Change an organization's plan, billing mode, acceptance term or e-mail copies (rates: orgs billing)."""
    changes: dict[str, Any] = {}
    if plan is not None:
        changes["plan"] = plan
    if billing is not None:
        changes["billing_mode"] = billing
    if acceptance is not None:
        changes["acceptance_signed_on"] = date.fromisoformat(acceptance)
    if email_copies is not None:
        changes["email_copies"] = email_copies
    if active is not None:
        changes["active"] = active
    org = helpdesk().update_organization(slug, **changes)
    out.print(f"Organização {org.slug} atualizada.")


@orgs_app.command("list")
@handle_errors
def orgs_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List organizations."""
    rows = helpdesk().list_organizations()
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("slug", "nome", "plano", "cobrança", "termo de aceite", "ativa")
    for r in rows:
        table.add_row(r.slug, r.name, r.plan, r.billing_mode,
                      str(r.acceptance_signed_on or "—"), "sim" if r.active else "não")
    out.print(table)


# --- contacts ----------------------------------------------------------------


@contacts_app.command("add")
@handle_errors
def contacts_add(
    org: Annotated[str, typer.Option(help="Organization slug.")],
    name: Annotated[str, typer.Option()],
    email: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="PROJECT_MANAGER or OTHER.")] = "OTHER",
    designee: Annotated[bool, typer.Option(help="VIP: the second contact allowed to open tickets.")] = False,
) -> None:
    """Register a client contact."""
    contact = helpdesk().add_contact(org_slug=org, name=name, email=email, role=role,
                                     ticket_designee=designee)
    out.print(f"Contato {contact.email} cadastrado em {contact.organization_slug}.")


@contacts_app.command("list")
@handle_errors
def contacts_list(
    org: Annotated[str | None, typer.Option(help="Only this organization.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List contacts."""
    rows = helpdesk().list_contacts(org)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("e-mail", "nome", "organização", "papel", "indicado VIP")
    for r in rows:
        table.add_row(r.email, r.name, r.organization_slug, r.role,
                      "sim" if r.ticket_designee else "")
    out.print(table)


# --- analysts ----------------------------------------------------------------


@analysts_app.command("add")
@handle_errors
def analysts_add(
    name: Annotated[str, typer.Option()],
    email: Annotated[str, typer.Option()],
    level: Annotated[str, typer.Option(help="N1 or N2.")] = "N1",
    specialty: Annotated[list[str] | None, typer.Option(help="A module; repeat for several.")] = None,
) -> None:
    """Register an analyst."""
    analyst = helpdesk().add_analyst(name=name, email=email, level=level,
                                     specialties=specialty or [])
    out.print(f"Analista {analyst.email} cadastrado ({analyst.level}).")


@analysts_app.command("list")
@handle_errors
def analysts_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List analysts."""
    rows = helpdesk().list_analysts()
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("e-mail", "nome", "nível", "especialidades", "ativo")
    for r in rows:
        table.add_row(r.email, r.name, r.level, ", ".join(r.specialties),
                      "sim" if r.active else "não")
    out.print(table)


@analysts_app.command("link")
@handle_errors
def analysts_link(
    email: Annotated[str, typer.Argument()],
    platform: Annotated[str, typer.Option(help="telegram or slack.")],
    user_id: Annotated[str, typer.Option(help="The analyst's user id on that platform.")],
) -> None:
    """Link an analyst's Telegram or Slack account, so the bot obeys it."""
    helpdesk().link_analyst(email, platform.strip().lower(), user_id.strip())
    out.print(f"Conta {platform}:{user_id} vinculada ao analista {email}.")


# --- tickets -----------------------------------------------------------------


def _ticket_table(rows: list[TicketView]) -> Table:
    table = Table("número", "status", "org", "solicitante", "módulo", "criticidade", "nível",
                  "responsável", "assunto")
    for t in rows:
        table.add_row(t.number, t.status, t.organization, t.requester, t.module, t.criticality,
                      t.level, t.assignee or "—", t.subject)
    return table


def _show(view: TicketView, as_json: bool) -> None:
    if as_json:
        print_json(view.to_dict())
        return
    out.print(_ticket_table([view]))
    for m in view.messages:
        tag = " (interna)" if m.visibility == "INTERNAL" else ""
        out.print(f"[dim]{m.created_at:%Y-%m-%d %H:%M}[/dim] [bold]{m.author_kind}[/bold] "
                  f"{m.author or ''}{tag}:", highlight=False)
        out.print(f"  {m.body}", markup=False, highlight=False)


@tickets_app.command("open")
@handle_errors
def tickets_open(
    contact: Annotated[str, typer.Option(help="Requester's e-mail.")],
    subject: Annotated[str, typer.Option()],
    module: Annotated[str, typer.Option()],
    criticality: Annotated[str, typer.Option(help="BAIXA, MEDIA, ALTA or CRITICA.")],
    description: Annotated[str, typer.Option()] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Open a ticket on behalf of a contact."""
    desk = helpdesk()
    person = desk.contact_by_email(contact)
    view = desk.open_ticket(contact_id=person.id, subject=subject, module=module,
                            criticality=criticality, description=description)
    if as_json:
        print_json(view.to_dict(with_messages=False))
    else:
        out.print(f"Chamado {view.number} aberto ({view.status}).")


@tickets_app.command("list")
@handle_errors
def tickets_list(
    status: Annotated[str | None, typer.Option(help="OPEN, ANSWERED, CLOSED or FORWARDED.")] = None,
    org: Annotated[str | None, typer.Option(help="Organization slug.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List tickets, newest first."""
    rows = helpdesk().list_tickets(status=status, org_slug=org)
    if as_json:
        print_json([t.to_dict(with_messages=False) for t in rows])
        return
    out.print(_ticket_table(rows))


@tickets_app.command("show")
@handle_errors
def tickets_show(
    number: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a ticket with its messages."""
    _show(helpdesk().get_ticket(number, Actor.system()), as_json)


@tickets_app.command("reply")
@handle_errors
def tickets_reply(
    number: Annotated[str, typer.Argument()],
    text: Annotated[str, typer.Argument()],
    analyst: Annotated[str, typer.Option(help="Analyst's e-mail.")],
) -> None:
    """Public reply from an analyst (relayed to the client)."""
    desk = helpdesk()
    result = desk.analyst_reply(number, desk.analyst_by_email(analyst).id, text)
    out.print(f"Resposta registrada; chamado {result.ticket.number} agora {result.ticket.status}.")


@tickets_app.command("note")
@handle_errors
def tickets_note(
    number: Annotated[str, typer.Argument()],
    text: Annotated[str, typer.Argument()],
    analyst: Annotated[str, typer.Option(help="Analyst's e-mail.")],
) -> None:
    """Internal note (never shown to the client)."""
    desk = helpdesk()
    result = desk.internal_note(number, desk.analyst_by_email(analyst).id, text)
    out.print(f"Nota interna registrada no chamado {result.ticket.number}.")


@tickets_app.command("claim")
@handle_errors
def tickets_claim(
    number: Annotated[str, typer.Argument()],
    analyst: Annotated[str, typer.Option(help="Analyst's e-mail.")],
) -> None:
    """Assign the ticket to an analyst."""
    desk = helpdesk()
    view = desk.claim(number, desk.analyst_by_email(analyst).id)
    out.print(f"Chamado {view.number} assumido por {view.assignee}.")


@tickets_app.command("message")
@handle_errors
def tickets_message(
    number: Annotated[str, typer.Argument()],
    text: Annotated[str, typer.Argument()],
    contact: Annotated[str, typer.Option(help="Contact's e-mail.")],
) -> None:
    """A message from the client on the ticket."""
    desk = helpdesk()
    result = desk.client_message(number, desk.contact_by_email(contact).id, text)
    out.print(f"Mensagem registrada; chamado {result.ticket.number} agora {result.ticket.status}.")


@tickets_app.command("accept")
@handle_errors
def tickets_accept(
    number: Annotated[str, typer.Argument()],
    contact: Annotated[str, typer.Option(help="Contact's e-mail.")],
) -> None:
    """The client accepts the solution (closes the ticket)."""
    desk = helpdesk()
    view = desk.accept_solution(number, desk.contact_by_email(contact).id)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("reject")
@handle_errors
def tickets_reject(
    number: Annotated[str, typer.Argument()],
    contact: Annotated[str, typer.Option(help="Contact's e-mail.")],
    text: Annotated[str | None, typer.Argument()] = None,
) -> None:
    """The client says the solution did not work (back to OPEN)."""
    desk = helpdesk()
    view = desk.reject_solution(number, desk.contact_by_email(contact).id, text)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("reopen")
@handle_errors
def tickets_reopen(
    number: Annotated[str, typer.Argument()],
    contact: Annotated[str, typer.Option(help="Contact's e-mail.")],
    text: Annotated[str | None, typer.Argument()] = None,
) -> None:
    """Reopen a closed ticket (within the reopen window)."""
    desk = helpdesk()
    view = desk.reopen(number, desk.contact_by_email(contact).id, text)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("escalate")
@handle_errors
def tickets_escalate(
    number: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Argument()],
    analyst: Annotated[str, typer.Option(help="Analyst's e-mail.")],
) -> None:
    """Escalate N1 -> N2 with a reason."""
    desk = helpdesk()
    view = desk.escalate(number, desk.analyst_by_email(analyst).id, reason)
    out.print(f"Chamado {view.number} escalado para {view.level}.")


@tickets_app.command("close")
@handle_errors
def tickets_close(
    number: Annotated[str, typer.Argument()],
    analyst: Annotated[str, typer.Option(help="Analyst's e-mail.")],
) -> None:
    """Close a ticket as an analyst."""
    desk = helpdesk()
    view = desk.close_by_analyst(number, desk.analyst_by_email(analyst).id)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("forward")
@handle_errors
def tickets_forward(
    number: Annotated[str, typer.Argument()],
    area: Annotated[str, typer.Argument(help="The area that takes it (e.g. Comercial).")],
    analyst: Annotated[str, typer.Option(help="Analyst's e-mail.")],
) -> None:
    """Forward an out-of-scope ticket to another area."""
    desk = helpdesk()
    view = desk.forward(number, desk.analyst_by_email(analyst).id, area)
    out.print(f"Chamado {view.number} encaminhado para {view.forwarded_area}.")


@contacts_app.command("invite")
@handle_errors
def contacts_invite(
    email: Annotated[str, typer.Argument(help="The contact's e-mail.")],
    hours: Annotated[int | None, typer.Option(help="Valid for this many hours (default INVITE_TTL_HOURS).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Issue a one-time invite code the client sends as /vincular CODE."""
    from datetime import timedelta

    from core.linking import issue_invite

    conf = settings()
    invite = issue_invite(helpdesk(), email, timedelta(hours=hours or conf.invite_ttl_hours))
    if as_json:
        print_json({"email": invite.email, "code": invite.code,
                    "expires_at": invite.expires_at.isoformat()})
        return
    out.print(f"Código de convite para {invite.email}: [bold]{invite.code}[/bold]")
    out.print(f"Válido até {invite.expires_at:%d/%m/%Y %H:%M} UTC, uma única vez. "
              f"O cliente envia ao bot: /vincular {invite.code}")


@app.command()
@handle_errors
def console(
    as_: Annotated[str | None, typer.Option("--as", help="Chat as this contact (e-mail).")] = None,
    analyst: Annotated[str | None, typer.Option(help="Work as this analyst (e-mail) instead.")] = None,
) -> None:
    """Chat with the bot in the terminal (no tokens needed)."""
    from bot.console import AnalystConsole, ClientConsole, run_loop, welcome
    from chamado.app import build_dialog
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
    from chamado.app import confirm_relay

    client = ClientConsole(dialog, as_ or DEMO_CLIENT, write,  # type: ignore[arg-type]
                           on_delivered=confirm_relay(desk))  # type: ignore[arg-type]
    write(f"Conversando como {client.name} <{client.email}>. Ctrl-D para sair.\n")
    write(welcome(conf.locale) + "\n")
    client.flush()
    run_loop(lambda line: client.turn(line) if line.strip() else None, client.flush, client.lock,
             "você> ")


@app.command()
def serve(
    telegram: Annotated[bool, typer.Option("--telegram", help="Run the Telegram bot.")] = False,
    slack: Annotated[bool, typer.Option("--slack", help="Run the Slack app.")] = False,
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
    options = ServeOptions(telegram=telegram, slack=slack, webhook_url=webhook, host=conf.http_host,
                           port=port or conf.http_port, dispatch=not no_dispatch, receive=not dispatch_only)
    try:
        code = asyncio.run(run_service(conf, options))
    except ConfigError as exc:
        raise fail(f"erro de configuração: {exc}") from None
    except DomainError as exc:
        raise fail(f"erro: {exc.render(conf.locale)}") from None
    raise typer.Exit(code)


def _mount_optional() -> None:
    try:
        from knowledge_base.cli import kb_app
    except ImportError:  # the FAQ module is optional while it is being built
        return
    app.add_typer(kb_app, name="kb")


_mount_optional()

import chamado.cli_reports  # noqa: E402,F401

if __name__ == "__main__":
    app()
