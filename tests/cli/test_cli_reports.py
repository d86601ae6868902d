"""``chamado report ...``, ``chamado tickets hours``, ``chamado orgs billing`` and ``chamado kb draft``."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chamado.cli import app
from core.billing import month_of
from core.desk import HelpDesk
from knowledge_base.lint import lint
from knowledge_base.loader import load_knowledge_base

runner = CliRunner()
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
"""The CLI's own behaviour does not depend on the backend; the first test runs on both."""


@pytest.fixture
def cli(demo: HelpDesk, db_url: str, monkeypatch: pytest.MonkeyPatch) -> HelpDesk:
    """The demo data on the database the CLI reads (``DATABASE_URL``)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    return demo


def chamado(*args: str, ok: bool = True) -> tuple[str, str, int]:
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout, result.stderr, result.exit_code


def open_ticket(desk: HelpDesk, email: str = "paula@prata.example") -> str:
    contact = desk.contact_by_email(email)
    return desk.open_ticket(contact_id=contact.id, subject="Erro ao transmitir NF-e", module="Fiscal",
                            criticality="ALTA", description="Rejeição 539 ao transmitir. Acontece desde ontem.",
                            origin_platform="console", origin_chat=email).number


def this_month() -> str:
    return month_of(datetime.now(UTC))


def test_tickets_hours_logs_and_lists_and_the_billing_report_has_them(cli: HelpDesk) -> None:
    chamado("orgs", "billing", "prata", "--rate", "150,00")
    number = open_ticket(cli)
    stdout, _, _ = chamado("tickets", "hours", number, "1h30", "--analyst", "ana@suporte.example",
                           "--note", "Análise do XML")
    assert f"1h30 lançadas no chamado {number}" in stdout
    listed = json.loads(chamado("tickets", "hours", number, "--json")[0])
    assert (listed["logged_minutes"], listed["amount_cents"]) == (90, 22500)

    report = json.loads(chamado("report", "billing", "--month", this_month(), "--json")[0])
    assert set(report) == {"month", "timezone", "start", "end", "organizations", "totals"}
    assert set(report["totals"]) == {"logged_minutes", "billable_minutes", "contract_minutes", "pending_minutes",
                                     "amount_cents", "pending_amount_cents", "pending_approvals"}
    assert report["organizations"][0]["slug"] == "prata"
    assert report["totals"]["amount_cents"] == 22500

    rows = list(csv.DictReader(io.StringIO(chamado("report", "billing", "--month", this_month(), "--csv")[0])))
    assert list(rows[0]) == ["month", "organization", "billing_mode", "hourly_rate_cents", "number", "subject",
                             "status", "approval", "logged_minutes", "billable_minutes", "contract_minutes",
                             "pending_minutes", "amount_cents", "pending_amount_cents"]
    assert (rows[0]["number"], rows[0]["amount_cents"]) == (number, "22500")

    table = chamado("report", "billing", "--month", this_month())[0]
    assert "R$ 225,00" in table


@sqlite_only
def test_client_cause_hours_on_saas_are_pending_in_the_report(cli: HelpDesk) -> None:
    number = open_ticket(cli, "vera@vip.example")
    stdout, _, _ = chamado("tickets", "hours", number, "2", "--analyst", "ana@suporte.example", "--client-cause",
                           "--note", "Índice corrompido no banco do cliente")
    assert "aguardando aprovação do cliente" in stdout
    report = json.loads(chamado("report", "billing", "--month", this_month(), "--org", "vip", "--json")[0])
    assert report["totals"]["pending_approvals"] == 1
    assert report["totals"]["pending_minutes"] == 120


@sqlite_only
def test_refusals_are_one_line(cli: HelpDesk) -> None:
    number = open_ticket(cli)
    _, stderr, code = chamado("tickets", "hours", number, "abc", "--analyst", "ana@suporte.example", ok=False)
    assert code == 1
    assert stderr.strip().startswith("erro: Não entendi as horas")
    assert len(stderr.strip().splitlines()) == 1
    _, stderr, code = chamado("report", "billing", "--month", "março", ok=False)
    assert code == 1 and "AAAA-MM" in stderr
    _, stderr, code = chamado("report", "billing", "--month", this_month(), "--json", "--csv", ok=False)
    assert code == 1
    _, stderr, code = chamado("tickets", "hours", number, "1", ok=False)
    assert code == 1 and "--analyst" in stderr


@sqlite_only
def test_report_sla_and_kb(cli: HelpDesk) -> None:
    number = open_ticket(cli)  # created on the test clock: March 2026
    cli.analyst_reply(number, cli.analyst_by_email("ana@suporte.example").id, "Ajuste o CFOP")
    data = json.loads(chamado("report", "sla", "--month", "2026-03", "--json")[0])
    assert set(data) == {"month", "timezone", "start", "end", "measured_at", "groups", "totals", "breaches"}
    assert data["groups"][0]["plan"] == "PRATA"
    assert data["groups"][0]["first_response"]["pct_within_target"] == 100.0
    assert "PRATA" in chamado("report", "sla", "--month", "2026-03")[0]

    kb = json.loads(chamado("report", "kb", "--json")[0])
    assert set(kb) == {"month", "questions", "decisions", "feedback", "deflected", "deflection_pct", "helpful_pct",
                       "satisfaction", "gaps"}
    assert "perguntas" in chamado("report", "kb")[0]


@sqlite_only
def test_kb_draft_from_a_closed_ticket_passes_the_faq_lint(cli: HelpDesk, tmp_path: Path) -> None:
    number = open_ticket(cli)
    cli.analyst_reply(number, cli.analyst_by_email("ana@suporte.example").id,
                      "Ajuste o CFOP da operação:\n1. Abra o pedido\n2. Troque o CFOP para 5102")
    _, stderr, code = chamado("kb", "draft", number, ok=False)
    assert code == 1 and "não foi fechado" in stderr
    cli.accept_solution(number, cli.contact_by_email("paula@prata.example").id)

    printed, advice, _ = chamado("kb", "draft", number)
    assert "draft: true" in printed and "knowledge_base/faq/" in advice
    faq = tmp_path / "faq"
    faq.mkdir()
    target = faq / "draft.yaml"
    stdout, _, _ = chamado("kb", "draft", number, "--output", str(target))
    assert "draft: false" in stdout
    assert lint(faq) == []
    kb = load_knowledge_base(faq)
    [entry] = kb.drafts
    assert (entry.id, entry.source_ticket, entry.module) == (f"draft-{number}", number, "Fiscal")
    assert entry.tags == ("draft", "fiscal")
    assert entry.pt_br is not None and "Troque o CFOP para 5102" in entry.pt_br.answer
    assert kb.served == ()
    _, stderr, code = chamado("kb", "draft", number, "--output", str(target), ok=False)
    assert code == 1 and "já existe" in stderr
