"""``chamado analysts add|update|list|link``: support analysts (N1, N2), managers, their chat accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from chamado.cli.common import JsonFlag, handle_errors, helpdesk, out, print_json

MANAGER_HELP = "A manager also sees the dashboard, reports, billing and administration."
analysts_app = typer.Typer(help="Support analysts (N1, N2).", no_args_is_help=True)


@analysts_app.command("add")
@handle_errors
def analysts_add(
    name: Annotated[str, typer.Option()],
    email: Annotated[str, typer.Option()],
    level: Annotated[str, typer.Option(help="N1 or N2.")] = "N1",
    specialty: Annotated[list[str] | None, typer.Option(help="A module; repeat for several.")] = None,
    manager: Annotated[bool, typer.Option(help=MANAGER_HELP)] = False,
) -> None:
    """Register an analyst."""
    analyst = helpdesk().add_analyst(name=name, email=email, level=level,
                                     specialties=specialty or [], manager=manager)
    role = ", gestor" if analyst.manager else ""
    out.print(f"Analista {analyst.email} cadastrado ({analyst.level}{role}).")


@analysts_app.command("update")
@handle_errors
def analysts_update(
    email: Annotated[str, typer.Argument()],
    name: Annotated[str | None, typer.Option()] = None,
    level: Annotated[str | None, typer.Option(help="N1 or N2.")] = None,
    specialties: Annotated[str | None, typer.Option(
        help="Modules separated by commas (replaces the list; \"\" clears it).")] = None,
    manager: Annotated[bool | None, typer.Option("--manager/--no-manager", help=MANAGER_HELP)] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive",
                                                help="An inactive analyst loses access at once.")] = None,
) -> None:
    """Change an analyst's name, level, specialties, manager flag or active state."""
    modules = [s for s in specialties.split(",") if s.strip()] if specialties is not None else None
    analyst = helpdesk().update_analyst(email, name=name, level=level, specialties=modules,
                                        manager=manager, active=active)
    flags = [analyst.level, "gestor" if analyst.manager else "", "" if analyst.active else "inativo"]
    out.print(f"Analista {analyst.email} atualizado ({', '.join(f for f in flags if f)}).")


@analysts_app.command("list")
@handle_errors
def analysts_list(as_json: JsonFlag = False) -> None:
    """List analysts."""
    rows = helpdesk().list_analysts()
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("e-mail", "nome", "nível", "especialidades", "gestor", "ativo")
    for r in rows:
        table.add_row(r.email, r.name, r.level, ", ".join(r.specialties),
                      "sim" if r.manager else "", "sim" if r.active else "não")
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
