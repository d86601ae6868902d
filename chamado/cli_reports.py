"""``chamado report ...``, ``chamado tickets hours``, ``chamado orgs billing`` and ``chamado kb draft``.

Imported at the end of ``chamado/cli.py``: it adds its commands to the apps
defined there. Tables for people, ``--json`` (and ``--csv`` for billing) for
machines; refusals are one line on stderr.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from chamado.cli import app, fail, handle_errors, helpdesk, orgs_app, out, print_json, tickets_app
from core.billing import (
    format_cents,
    format_minutes,
    log_hours,
    parse_money,
    set_billing_terms,
    ticket_hours,
)
from core.business_calendar import BusinessCalendar
from core.i18n import translate
from core.reports import CSV_COLUMNS, BillingReport, KbReport, SlaGroup, SlaReport
from core.services import HelpDesk
from core.sla import SlaPolicy

report_app = typer.Typer(help="Monthly reports: billing, SLA, FAQ.", no_args_is_help=True)
app.add_typer(report_app, name="report")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]
MonthOption = Annotated[str, typer.Option("--month", help="The month, YYYY-MM (São Paulo time).")]


def _hours(minutes: int | None) -> str:
    return "—" if not minutes else format_minutes(minutes)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


def _mins(value: float | None) -> str:
    return "—" if value is None else format_minutes(round(value))


def _approval(status: str | None) -> str:
    return "" if status is None else translate(f"billing.approval.{status}")


# --- hours on a ticket ---------------------------------------------------------


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
        entry = log_hours(desk, number, desk.analyst_by_email(analyst).id, hours, note=note,
                          client_cause=client_cause)
        if as_json:
            print_json(entry.to_dict())
            return
        out.print(f"{format_minutes(entry.minutes)} lançadas no chamado {entry.number} por {entry.analyst}.",
                  highlight=False)
        if entry.approval == "PENDING":
            out.print("Cobrança aguardando aprovação do cliente (contrato SaaS, causa do cliente).", highlight=False)
        return
    summary = ticket_hours(desk, number)
    if as_json:
        print_json(summary.to_dict())
        return
    table = Table("data", "analista", "horas", "causa do cliente", "cobrança", "faturável", "nota",
                  title=f"Chamado {summary.number} — {summary.organization} ({summary.billing_mode})")
    for e in summary.entries:
        table.add_row(f"{e.created_at:%Y-%m-%d %H:%M}", e.analyst, format_minutes(e.minutes),
                      "sim" if e.client_cause else "", e.charge or "", _hours(e.billable_minutes), e.note or "")
    out.print(table)
    line = (f"Total: {_hours(summary.logged_minutes)}; faturável: {_hours(summary.billable_minutes)} "
            f"= {format_cents(summary.amount_cents)}")
    if summary.pending_minutes:
        line += f"; aguardando aprovação: {_hours(summary.pending_minutes)}"
    out.print(line, highlight=False)


@orgs_app.command("billing")
@handle_errors
def orgs_billing(
    slug: Annotated[str, typer.Argument(help="Organization slug.")],
    rate: Annotated[str | None, typer.Option(help="Hourly rate in R$, e.g. 150 or 150,00.")] = None,
    contract_hours: Annotated[float | None, typer.Option(help="Contracted hours per month (CONTRACT).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Set an organization's hourly rate and contracted hours per month."""
    terms = set_billing_terms(
        helpdesk(), slug,
        hourly_rate_cents=parse_money(rate) if rate is not None else None,
        contract_minutes_month=round(contract_hours * 60) if contract_hours is not None else None,
    )
    if as_json:
        print_json(terms)
        return
    out.print(f"{terms['slug']} ({terms['billing_mode']}): valor-hora {format_cents(terms['hourly_rate_cents'])}, "
              f"contrato {_hours(terms['contract_minutes_month'])} por mês.", highlight=False)


# --- reports ----------------------------------------------------------------------


@report_app.command("billing")
@handle_errors
def report_billing(
    month: MonthOption,
    org: Annotated[str | None, typer.Option(help="Only this organization (slug).")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="One CSV row per organization and ticket.")] = False,
) -> None:
    """Hours logged, billable hours and amounts of a month, per organization and ticket."""
    if as_json and as_csv:
        raise fail("erro: escolha --json ou --csv, não os dois.")
    from core.reports import billing_report

    report = billing_report(helpdesk(), month, org)
    if as_json:
        print_json(report.to_dict())
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.rows())
    else:
        _print_billing(report)


def _print_billing(report: BillingReport) -> None:
    table = Table("organização", "modo", "chamado", "status", "lançadas", "contrato", "faturáveis", "valor",
                  "aguardando aprovação", title=f"Faturamento de {report.month}")
    for org in report.organizations:
        for t in org.tickets:
            table.add_row(org.slug, org.billing_mode, t.number, t.status, _hours(t.logged_minutes),
                          _hours(t.contract_minutes), _hours(t.billable_minutes), format_cents(t.amount_cents),
                          _pending(t.pending_minutes, t.approval))
        sums = org.totals()
        table.add_row(f"[bold]{org.slug}[/bold]", org.billing_mode, "[bold]total[/bold]", "",
                      _hours(sums["logged_minutes"]), _hours(sums["contract_minutes"]),
                      _hours(sums["billable_minutes"]), f"[bold]{format_cents(sums['amount_cents'])}[/bold]",
                      _hours(sums["pending_minutes"]) if sums["pending_minutes"] else "", end_section=True)
    out.print(table)
    totals = report.totals()
    line = (f"Total do mês: {_hours(totals['logged_minutes'])} lançadas, {_hours(totals['billable_minutes'])} "
            f"faturáveis = {format_cents(totals['amount_cents'])}.")
    if totals["pending_approvals"]:
        line += (f" Aguardando aprovação do cliente: {totals['pending_approvals']} chamado(s), "
                 f"{_hours(totals['pending_minutes'])} ({format_cents(totals['pending_amount_cents'])}).")
    out.print(line, highlight=False)


def _pending(minutes: int, approval: str | None) -> str:
    if not minutes:
        return _approval(approval) if approval and approval != "PENDING" else ""
    return f"{_hours(minutes)} ({_approval(approval or 'PENDING')})"


@report_app.command("sla")
@handle_errors
def report_sla(month: MonthOption, as_json: JsonOption = False) -> None:
    """First response and resolution within target, per plan and criticality, and the breaches."""
    from core.reports import sla_report

    desk = helpdesk()
    report = sla_report(desk, month, *_sla_config(desk))
    if as_json:
        print_json(report.to_dict())
        return
    _print_sla(report)


def _sla_config(desk: HelpDesk) -> tuple[BusinessCalendar | None, SlaPolicy | None]:
    """The calendar and SLA policy the running help desk was built with (settings), if any."""
    try:
        from chamado.app import sla_of
    except ImportError:
        return None, None
    service = sla_of(desk)
    return (service.calendar, service.policy) if service is not None else (None, None)


def _sla_row(table: Table, g: SlaGroup, *, bold: bool = False) -> None:
    cells = [g.plan, g.criticality, str(g.tickets),
             _mins(g.first_response_target_minutes), _pct(g.first_response_pct),
             _mins(g.median_first_response_minutes),
             _mins(g.resolution_target_minutes), _pct(g.resolution_pct), _mins(g.median_resolution_minutes)]
    table.add_row(*(f"[bold]{c}[/bold]" if bold else c for c in cells))


def _print_sla(report: SlaReport) -> None:
    table = Table("plano", "criticidade", "chamados", "meta 1ª resp.", "1ª resp. no prazo", "mediana 1ª resp.",
                  "meta solução", "solução no prazo", "mediana solução",
                  title=f"SLA dos chamados abertos em {report.month} (horas úteis)")
    for group in report.groups:
        _sla_row(table, group)
    table.add_section()
    _sla_row(table, report.totals, bold=True)
    out.print(table)
    if not report.breaches:
        out.print("Nenhum prazo estourado.")
        return
    breaches = Table("chamado", "organização", "plano", "criticidade", "prazo", "decorrido", "meta", "origem",
                     title=f"Prazos estourados ({len(report.breaches)})")
    names = {"first_response": "1ª resposta", "resolution": "solução"}
    for b in report.breaches:
        breaches.add_row(b.number, b.organization, b.plan, b.criticality, names.get(b.target, b.target),
                         _mins(b.elapsed_minutes), _mins(b.target_minutes), ", ".join(b.sources))
    out.print(breaches)


@report_app.command("kb")
@handle_errors
def report_kb(
    month: Annotated[str | None, typer.Option("--month", help="Only this month, YYYY-MM (default: all).")] = None,
    as_json: JsonOption = False,
) -> None:
    """FAQ use: deflection, helpful answers, satisfaction, and the most asked questions it lacks."""
    from core.reports import kb_report

    report = kb_report(helpdesk(), month)
    if as_json:
        print_json(report.to_dict())
        return
    _print_kb(report)


def _print_kb(report: KbReport) -> None:
    period = report.month or "todo o período"
    summary = Table("indicador", "valor", title=f"FAQ — {period}", show_header=False)
    d, f = report.decisions, report.feedback
    rows: list[tuple[str, Any]] = [
        ("perguntas", report.questions),
        ("respondidas / sugestões / sem resposta", f"{d['answer']} / {d['suggest']} / {d['none']}"),
        ("resolvidas pela FAQ sem chamado", f"{report.deflected} ({_pct(report.deflection_pct)})"),
        ("ajudou / não ajudou / nenhuma serviu", f"{f['helpful']} / {f['unhelpful']} / {f['none_fit']}"),
        ("respostas úteis", _pct(report.helpful_pct)),
        ("avaliações de chamados", report.ratings),
        ("satisfação média (1-5)", "—" if report.satisfaction_average is None
         else f"{report.satisfaction_average:.2f}".replace(".", ",")),
        ("distribuição 1..5", " / ".join(str(report.satisfaction_distribution[str(i)]) for i in range(1, 6))),
    ]
    for label, value in rows:
        summary.add_row(label, str(value))
    out.print(summary)
    if not report.gaps:
        out.print("Nenhuma lacuna na FAQ: toda pergunta teve resposta útil.")
        return
    gaps = Table("#", "vezes", "sem resposta", "não ajudou", "exemplo", "variações",
                 title="Perguntas que a FAQ não resolve (escreva estas entradas primeiro)")
    for i, gap in enumerate(report.gaps, 1):
        gaps.add_row(str(i), str(gap.count), str(gap.unanswered), str(gap.unhelpful), gap.example,
                     " | ".join(gap.variants))
    out.print(gaps)


# --- FAQ drafts -----------------------------------------------------------------------


def _mount_kb_draft() -> None:
    try:
        from knowledge_base.cli import kb_app
    except ImportError:  # the FAQ module is optional while it is being built
        return

    @kb_app.command("draft")
    @handle_errors
    def kb_draft(
        number: Annotated[str, typer.Argument(help="A closed ticket's number.")],
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the YAML to this file.")] = None,
    ) -> None:
        """Draft a FAQ entry from a closed ticket's question and the analyst's answer."""
        from core.kb_drafts import draft_from_ticket

        text = draft_from_ticket(helpdesk(), number)
        advice = ("Revise o rascunho, remova dados do cliente, mova-o para knowledge_base/faq/ "
                  "e marque draft: false; depois rode `chamado kb lint`.")
        if output is None:
            sys.stdout.write(text)
            typer.echo(advice, err=True)
            return
        if output.exists():
            raise fail(f"erro: {output} já existe; escolha outro arquivo.")
        output.write_text(text, encoding="utf-8")
        out.print(f"Rascunho gravado em {output}. {advice}", highlight=False, markup=False)


_mount_kb_draft()
