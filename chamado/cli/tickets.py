"""``chamado tickets ...``: open, list and show tickets, act on them as an analyst or a client, log hours."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from chamado.cli.common import JsonFlag, JsonOption, fail, handle_errors, helpdesk, hours_text, out, print_json
from core.billing import format_cents, format_minutes
from core.model import Actor
from core.views import TicketView

tickets_app = typer.Typer(help="Tickets (chamados).", no_args_is_help=True)

NumberArgument = Annotated[str, typer.Argument()]
TextArgument = Annotated[str, typer.Argument()]
OptionalTextArgument = Annotated[str | None, typer.Argument()]
AnalystOption = Annotated[str, typer.Option(help="Analyst's e-mail.")]
ContactOption = Annotated[str, typer.Option(help="Contact's e-mail.")]


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


# --- opening and reading ------------------------------------------------------------


@tickets_app.command("open")
@handle_errors
def tickets_open(
    contact: Annotated[str, typer.Option(help="Requester's e-mail.")],
    subject: Annotated[str, typer.Option()],
    module: Annotated[str, typer.Option()],
    criticality: Annotated[str, typer.Option(help="BAIXA, MEDIA, ALTA or CRITICA.")],
    description: Annotated[str, typer.Option()] = "",
    as_json: JsonFlag = False,
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
    as_json: JsonFlag = False,
) -> None:
    """List tickets, newest first."""
    rows = helpdesk().list_tickets(status=status, org_slug=org)
    if as_json:
        print_json([t.to_dict(with_messages=False) for t in rows])
        return
    out.print(_ticket_table(rows))


@tickets_app.command("show")
@handle_errors
def tickets_show(number: NumberArgument, as_json: JsonFlag = False) -> None:
    """Show a ticket with its messages."""
    _show(helpdesk().get_ticket(number, Actor.system()), as_json)


# --- the analyst's side -------------------------------------------------------------


@tickets_app.command("reply")
@handle_errors
def tickets_reply(number: NumberArgument, text: TextArgument, analyst: AnalystOption) -> None:
    """Public reply from an analyst (relayed to the client)."""
    desk = helpdesk()
    result = desk.analyst_reply(number, desk.analyst_by_email(analyst).id, text)
    out.print(f"Resposta registrada; chamado {result.ticket.number} agora {result.ticket.status}.")


@tickets_app.command("note")
@handle_errors
def tickets_note(number: NumberArgument, text: TextArgument, analyst: AnalystOption) -> None:
    """Internal note (never shown to the client)."""
    desk = helpdesk()
    result = desk.internal_note(number, desk.analyst_by_email(analyst).id, text)
    out.print(f"Nota interna registrada no chamado {result.ticket.number}.")


@tickets_app.command("claim")
@handle_errors
def tickets_claim(number: NumberArgument, analyst: AnalystOption) -> None:
    """Assign the ticket to an analyst."""
    desk = helpdesk()
    view = desk.claim(number, desk.analyst_by_email(analyst).id)
    out.print(f"Chamado {view.number} assumido por {view.assignee}.")


# --- the client's side --------------------------------------------------------------


@tickets_app.command("message")
@handle_errors
def tickets_message(number: NumberArgument, text: TextArgument, contact: ContactOption) -> None:
    """A message from the client on the ticket."""
    desk = helpdesk()
    result = desk.client_message(number, desk.contact_by_email(contact).id, text)
    out.print(f"Mensagem registrada; chamado {result.ticket.number} agora {result.ticket.status}.")


@tickets_app.command("accept")
@handle_errors
def tickets_accept(number: NumberArgument, contact: ContactOption) -> None:
    """The client accepts the solution (closes the ticket)."""
    desk = helpdesk()
    view = desk.accept_solution(number, desk.contact_by_email(contact).id)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("reject")
@handle_errors
def tickets_reject(number: NumberArgument, contact: ContactOption, text: OptionalTextArgument = None) -> None:
    """The client says the solution did not work (back to OPEN)."""
    desk = helpdesk()
    view = desk.reject_solution(number, desk.contact_by_email(contact).id, text)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("reopen")
@handle_errors
def tickets_reopen(number: NumberArgument, contact: ContactOption, text: OptionalTextArgument = None) -> None:
    """Reopen a closed ticket (within the reopen window)."""
    desk = helpdesk()
    view = desk.reopen(number, desk.contact_by_email(contact).id, text)
    out.print(f"Chamado {view.number} {view.status}.")


# --- escalating, closing, forwarding ------------------------------------------------


@tickets_app.command("escalate")
@handle_errors
def tickets_escalate(number: NumberArgument, reason: TextArgument, analyst: AnalystOption) -> None:
    """Escalate N1 -> N2 with a reason."""
    desk = helpdesk()
    view = desk.escalate(number, desk.analyst_by_email(analyst).id, reason)
    out.print(f"Chamado {view.number} escalado para {view.level}.")


@tickets_app.command("close")
@handle_errors
def tickets_close(number: NumberArgument, analyst: AnalystOption) -> None:
    """Close a ticket as an analyst."""
    desk = helpdesk()
    view = desk.close_by_analyst(number, desk.analyst_by_email(analyst).id)
    out.print(f"Chamado {view.number} {view.status}.")


@tickets_app.command("forward")
@handle_errors
def tickets_forward(
    number: NumberArgument,
    area: Annotated[str, typer.Argument(help="The area that takes it (e.g. Comercial).")],
    analyst: AnalystOption,
) -> None:
    """Forward an out-of-scope ticket to another area."""
    desk = helpdesk()
    view = desk.forward(number, desk.analyst_by_email(analyst).id, area)
    out.print(f"Chamado {view.number} encaminhado para {view.forwarded_area}.")


# --- hours --------------------------------------------------------------------------


@tickets_app.command("hours")
@handle_errors
def tickets_hours(
    number: Annotated[str, typer.Argument(help="Ticket number.")],
    hours: Annotated[str | None, typer.Argument(help="Time worked: 1.5, 1,5, 1h30, 90m. Omit to list.")] = None,
    analyst: Annotated[str | None, typer.Option(help="Analyst's e-mail (to log hours).")] = None,
    note: Annotated[str | None, typer.Option(help="What was done; for client-cause hours, the reason.")] = None,
    client_cause: Annotated[bool, typer.Option("--client-cause", help="The cause is on the client's side.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Log hours on a ticket (open or closed), or list its hours when HOURS is omitted."""
    desk = helpdesk()
    if hours is not None:
        if not analyst:
            raise fail("erro: informe o analista com --analyst EMAIL para lançar horas.")
        entry = desk.log_hours(number, desk.analyst_by_email(analyst).id, hours, note=note,
                               client_cause=client_cause)
        if as_json:
            print_json(entry.to_dict())
            return
        out.print(f"{format_minutes(entry.minutes)} lançadas no chamado {entry.number} por {entry.analyst}.",
                  highlight=False)
        if entry.approval == "PENDING":
            out.print("Cobrança aguardando aprovação do cliente (contrato SaaS, causa do cliente).", highlight=False)
        return
    summary = desk.ticket_hours(number)
    if as_json:
        print_json(summary.to_dict())
        return
    table = Table("data", "analista", "horas", "causa do cliente", "cobrança", "faturável", "nota",
                  title=f"Chamado {summary.number} — {summary.organization} ({summary.billing_mode})")
    for e in summary.entries:
        table.add_row(f"{e.created_at:%Y-%m-%d %H:%M}", e.analyst, format_minutes(e.minutes),
                      "sim" if e.client_cause else "", e.charge or "", hours_text(e.billable_minutes),
                      e.note or "")
    out.print(table)
    line = (f"Total: {hours_text(summary.logged_minutes)}; faturável: {hours_text(summary.billable_minutes)} "
            f"= {format_cents(summary.amount_cents)}")
    if summary.pending_minutes:
        line += f"; aguardando aprovação: {hours_text(summary.pending_minutes)}"
    out.print(line, highlight=False)
