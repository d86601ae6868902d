"""``chamado contacts add|list|invite|role|manager``: client contacts, their role, one-time ``/vincular`` codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from chamado.cli.common import JsonFlag, handle_errors, helpdesk, out, print_json, settings

contacts_app = typer.Typer(help="Client contacts.", no_args_is_help=True)


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
    as_json: JsonFlag = False,
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


@contacts_app.command("invite")
@handle_errors
def contacts_invite(
    email: Annotated[str, typer.Argument(help="The contact's e-mail.")],
    hours: Annotated[int | None, typer.Option(help="Valid for this many hours (default INVITE_TTL_HOURS).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue a one-time invite code the client sends as /vincular CODE."""
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


@contacts_app.command("role")
@handle_errors
def contacts_role(email: str, role: Annotated[str, typer.Argument(help="PROJECT_MANAGER or OTHER.")]) -> None:
    """Change a contact's role (a second project manager is refused: see contacts manager)."""
    contact = helpdesk().set_contact_role(email, role)
    out.print(f"{contact.email}: {contact.role}.")


@contacts_app.command("manager")
@handle_errors
def contacts_manager(email: str) -> None:
    """Hand the project manager role to EMAIL; the organization's current manager becomes OTHER."""
    contact = helpdesk().hand_over_manager(email)
    out.print(f"{contact.email} é agora o gerente de projeto de {contact.organization_slug}.")
