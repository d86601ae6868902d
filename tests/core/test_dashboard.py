"""The manager's dashboard: its plain rules without a database, then the figures of seeded data on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.billing import month_bounds
from core.desk import HelpDesk
from core.errors import InvalidInput
from core.kb_drafts import draft_from_gap
from core.reports import dashboard_report, dashboard_tables
from core.reports.dashboard import backlog_by, breach_counts, local_days, per_day, per_plan
from core.reports.sla import SlaBreach
from core.reports.sla_clocks import MeasuredTicket
from core.sla import SlaStatus
from core.store.orm import FaqQuestion
from tests.conftest import Clock

# --- plain rules -------------------------------------------------------------------------------------


def test_local_days_and_per_day_follow_the_sao_paulo_calendar() -> None:
    start, end = month_bounds("2026-03")
    days = local_days(start, end)
    assert len(days) == 31 and days[0] == (date(2026, 3, 1), start)
    assert days[1][1] == datetime(2026, 3, 2, 3, 0, tzinfo=UTC) and days[-1][0] == date(2026, 3, 31)
    counts = per_day([date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)], [2, 2, 5], [0, 1, 1])
    assert [(d.opened, d.closed) for d in counts] == [(2, 0), (0, 1), (3, 0)]


def _status(first: bool | None, first_breached: bool, resolved: bool | None, resolution_breached: bool,
            minutes: float = 30) -> SlaStatus:
    elapsed = timedelta(minutes=minutes)
    return SlaStatus(
        first_response_target=timedelta(hours=1), first_response_elapsed=elapsed, first_response_due=None,
        first_response_met=first, first_response_fraction=minutes / 60, first_response_breached=first_breached,
        first_response_warn=first_breached, resolution_target=timedelta(hours=8), resolution_elapsed=elapsed * 4,
        resolution_due=None, resolution_met=resolved, resolution_fraction=minutes / 120,
        resolution_breached=resolution_breached, resolution_warn=False, resolution_running=resolved is None,
    )


def test_per_plan_gives_each_plan_with_tickets_then_all() -> None:
    measured = [
        MeasuredTicket(1, "2026-000001", "prata", "PRATA", "ALTA", _status(True, False, True, False, 30)),
        MeasuredTicket(2, "2026-000002", "prata", "PRATA", "BAIXA", _status(False, True, None, False, 90)),
        MeasuredTicket(3, "2026-000003", "vip", "VIP", "ALTA", _status(True, False, None, False, 10)),
    ]
    groups = {g.plan: g for g in per_plan(measured)}
    assert list(groups) == ["PRATA", "VIP", "ALL"]
    assert (groups["PRATA"].tickets, groups["PRATA"].first_response_pct) == (2, 50.0)
    assert groups["PRATA"].median_first_response_minutes == 60.0
    assert groups["PRATA"].resolution_pct == 100.0  # one measured (closed), within
    assert (groups["VIP"].first_response_pct, groups["VIP"].resolution_pct) == (100.0, None)
    assert groups["ALL"].tickets == 3


def test_breach_counts_lists_every_plan_and_target() -> None:
    breaches = [SlaBreach("2026-000001", "prata", "PRATA", "ALTA", "first_response", 90, 60, ("measured",)),
                SlaBreach("2026-000002", "prata", "PRATA", "ALTA", "resolution", 900, 480, ("alert",))]
    counts = breach_counts(breaches)
    assert counts["PRATA"] == {"first_response": 1, "resolution": 1}
    assert counts["VIP"] == {"first_response": 0, "resolution": 0}


def test_backlog_by_keeps_the_known_order_then_the_largest() -> None:
    rows = [("N1", "Fiscal", 3), ("N2", "Fiscal", 1), ("N1", "Estoque", 5)]
    assert backlog_by(rows, 0, order=["N1", "N2"]) == (("N1", 8), ("N2", 1))
    assert backlog_by(rows, 1) == (("Estoque", 5), ("Fiscal", 4))
    assert backlog_by([], 0, order=["N1", "N2"]) == (("N1", 0), ("N2", 0))


def test_draft_from_gap_is_a_yaml_entry_with_the_groups_phrasings() -> None:
    import yaml

    text = draft_from_gap("Como emito a segunda via?", ["segunda via", "2a via do boleto"], 7)
    assert text.startswith("# Rascunho de FAQ para uma pergunta feita 7 vezes")
    entry = yaml.safe_load(text)["entries"][0]
    assert entry["draft"] is True and "source_ticket" not in entry
    assert entry["pt-BR"]["phrasings"][:3] == ["Como emito a segunda via?", "segunda via", "2a via do boleto"]
    assert entry["pt-BR"]["answer"].startswith("TODO")


# --- on the store ------------------------------------------------------------------------------------


def _open(desk: HelpDesk, email: str, module: str = "Fiscal", criticality: str = "ALTA") -> str:
    contact = desk.contact_by_email(email)
    return desk.open_ticket(contact_id=contact.id, subject="Erro na rotina", module=module, criticality=criticality,
                            description="Detalhes", origin_platform="console", origin_chat=email).number


def test_dashboard_report_figures_of_a_month(demo: HelpDesk, clock: Clock) -> None:
    ana = demo.analyst_by_email("ana@suporte.example").id
    paula = demo.contact_by_email("paula@prata.example").id
    first = _open(demo, "paula@prata.example")
    _open(demo, "vera@vip.example", module="Estoque")
    demo.claim(first, ana)
    demo.analyst_reply(first, ana, "Corrigido, pode testar?")
    clock.advance(days=1)
    demo.accept_solution(first, paula)
    demo.rate(first, paula, 4)
    with demo.uow() as uow:
        uow.session.add(FaqQuestion(platform="console", user_id="u1", contact_id=None, locale="pt-BR",
                                    text="como emitir boleto", decision="answer", feedback="helpful",
                                    created_at=clock.now))
        uow.commit()

    d = dashboard_report(demo, "2026-03")
    assert (d.opened, d.closed) == (2, 1)
    assert [x.opened for x in d.days if x.opened] == [2]
    assert {g.plan for g in d.plans} >= {"PRATA", "VIP", "ALL"}
    assert next(g for g in d.plans if g.plan == "ALL").tickets == 2
    assert d.backlog == 1 and dict(d.backlog_by_module) == {"Estoque": 1}
    assert dict(d.csat())[4] == 1
    assert (d.kb.questions, d.kb.deflected, d.kb.helpful_pct, d.kb.gaps) == (1, 1, 100.0, ())
    tables = dashboard_tables(d)
    assert tables["daily"][0] == ("day", "opened", "closed") and len(tables["daily"][1]) == 31
    assert (4, 1) in tables["csat"][1]
    assert d.to_dict()["tables"]["backlog_module"]["rows"] == [["Estoque", 1]]

    april = dashboard_report(demo, "2026-04")
    assert (april.opened, april.closed, april.backlog) == (0, 0, 1)  # the backlog is now, whatever the month


@pytest.mark.parametrize("bad", ["2026-13", "abc"])
def test_dashboard_report_refuses_a_bad_month(desk: HelpDesk, bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        dashboard_report(desk, bad)
    assert caught.value.key == "report.bad_month"


def test_days_are_counted_on_the_sao_paulo_clock_in_the_store(demo: HelpDesk, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)  # 01/03 00:00 in São Paulo
    _open(demo, "paula@prata.example")
    clock.now = datetime(2026, 4, 1, 2, 30, tzinfo=UTC)  # 31/03 23:30
    _open(demo, "paula@prata.example")
    clock.now = datetime(2026, 4, 1, 3, 30, tzinfo=UTC)  # 01/04 00:30: April
    _open(demo, "paula@prata.example")
    march = dashboard_report(demo, "2026-03")
    assert (march.days[0].opened, march.days[-1].opened, march.opened) == (1, 1, 2)
    assert dashboard_report(demo, "2026-04").days[0].opened == 1
