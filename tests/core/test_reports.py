"""Monthly reports computed from seeded data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.desk import HelpDesk
from core.errors import InvalidInput, NotFound
from core.model import Actor
from core.reports import billing_report, faq_gaps, kb_report, sla_report, sla_sweep_snapshot
from core.store.orm import FaqQuestion, SlaAlert
from tests.conftest import Clock


def open_ticket(desk: HelpDesk, email: str, criticality: str = "ALTA", subject: str = "Erro na rotina") -> str:
    contact = desk.contact_by_email(email)
    return desk.open_ticket(contact_id=contact.id, subject=subject, module="Fiscal", criticality=criticality,
                            description="Detalhes", origin_platform="console", origin_chat=email).number


def ana(desk: HelpDesk) -> int:
    return desk.analyst_by_email("ana@suporte.example").id


# --- billing ---------------------------------------------------------------------------------


@pytest.fixture
def billed(demo: HelpDesk, clock: Clock) -> dict[str, str]:
    """March 2026: hours on each mode's organization, one entry on the last evening of the month."""
    demo.set_billing_terms("prata", hourly_rate_cents=15000)
    demo.set_billing_terms("ouro", hourly_rate_cents=20000, contract_minutes_month=60)
    demo.set_billing_terms("vip", hourly_rate_cents=30000)
    t = {
        "prata": open_ticket(demo, "paula@prata.example"),
        "ouro_a": open_ticket(demo, "otavio@ouro.example"),
        "ouro_b": open_ticket(demo, "otavio@ouro.example"),
        "vip_approved": open_ticket(demo, "vera@vip.example"),
        "vip_pending": open_ticket(demo, "vera@vip.example"),
        "vip_included": open_ticket(demo, "vera@vip.example"),
    }
    demo.log_hours(t["prata"], ana(demo), "1h30")
    demo.close_by_analyst(t["prata"], ana(demo))  # closed or not, hours count
    demo.log_hours(t["ouro_a"], ana(demo), "45m")
    demo.log_hours(t["ouro_b"], ana(demo), "45m")
    demo.log_hours(t["vip_approved"], ana(demo), "1", note="Banco do cliente", client_cause=True)
    demo.decide_approval(t["vip_approved"], demo.contact_by_email("vera@vip.example").id, True)
    demo.log_hours(t["vip_pending"], ana(demo), "30m", note="Servidor do cliente", client_cause=True)
    demo.log_hours(t["vip_included"], ana(demo), "2")
    clock.now = datetime(2026, 4, 1, 2, 30, tzinfo=UTC)  # 31/03 23:30 in São Paulo
    demo.log_hours(t["prata"], ana(demo), "30m")
    clock.now = datetime(2026, 4, 1, 3, 30, tzinfo=UTC)  # 01/04 00:30: April's bill
    demo.log_hours(t["prata"], ana(demo), "1")
    return t


def test_billing_report_bills_each_mode_by_its_rule(demo: HelpDesk, billed: dict[str, str]) -> None:
    report = billing_report(demo, "2026-03")
    orgs = {o.slug: o for o in report.organizations}
    assert list(orgs) == ["ouro", "prata", "vip"]

    prata = orgs["prata"].totals()
    assert (prata["logged_minutes"], prata["billable_minutes"], prata["amount_cents"]) == (120, 120, 30000)

    ouro = {t.number: t for t in orgs["ouro"].tickets}
    assert (ouro[billed["ouro_a"]].billable_minutes, ouro[billed["ouro_a"]].contract_minutes) == (0, 45)
    assert (ouro[billed["ouro_b"]].billable_minutes, ouro[billed["ouro_b"]].amount_cents) == (30, 10000)
    assert orgs["ouro"].totals()["contract_minutes"] == 60

    vip = {t.number: t for t in orgs["vip"].tickets}
    assert (vip[billed["vip_approved"]].amount_cents, vip[billed["vip_approved"]].approval) == (30000, "APPROVED")
    assert (vip[billed["vip_pending"]].pending_minutes, vip[billed["vip_pending"]].pending_amount_cents) == (30, 15000)
    assert vip[billed["vip_included"]].billable_minutes == 0
    assert orgs["vip"].pending_approvals == 1

    totals = report.totals()
    assert totals["amount_cents"] == 30000 + 10000 + 30000
    assert totals["pending_approvals"] == 1
    assert totals["logged_minutes"] == 120 + 90 + 60 + 30 + 120


def test_billing_report_months_follow_sao_paulo_time(demo: HelpDesk, billed: dict[str, str]) -> None:
    april = billing_report(demo, "2026-04")
    assert [(o.slug, o.totals()["billable_minutes"]) for o in april.organizations] == [("prata", 60)]
    assert april.start == datetime(2026, 4, 1, 3, 0, tzinfo=UTC)


def test_billing_report_for_one_organization_and_its_stable_keys(demo: HelpDesk, billed: dict[str, str]) -> None:
    data = billing_report(demo, "2026-03", "vip").to_dict()
    assert set(data) == {"month", "timezone", "start", "end", "organizations", "totals"}
    [vip] = data["organizations"]
    assert vip["slug"] == "vip" and vip["pending_approvals"] == 1
    assert set(vip["tickets"][0]) == {"number", "subject", "status", "approval", "logged_minutes",
                                      "billable_minutes", "contract_minutes", "pending_minutes", "amount_cents",
                                      "pending_amount_cents"}
    assert billing_report(demo, "2026-05", "nova").organizations[0].tickets == ()
    with pytest.raises(NotFound):
        billing_report(demo, "2026-03", "nobody")
    with pytest.raises(InvalidInput):
        billing_report(demo, "03/2026")


# --- SLA ------------------------------------------------------------------------------------


@pytest.fixture
def sla_month(demo: HelpDesk, clock: Clock) -> dict[str, str]:
    """Wednesday 11/03/2026 from 10:00 in São Paulo: one on time, one late, one never answered."""
    t = {
        "on_time": open_ticket(demo, "paula@prata.example"),  # PRATA/ALTA: 4h to answer, 24h to solve
        "late": open_ticket(demo, "paula@prata.example"),
        "silent": open_ticket(demo, "otavio@ouro.example", "CRITICA"),  # OURO/CRITICA: 1h to answer
    }
    clock.advance(hours=1)
    demo.analyst_reply(t["on_time"], ana(demo), "Resolvido assim")
    clock.advance(hours=4)  # 15:00
    demo.analyst_reply(t["late"], ana(demo), "Desculpe a demora")
    demo.accept_solution(t["on_time"], demo.contact_by_email("paula@prata.example").id)
    with demo.db.session() as session:  # the SLA sweep recorded the silent ticket's breach
        ticket_id = demo.get_ticket(t["silent"], Actor.system()).id
        session.add(SlaAlert(ticket_id=ticket_id, target="first_response", level="breach", created_at=clock.now))
        session.commit()
    return t


def test_sla_report_percentages_medians_and_breaches(demo: HelpDesk, sla_month: dict[str, str]) -> None:
    report = sla_report(demo, "2026-03")
    groups = {(g.plan, g.criticality): g for g in report.groups}
    assert list(groups) == [("PRATA", "ALTA"), ("OURO", "CRITICA")]

    prata = groups[("PRATA", "ALTA")]
    assert (prata.tickets, prata.first_response_measured, prata.first_response_within) == (2, 2, 1)
    assert prata.first_response_pct == 50.0
    assert prata.median_first_response_minutes == 180.0  # 60 and 300 business minutes
    assert (prata.resolution_measured, prata.resolution_pct) == (1, 100.0)  # the late one is not closed yet
    assert prata.median_resolution_minutes == 60.0  # the clock paused while waiting for the client
    assert prata.first_response_target_minutes == 240.0

    ouro = groups[("OURO", "CRITICA")]
    assert (ouro.first_response_measured, ouro.first_response_pct) == (1, 0.0)
    assert report.totals.tickets == 3
    assert report.totals.first_response_pct == pytest.approx(33.3)

    breaches = {(b.number, b.target): b for b in report.breaches}
    assert set(breaches) == {(sla_month["late"], "first_response"), (sla_month["silent"], "first_response")}
    assert breaches[(sla_month["silent"], "first_response")].sources == ("alert", "measured")
    assert breaches[(sla_month["late"], "first_response")].elapsed_minutes == 300.0
    assert sla_report(demo, "2026-04").totals.tickets == 0


def test_sla_sweep_snapshot_lists_active_tickets_and_alerts_still_due(
    demo: HelpDesk, sla_month: dict[str, str], clock: Clock
) -> None:
    snapshot = sla_sweep_snapshot(demo)
    assert {i.number for i in snapshot.items} == {sla_month["late"], sla_month["silent"]}
    assert snapshot.breached == 2
    assert snapshot.due == ()  # the silent ticket's breach is recorded; the late one was answered
    clock.advance(days=2)
    later = sla_sweep_snapshot(demo)
    assert [(d.number, d.target, d.level) for d in later.due] == [(sla_month["silent"], "resolution", "breach")]


# --- FAQ ----------------------------------------------------------------------------------


def ask(desk: HelpDesk, text: str, decision: str, *, feedback: str | None = None, contact: str | None = None,
        ticket: str | None = None, at: datetime | None = None) -> None:
    contact_id = desk.contact_by_email(contact).id if contact else None
    ticket_id = desk.get_ticket(ticket, Actor.system()).id if ticket else None
    with desk.db.session() as session:
        session.add(FaqQuestion(platform="telegram", user_id=contact or "anon", contact_id=contact_id,
                                locale="pt-BR", text=text, decision=decision, suggested=[], feedback=feedback,
                                ticket_id=ticket_id, created_at=at or desk.clock()))
        session.commit()


@pytest.fixture
def faq_month(demo: HelpDesk, clock: Clock) -> None:
    paula, otavio = "paula@prata.example", "otavio@ouro.example"
    ask(demo, "como emitir segunda via do boleto", "answer", feedback="helpful")  # deflected
    ask(demo, "não consigo acessar o sistema", "suggest", contact=otavio)  # silent, no ticket: deflected
    ask(demo, "nota rejeitada pela sefaz", "answer", contact=paula)  # silent, but a ticket 2h later
    clock.advance(hours=2)
    opened = open_ticket(demo, paula, subject="Rejeição da SEFAZ")
    ask(demo, "erro ao emitir nota", "answer", feedback="unhelpful", contact=paula, ticket=opened)
    ask(demo, "como exportar relatório de estoque", "none")
    ask(demo, "exportar relatorio do estoque?", "none")
    ask(demo, "Como exporto o relatório de estoque", "suggest", feedback="none_fit")
    ask(demo, "kkkk", "none")  # normalizes to nothing: not a gap
    demo.accept_solution(opened, demo.contact_by_email(paula).id)
    demo.rate(opened, demo.contact_by_email(paula).id, 4)
    other = open_ticket(demo, paula)
    demo.close_by_analyst(other, ana(demo))
    demo.rate(other, demo.contact_by_email(paula).id, 5)


def test_kb_report_deflection_helpfulness_satisfaction_and_gaps(demo: HelpDesk, faq_month: None) -> None:
    report = kb_report(demo)
    assert report.questions == 8
    assert report.decisions == {"answer": 3, "suggest": 2, "none": 3}
    assert report.feedback == {"helpful": 1, "unhelpful": 1, "none_fit": 1, "no_feedback": 5}
    assert report.deflected == 2
    assert report.deflection_pct == 25.0
    assert report.helpful_pct == 50.0
    assert (report.ratings, report.satisfaction_average) == (2, 4.5)
    assert report.satisfaction_distribution == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    top = report.gaps[0]
    assert (top.count, top.unanswered, top.unhelpful) == (3, 2, 1)
    assert "estoque" in top.example
    assert [g.count for g in report.gaps] == [3, 1]
    assert kb_report(demo, "2026-03").questions == 8
    assert kb_report(demo, "2026-04").questions == 0


def test_faq_gaps_keep_the_top_groups() -> None:
    from core.reports import AskedQuestion

    moment = datetime(2026, 3, 1, tzinfo=UTC)
    texts = [f"como configurar o modulo {word}" for word in
             ("fiscal", "estoque", "compras", "vendas", "producao", "contabilidade")]
    questions = [AskedQuestion(i, None, "pt-BR", text, "none", None, None, moment + timedelta(minutes=i))
                 for i, text in enumerate(texts * 2 + texts[:1])]
    gaps = faq_gaps(questions, top=3, similarity=95)
    assert [g.count for g in gaps] == [3, 2, 2]
    assert gaps[0].example == "como configurar o modulo fiscal"


def test_the_prefix_calendar_answers_like_the_business_calendar() -> None:
    import random

    from core.business_calendar import BusinessCalendar
    from core.reports import PrefixCalendar

    base = BusinessCalendar(tz="America/New_York")  # a zone with daylight saving changes
    start = datetime(2026, 2, 20, tzinfo=UTC)
    fast = PrefixCalendar.over(base, start, start + timedelta(days=60))
    rng = random.Random(7)
    for _ in range(300):
        a = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 75))  # some beyond the precomputed span
        b = a + timedelta(minutes=rng.randrange(-600, 60 * 24 * 20))
        assert fast.between(a, b) == base.between(a, b), (a, b)
