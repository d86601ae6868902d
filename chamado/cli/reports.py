"""``chamado report billing|sla|kb --month YYYY-MM``: the monthly reports.

Tables for people, ``--json`` (and ``--csv`` for billing) for machines.
"""

from __future__ import annotations

import csv
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from chamado.app import sla_of
from chamado.cli.common import JsonOption, fail, handle_errors, helpdesk, hours_text, out, print_json
from core.billing import format_cents, format_minutes
from core.business_calendar import BusinessCalendar
from core.desk import HelpDesk
from core.i18n import translate
from core.reports import CSV_COLUMNS, BillingReport, KbReport, SlaGroup, SlaReport
from core.sla import SlaPolicy

report_app = typer.Typer(help="Monthly reports: billing, SLA, FAQ.", no_args_is_help=True)

MonthOption = Annotated[str, typer.Option("--month", help="The month, YYYY-MM (São Paulo time).")]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


def _mins(value: float | None) -> str:
    return "—" if value is None else format_minutes(round(value))


def _approval(status: str | None) -> str:
    return "" if status is None else translate(f"billing.approval.{status}")



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
            table.add_row(org.slug, org.billing_mode, t.number, t.status, hours_text(t.logged_minutes),
                          hours_text(t.contract_minutes), hours_text(t.billable_minutes),
                          format_cents(t.amount_cents), _pending(t.pending_minutes, t.approval))
        sums = org.totals()
        table.add_row(f"[bold]{org.slug}[/bold]", org.billing_mode, "[bold]total[/bold]", "",
                      hours_text(sums["logged_minutes"]), hours_text(sums["contract_minutes"]),
                      hours_text(sums["billable_minutes"]), f"[bold]{format_cents(sums['amount_cents'])}[/bold]",
                      hours_text(sums["pending_minutes"]) if sums["pending_minutes"] else "", end_section=True)
    out.print(table)
    totals = report.totals()
    line = (f"Total do mês: {hours_text(totals['logged_minutes'])} lançadas, "
            f"{hours_text(totals['billable_minutes'])} faturáveis = {format_cents(totals['amount_cents'])}.")
    if totals["pending_approvals"]:
        line += (f" Aguardando aprovação do cliente: {totals['pending_approvals']} chamado(s), "
                 f"{hours_text(totals['pending_minutes'])} ({format_cents(totals['pending_amount_cents'])}).")
    out.print(line, highlight=False)


def _pending(minutes: int, approval: str | None) -> str:
    if not minutes:
        return _approval(approval) if approval and approval != "PENDING" else ""
    return f"{hours_text(minutes)} ({_approval(approval or 'PENDING')})"


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
