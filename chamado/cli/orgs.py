"""``chamado orgs add|update|list|billing``: organizations (clients), their plans and billing terms."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from chamado.cli.common import JsonFlag, JsonOption, handle_errors, helpdesk, hours_text, out, print_json
from core.billing import format_cents, parse_money

orgs_app = typer.Typer(help="Organizations (clients) and their plans.", no_args_is_help=True)

AcceptanceOption = Annotated[str | None, typer.Option(help="Date the acceptance term was signed (YYYY-MM-DD).")]


@orgs_app.command("add")
@handle_errors
def orgs_add(
    name: Annotated[str, typer.Option(help="Company name.")],
    slug: Annotated[str, typer.Option(help="Short id, e.g. acme.")],
    plan: Annotated[str, typer.Option(help="PRATA, OURO or VIP.")],
    billing: Annotated[str, typer.Option(help="ON_DEMAND, CONTRACT or SAAS.")] = "ON_DEMAND",
    acceptance: AcceptanceOption = None,
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
    acceptance: AcceptanceOption = None,
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
def orgs_list(as_json: JsonFlag = False) -> None:
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


@orgs_app.command("billing")
@handle_errors
def orgs_billing(
    slug: Annotated[str, typer.Argument(help="Organization slug.")],
    rate: Annotated[str | None, typer.Option(help="Hourly rate in R$, e.g. 150 or 150,00.")] = None,
    contract_hours: Annotated[float | None, typer.Option(help="Contracted hours per month (CONTRACT).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Set an organization's hourly rate and contracted hours per month."""
    terms = helpdesk().set_billing_terms(
        slug,
        hourly_rate_cents=parse_money(rate) if rate is not None else None,
        contract_minutes_month=round(contract_hours * 60) if contract_hours is not None else None,
    )
    if as_json:
        print_json(terms)
        return
    out.print(f"{terms['slug']} ({terms['billing_mode']}): valor-hora {format_cents(terms['hourly_rate_cents'])}, "
              f"contrato {hours_text(terms['contract_minutes_month'])} por mês.", highlight=False)
