"""SLA clocks and routing inside the running help desk (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from chamado.app import build_helpdesk, sla_of
from chamado.demo import load_demo
from chamado.settings import load_settings
from core.desk import HelpDesk
from core.model import Actor
from core.routing import Candidate, pick_least_loaded
from core.sla_service import SlaService
from core.store.db import Database
from core.store.orm import OutboxMessage, SlaAlert, Ticket
from tests.conftest import Clock

WEDNESDAY_10H_SP = datetime(2026, 3, 11, 13, 0, tzinfo=UTC)


@pytest.fixture
def sla_desk(database: Database, clock: Clock) -> HelpDesk:
    desk = build_helpdesk(load_settings(), database, analyst_desks=("test",))
    desk.clock = clock
    load_demo(desk)
    return desk


def open_ticket(desk: HelpDesk, email: str = "paula@prata.example", criticality: str = "ALTA",
                module: str = "Fiscal") -> str:
    contact = desk.contact_by_email(email).id
    return desk.open_ticket(contact_id=contact, subject="s", module=module, criticality=criticality,
                            origin_platform="test", origin_chat="c").number


def alerts(desk: HelpDesk) -> list[tuple[str, str]]:
    with desk.db.session() as s:
        return sorted((a.target, a.level) for a in s.scalars(select(SlaAlert)))


def test_due_times_are_set_at_opening_in_business_hours(sla_desk: HelpDesk, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 13, 19, 0, tzinfo=UTC)  # Friday 16:00 in São Paulo
    number = open_ticket(sla_desk)  # Prata / Alta: first response 4h
    with sla_desk.db.session() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        # 2h left on Friday, 2h on Monday from 08:00 -> Monday 10:00 local = 13:00 UTC
        assert ticket.first_response_due_at == datetime(2026, 3, 16, 13, 0, tzinfo=UTC)


def test_warned_once_at_80_percent_and_once_at_breach(sla_desk: HelpDesk, clock: Clock) -> None:
    clock.now = WEDNESDAY_10H_SP
    open_ticket(sla_desk, "vera@vip.example", "CRITICA")  # VIP critical: first response 30 min
    sla = sla_of(sla_desk)
    assert sla is not None
    clock.advance(minutes=20)
    assert sla.sweep() == 0
    clock.advance(minutes=5)  # 25 of 30 minutes
    assert sla.sweep() == 1
    assert sla.sweep() == 0
    clock.advance(minutes=6)
    assert sla.sweep() == 1
    clock.advance(hours=1)
    sla.sweep()
    assert alerts(sla_desk) == [("first_response", "breach"), ("first_response", "warning")]
    with sla_desk.db.session() as s:
        kinds = [r.kind for r in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sla_alert"))]
    assert kinds == ["sla_alert", "sla_alert"]


def test_clock_pauses_while_waiting_for_the_client(sla_desk: HelpDesk, clock: Clock) -> None:
    clock.now = WEDNESDAY_10H_SP
    number = open_ticket(sla_desk, "vera@vip.example", "CRITICA")  # resolution 4h
    ana = sla_desk.analyst_by_email("ana@suporte.example").id
    clock.advance(minutes=10)
    sla_desk.analyst_reply(number, ana, "Tente isto")  # ANSWERED: paused
    sla = sla_of(sla_desk)
    assert sla is not None
    clock.advance(hours=6)
    sla.sweep()
    assert alerts(sla_desk) == []
    assert sla.status(number).resolution_elapsed.total_seconds() == 600
    sla_desk.client_message(number, sla_desk.contact_by_email("vera@vip.example").id, "não deu")
    assert sla.status(number).resolution_running


def test_client_sees_due_time_in_local_words(sla_desk: HelpDesk, clock: Clock) -> None:
    clock.now = WEDNESDAY_10H_SP
    number = open_ticket(sla_desk)
    sla = sla_of(sla_desk)
    assert sla is not None
    assert sla.hint(number, "pt-BR") == "Prazo de primeira resposta: hoje às 14:00."
    assert sla.hint(number, "en") == "First answer due: today at 14:00."


def test_outside_business_hours_the_client_is_told_when_the_team_is_back(sla_desk: HelpDesk,
                                                                         clock: Clock) -> None:
    sla = sla_of(sla_desk)
    assert sla is not None
    clock.now = WEDNESDAY_10H_SP
    assert sla.after_hours("pt-BR") is None
    clock.now = datetime(2026, 3, 13, 23, 0, tzinfo=UTC)  # Friday 20:00
    assert "segunda-feira" in (sla.after_hours("pt-BR") or "")


def test_new_ticket_routed_to_least_loaded_specialist(sla_desk: HelpDesk) -> None:
    first = open_ticket(sla_desk, module="Estoque")  # only Bruno (N1) has Estoque
    with sla_desk.db.session() as s:
        routed = s.scalars(select(Ticket).where(Ticket.number == first)).one().routed_to_id
    assert routed == sla_desk.analyst_by_email("bruno@suporte.example").id
    with sla_desk.db.session() as s:
        ping = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ticket_opened")).one()
    assert ping.payload["mention_ids"] == [routed]


def test_module_without_specialist_pings_every_n1(sla_desk: HelpDesk) -> None:
    open_ticket(sla_desk, module="CRM")
    with sla_desk.db.session() as s:
        ping = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ticket_opened")).one()
    n1 = [a.id for a in sla_desk.list_analysts() if a.level == "N1"]
    assert sorted(ping.payload["mention_ids"]) == sorted(n1)


def test_client_may_ask_for_a_specific_analyst(sla_desk: HelpDesk) -> None:
    carla = sla_desk.analyst_by_email("carla@suporte.example").id
    paula = sla_desk.contact_by_email("paula@prata.example").id
    number = sla_desk.open_ticket(contact_id=paula, subject="s", module="Fiscal", criticality="BAIXA",
                                  requested_analyst_id=carla).number
    with sla_desk.db.session() as s:
        assert s.scalars(select(Ticket).where(Ticket.number == number)).one().routed_to_id == carla


def test_escalation_pings_n2_specialists(sla_desk: HelpDesk) -> None:
    number = open_ticket(sla_desk, module="Fiscal")
    sla_desk.escalate(number, sla_desk.analyst_by_email("ana@suporte.example").id, "banco corrompido")
    with sla_desk.db.session() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ticket_updated")).all()
    assert rows[-1].payload["mention_ids"] == [sla_desk.analyst_by_email("diego@suporte.example").id]
    assert sla_desk.get_ticket(number, Actor.system()).level == "N2"


def test_ties_go_round_robin() -> None:
    early = datetime(2026, 1, 1, tzinfo=UTC)
    late = datetime(2026, 2, 1, tzinfo=UTC)
    assert pick_least_loaded([Candidate(1, 2, early), Candidate(2, 1, late)]) == 2
    assert pick_least_loaded([Candidate(1, 1, late), Candidate(2, 1, early)]) == 2
    assert pick_least_loaded([Candidate(1, 1, early), Candidate(2, 1, None)]) == 2
    assert pick_least_loaded([]) is None


_ = SlaService
