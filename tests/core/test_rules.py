"""Domain rules without a database: access, the state machine, numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from core import model
from core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from core.model import Action, TicketStatus


@dataclass
class Org:
    plan: str = "PRATA"
    active: bool = True
    acceptance_signed_on: date | None = date(2025, 1, 1)


@dataclass
class Person:
    role: str = "PROJECT_MANAGER"
    active: bool = True
    ticket_designee: bool = False


@dataclass
class T:
    status: str = "OPEN"
    number: str = "2026-000001"
    level: str = "N1"
    assignee_id: int | None = None
    closed_at: datetime | None = None


class TestWhoMayOpenTickets:
    @pytest.mark.parametrize("plan", ["PRATA", "OURO", "VIP"])
    def test_project_manager_may_open_on_every_plan(self, plan: str) -> None:
        model.check_may_open_tickets(Org(plan=plan), Person())

    @pytest.mark.parametrize("plan", ["PRATA", "OURO"])
    def test_other_contacts_are_refused_on_prata_and_ouro(self, plan: str) -> None:
        with pytest.raises(NotAllowed) as err:
            model.check_may_open_tickets(Org(plan=plan), Person(role="OTHER"))
        assert err.value.key == "access.only_project_manager"
        assert "gerente de projeto" in err.value.render("pt-BR")

    def test_vip_designee_may_open(self) -> None:
        model.check_may_open_tickets(Org(plan="VIP"), Person(role="OTHER", ticket_designee=True))

    def test_vip_other_contact_is_refused_with_reason(self) -> None:
        with pytest.raises(NotAllowed) as err:
            model.check_may_open_tickets(Org(plan="VIP"), Person(role="OTHER"))
        assert err.value.key == "access.vip_not_designated"

    def test_organization_without_acceptance_term_cannot_open(self) -> None:
        with pytest.raises(NotAllowed) as err:
            model.check_may_open_tickets(Org(acceptance_signed_on=None), Person())
        assert err.value.key == "access.no_acceptance_term"
        assert "termo de aceite" in err.value.render("pt-BR")
        assert "acceptance term" in err.value.render("en")

    def test_inactive_organization_or_contact_cannot_open(self) -> None:
        with pytest.raises(NotAllowed):
            model.check_may_open_tickets(Org(active=False), Person())
        with pytest.raises(NotAllowed):
            model.check_may_open_tickets(Org(), Person(active=False))

    def test_vip_names_at_most_one_more_contact(self) -> None:
        model.check_designation("VIP", "OTHER", other_designees=0)
        with pytest.raises(NotAllowed):
            model.check_designation("VIP", "OTHER", other_designees=1)
        with pytest.raises(NotAllowed):
            model.check_designation("OURO", "OTHER", other_designees=0)
        with pytest.raises(InvalidInput):
            model.check_designation("VIP", "PROJECT_MANAGER", other_designees=0)


class TestTicketStateMachine:
    def test_analyst_reply_answers_an_open_ticket(self) -> None:
        assert model.next_status(T("OPEN"), Action.ANALYST_REPLY) == TicketStatus.ANSWERED

    def test_client_message_reopens_an_answered_ticket(self) -> None:
        assert model.next_status(T("ANSWERED"), Action.CLIENT_MESSAGE) == TicketStatus.OPEN

    def test_accept_closes_and_reject_reopens(self) -> None:
        assert model.next_status(T("ANSWERED"), Action.ACCEPT) == TicketStatus.CLOSED
        assert model.next_status(T("ANSWERED"), Action.REJECT) == TicketStatus.OPEN

    def test_reject_needs_an_answered_ticket(self) -> None:
        with pytest.raises(InvalidTransition) as err:
            model.next_status(T("OPEN"), Action.REJECT)
        assert err.value.params["number"] == "2026-000001"

    @pytest.mark.parametrize("action", [Action.CLIENT_MESSAGE, Action.ANALYST_REPLY,
                                        Action.ACCEPT, Action.CLOSE, Action.FORWARD])
    def test_closed_ticket_refuses_everything_but_reopen(self, action: Action) -> None:
        with pytest.raises(InvalidTransition) as err:
            model.next_status(T("CLOSED"), action)
        assert err.value.key == "ticket.closed"

    def test_forwarded_ticket_keeps_status_on_messages(self) -> None:
        assert model.next_status(T("FORWARDED"), Action.CLIENT_MESSAGE) == TicketStatus.FORWARDED

    def test_reopen_within_window(self) -> None:
        closed = datetime(2026, 3, 1, tzinfo=UTC)
        ticket = T("CLOSED", closed_at=closed)
        assert model.check_reopen(ticket, closed + timedelta(days=7)) == TicketStatus.OPEN

    def test_reopen_after_window_needs_a_new_ticket(self) -> None:
        closed = datetime(2026, 3, 1, tzinfo=UTC)
        with pytest.raises(InvalidTransition) as err:
            model.check_reopen(T("CLOSED", closed_at=closed), closed + timedelta(days=7, seconds=1))
        assert err.value.key == "ticket.reopen_window_expired"
        assert "novo chamado" in err.value.render("pt-BR")

    def test_reopen_needs_a_closed_ticket(self) -> None:
        with pytest.raises(InvalidTransition):
            model.check_reopen(T("OPEN"), datetime.now(UTC))

    def test_claim_by_second_analyst_conflicts(self) -> None:
        assert model.check_claim(T(), 1) is True
        assert model.check_claim(T(assignee_id=1), 1) is False
        with pytest.raises(Conflict):
            model.check_claim(T(assignee_id=1), 2)

    def test_escalation_goes_to_n2_once(self) -> None:
        assert model.check_escalate(T()) == model.Level.N2
        with pytest.raises(InvalidTransition):
            model.check_escalate(T(level="N2"))


class TestTypedValues:
    @pytest.mark.parametrize("typed", ["2026-000123", "#2026-123", "2026/123", " 2026-0123 ",
                                       "2026000123"])
    def test_ticket_numbers_as_clients_type_them(self, typed: str) -> None:
        assert model.parse_ticket_number(typed) == "2026-000123"

    @pytest.mark.parametrize("typed", ["abc", "123", "", "2026-1234567"])
    def test_malformed_ticket_numbers_are_refused(self, typed: str) -> None:
        with pytest.raises(InvalidInput):
            model.parse_ticket_number(typed)

    def test_criticality_is_case_and_accent_insensitive(self) -> None:
        assert model.parse_enum(model.Criticality, "crítica", "k") == model.Criticality.CRITICA
        assert model.parse_enum(model.Criticality, "Média", "k") == model.Criticality.MEDIA

    def test_module_matches_configured_names(self) -> None:
        assert model.match_module("producao", model.DEFAULT_MODULES) == "Produção"
        with pytest.raises(InvalidInput):
            model.match_module("Astrologia", model.DEFAULT_MODULES)

    def test_message_bodies_are_bounded_and_not_empty(self) -> None:
        with pytest.raises(InvalidInput):
            model.clean_body("   ")
        with pytest.raises(InvalidInput):
            model.clean_body("x" * (model.MAX_BODY_CHARS + 1))
        assert model.clean_body(" oi\x00 ") == "oi"
