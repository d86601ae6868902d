"""Billing: the pure rules of the three modes, and logging and approving hours on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.billing import (
    ApprovalStatus,
    Charge,
    WorkEntry,
    amount_cents,
    billable_minutes,
    format_cents,
    format_minutes,
    month_bounds,
    month_of,
    parse_hours,
    parse_money,
    parse_month,
)
from core.desk import HelpDesk
from core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from core.model import BillingMode
from core.store.orm import BillingApproval, OutboxMessage, TimeEntry
from tests.conftest import Clock

MARCH = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def entry(id: int, minutes: int, *, ticket: int = 1, at: datetime = MARCH, cause: bool = False) -> WorkEntry:
    return WorkEntry(id=id, ticket_id=ticket, minutes=minutes, logged_at=at, client_cause=cause)


# --- typed values ---------------------------------------------------------------------


class TestParseHours:
    @pytest.mark.parametrize(("text", "minutes"), [
        ("1.5", 90), ("1,5", 90), ("1h30", 90), ("1h30m", 90), ("1:30", 90), ("90m", 90), ("90 min", 90),
        ("0.25", 15), ("2", 120), ("2h", 120), (" 45min ", 45), ("24", 1440), ("0,1", 6), ("1 h 05", 65),
    ])
    def test_reads_what_analysts_type(self, text: str, minutes: int) -> None:
        assert parse_hours(text) == minutes

    @pytest.mark.parametrize("text", ["", "0", "0m", "0.001", "-1", "25", "24h01", "1h75", "abc", "1.5.2", "1,5h30"])
    def test_refuses_nonsense_zero_and_more_than_a_day(self, text: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_hours(text)
        assert caught.value.key == "billing.bad_hours"

    def test_formats_minutes_like_the_team_writes_them(self) -> None:
        assert [format_minutes(m) for m in (45, 60, 90, 605)] == ["45min", "1h", "1h30", "10h05"]

    def test_money_in_cents(self) -> None:
        assert [parse_money(t) for t in ("150", "150,00", "150.5", "R$ 1.234,56", "1,234.56")] == \
            [15000, 15000, 15050, 123456, 123456]
        assert format_cents(123456) == "R$ 1.234,56"
        with pytest.raises(InvalidInput):
            parse_money("-10")


class TestMonths:
    def test_month_boundaries_are_sao_paulo_midnights(self) -> None:
        start, end = month_bounds("2026-03")
        assert start == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
        assert end == datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
        assert month_bounds("2026-12")[1] == datetime(2027, 1, 1, 3, 0, tzinfo=UTC)

    def test_late_evening_in_sao_paulo_is_still_the_same_month(self) -> None:
        assert month_of(datetime(2026, 4, 1, 2, 30, tzinfo=UTC)) == "2026-03"
        assert month_of(datetime(2026, 4, 1, 3, 0, tzinfo=UTC)) == "2026-04"

    @pytest.mark.parametrize("text", ["2026-13", "2026/03", "março", "26-03", ""])
    def test_bad_months_are_refused(self, text: str) -> None:
        with pytest.raises(InvalidInput):
            parse_month(text)


# --- the rules ---------------------------------------------------------------------------


class TestOnDemand:
    def test_every_minute_is_billed(self) -> None:
        outcome = billable_minutes(BillingMode.ON_DEMAND, [entry(1, 90), entry(2, 30, cause=True)])
        assert outcome.billable_minutes == 120
        assert {c.charge for c in outcome.charges} == {Charge.BILLED}


class TestContract:
    def test_minutes_count_against_the_contract_and_only_the_excess_is_billed(self) -> None:
        outcome = billable_minutes(BillingMode.CONTRACT, [entry(1, 60), entry(2, 90, ticket=2)], 120)
        first, second = outcome.charges
        assert (first.charge, first.contract_minutes, first.billable_minutes) == (Charge.CONTRACT, 60, 0)
        assert (second.charge, second.contract_minutes, second.billable_minutes) == (Charge.BILLED, 60, 30)
        assert outcome.billable_minutes == 30
        assert outcome.for_ticket(2).billable_minutes == 30

    def test_the_allowance_is_spent_in_chronological_order(self) -> None:
        late = entry(1, 100, ticket=1, at=MARCH + timedelta(days=2))
        early = entry(2, 100, ticket=2, at=MARCH)
        outcome = billable_minutes(BillingMode.CONTRACT, [late, early], 120)
        assert outcome.for_ticket(2).billable_minutes == 0
        assert outcome.for_ticket(1).billable_minutes == 80

    def test_each_month_has_its_own_allowance(self) -> None:
        april = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
        outcome = billable_minutes(BillingMode.CONTRACT, [entry(1, 120), entry(2, 120, at=april)], 120)
        assert outcome.billable_minutes == 0
        assert outcome.contract_minutes == 240

    def test_without_a_contracted_allowance_everything_is_billed(self) -> None:
        assert billable_minutes("CONTRACT", [entry(1, 45)], 0).billable_minutes == 45


class TestSaas:
    def test_support_is_included_unless_the_cause_is_the_clients(self) -> None:
        outcome = billable_minutes(BillingMode.SAAS, [entry(1, 60)], approvals={1: "APPROVED"})
        assert outcome.charges[0].charge == Charge.INCLUDED
        assert outcome.billable_minutes == 0

    @pytest.mark.parametrize(("status", "charge", "billable", "pending"), [
        (ApprovalStatus.APPROVED, Charge.BILLED, 60, 0),
        (ApprovalStatus.PENDING, Charge.PENDING, 0, 60),
        (ApprovalStatus.DECLINED, Charge.DECLINED, 0, 0),
        (None, Charge.PENDING, 0, 60),
    ])
    def test_client_cause_hours_follow_the_clients_decision(
        self, status: ApprovalStatus | None, charge: Charge, billable: int, pending: int
    ) -> None:
        approvals = {1: status} if status else {}
        outcome = billable_minutes(BillingMode.SAAS, [entry(1, 60, cause=True)], approvals=approvals)
        assert outcome.charges[0].charge == charge
        assert (outcome.billable_minutes, outcome.pending_minutes) == (billable, pending)


def test_amounts_are_rounded_half_up_to_the_cent() -> None:
    assert amount_cents(90, 15000) == 22500
    assert amount_cents(1, 100) == 2  # 1.67 cents
    assert amount_cents(1, 20) == 0  # 0.33 cents
    assert amount_cents(3, 10) == 1  # 0.5 cent rounds up


# --- use cases on the database ------------------------------------------------------------


def open_ticket(desk: HelpDesk, email: str, *, chat: str | None = "chat-1") -> str:
    contact = desk.contact_by_email(email)
    return desk.open_ticket(contact_id=contact.id, subject="Integração parou", module="Vendas",
                            criticality="ALTA", description="O pedido não sobe",
                            origin_platform="telegram" if chat else None, origin_chat=chat).number


def analyst(desk: HelpDesk, email: str = "ana@suporte.example") -> int:
    return desk.analyst_by_email(email).id


def outbox(desk: HelpDesk, kind: str) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                    .order_by(OutboxMessage.id)))


class TestLogHours:
    def test_hours_are_logged_and_billed_on_demand(self, demo: HelpDesk) -> None:
        demo.set_billing_terms("prata", hourly_rate_cents=15000)
        number = open_ticket(demo, "paula@prata.example")
        view = demo.log_hours(number, analyst(demo), "1h30", note="Análise do XML")
        assert (view.number, view.minutes, view.note, view.analyst) == (number, 90, "Análise do XML",
                                                                         "ana@suporte.example")
        hours = demo.ticket_hours(number)
        assert (hours.logged_minutes, hours.billable_minutes, hours.amount_cents) == (90, 90, 22500)
        assert [e.charge for e in hours.entries] == ["billed"]
        assert [e["kind"] for e in demo.ticket_events(number)][-1] == "hours_logged"

    def test_closed_tickets_accept_hours_too(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "paula@prata.example")
        demo.close_by_analyst(number, analyst(demo))
        assert demo.log_hours(number, analyst(demo), 30).minutes == 30
        assert demo.ticket_hours(number).logged_minutes == 30

    def test_only_active_analysts_log_hours_on_existing_tickets(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "paula@prata.example")
        with pytest.raises(NotAllowed):
            demo.log_hours(number, 9999, "1")
        with pytest.raises(NotFound):
            demo.log_hours("2026-999999", analyst(demo), "1")
        with pytest.raises(InvalidInput):
            demo.log_hours(number, analyst(demo), 0)

    def test_contract_hours_share_the_month_allowance_across_tickets(self, demo: HelpDesk) -> None:
        demo.set_billing_terms("ouro", hourly_rate_cents=20000, contract_minutes_month=60)
        first = open_ticket(demo, "otavio@ouro.example")
        second = open_ticket(demo, "otavio@ouro.example")
        demo.log_hours(first, analyst(demo), "45m")
        demo.log_hours(second, analyst(demo), "45m")
        assert demo.ticket_hours(first).billable_minutes == 0
        assert (demo.ticket_hours(second).billable_minutes, demo.ticket_hours(second).amount_cents) == (30, 10000)


class TestSaasApproval:
    def test_client_cause_hours_ask_the_client_for_approval(self, demo: HelpDesk) -> None:
        demo.set_billing_terms("vip", hourly_rate_cents=30000)
        number = open_ticket(demo, "vera@vip.example", chat="vera-chat")
        view = demo.log_hours(number, analyst(demo), "2", note="Índice corrompido no banco do cliente",
                         client_cause=True)
        assert view.approval == "PENDING"
        with demo.db.session() as session:
            approval = session.scalars(select(BillingApproval)).one()
            assert (approval.status, approval.reason) == ("PENDING", "Índice corrompido no banco do cliente")
            assert approval.requested_by_id == analyst(demo)
        [client] = outbox(demo, "billing_approval")
        assert (client.platform, client.address, client.audience) == ("telegram", "vera-chat", "client")
        assert client.stream == "telegram:chat:vera-chat"
        assert client.payload == {"number": number, "minutes": 120, "reason": "Índice corrompido no banco do cliente",
                                  "amount_cents": 60000}
        [desk_row] = outbox(demo, "billing_requested")
        assert (desk_row.platform, desk_row.audience) == ("console", "analysts")
        assert demo.ticket_hours(number).pending_minutes == 120

    def test_a_second_client_cause_entry_updates_the_pending_request(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        demo.log_hours(number, analyst(demo), "1", note="Servidor do cliente sem espaço", client_cause=True)
        demo.log_hours(number, analyst(demo), "30m", client_cause=True)
        assert [r.payload["minutes"] for r in outbox(demo, "billing_approval")] == [60, 90]
        with demo.db.session() as session:
            assert len(session.scalars(select(BillingApproval)).all()) == 1

    def test_the_client_must_be_told_why(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        with pytest.raises(InvalidInput) as caught:
            demo.log_hours(number, analyst(demo), "1", client_cause=True)
        assert caught.value.key == "billing.cause_needs_note"
        with demo.db.session() as session:
            assert session.scalars(select(TimeEntry)).all() == []

    def test_support_hours_without_client_cause_need_no_approval(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        assert demo.log_hours(number, analyst(demo), "1").approval is None
        assert outbox(demo, "billing_approval") == []
        assert demo.ticket_hours(number).billable_minutes == 0

    def test_the_right_contact_approves_and_the_hours_become_billable(self, demo: HelpDesk, clock: Clock) -> None:
        demo.set_billing_terms("vip", hourly_rate_cents=30000)
        number = open_ticket(demo, "vera@vip.example")
        demo.log_hours(number, analyst(demo), "1", note="Customização do cliente quebrou a rotina",
                  client_cause=True)
        clock.advance(hours=2)
        vitor = demo.contact_by_email("vitor@vip.example").id
        assert demo.decide_approval(number, vitor, True) == "APPROVED"
        with demo.db.session() as session:
            approval = session.scalars(select(BillingApproval)).one()
            assert (approval.decided_by_id, approval.decided_at) == (vitor, clock.now)
        [decided] = outbox(demo, "billing_decided")
        assert decided.payload["status"] == "APPROVED"
        hours = demo.ticket_hours(number)
        assert (hours.billable_minutes, hours.pending_minutes, hours.amount_cents) == (60, 0, 30000)

    def test_a_declined_charge_is_not_billed(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        demo.log_hours(number, analyst(demo), "1", note="Servidor do cliente", client_cause=True)
        assert demo.decide_approval(number, demo.contact_by_email("vera@vip.example").id, False) == "DECLINED"
        assert demo.ticket_hours(number).billable_minutes == 0
        assert demo.ticket_hours(number).pending_minutes == 0

    def test_another_organizations_contact_cannot_decide(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        demo.log_hours(number, analyst(demo), "1", note="Banco do cliente", client_cause=True)
        with pytest.raises(NotFound) as caught:
            demo.decide_approval(number, demo.contact_by_email("paula@prata.example").id, True)
        assert caught.value.key == "ticket.not_found"

    def test_a_decision_is_taken_once(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        demo.log_hours(number, analyst(demo), "1", note="Banco do cliente", client_cause=True)
        vera = demo.contact_by_email("vera@vip.example").id
        demo.decide_approval(number, vera, True)
        with pytest.raises(InvalidTransition) as caught:
            demo.decide_approval(number, vera, False)
        assert caught.value.key == "billing.already_decided"
        assert "aprovada" in str(caught.value)

    def test_there_is_nothing_to_decide_without_a_request(self, demo: HelpDesk) -> None:
        number = open_ticket(demo, "vera@vip.example")
        with pytest.raises(NotFound) as caught:
            demo.decide_approval(number, demo.contact_by_email("vera@vip.example").id, True)
        assert caught.value.key == "billing.no_approval"
