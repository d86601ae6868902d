"""Use cases against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.desk import HelpDesk
from core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from core.model import Actor, Attachment, PlatformRef
from core.store.orm import Message, OutboxMessage
from tests.conftest import Clock


def open_demo_ticket(desk: HelpDesk, email: str = "paula@prata.example", **kw: str) -> str:
    contact = desk.contact_by_email(email)
    view = desk.open_ticket(contact_id=contact.id, subject=kw.get("subject", "NF-e rejeitada"),
                            module=kw.get("module", "Fiscal"),
                            criticality=kw.get("criticality", "ALTA"),
                            description=kw.get("description", "Rejeição 539 ao emitir"),
                            origin_platform=kw.get("platform", "console"),
                            origin_chat=kw.get("chat", "paula"))
    return view.number


def test_full_cycle_open_answer_reply_accept(demo: HelpDesk) -> None:
    number = open_demo_ticket(demo)
    paula = demo.contact_by_email("paula@prata.example").id
    ana = demo.analyst_by_email("ana@suporte.example").id
    assert demo.get_ticket(number, Actor.system()).status == "OPEN"
    assert demo.analyst_reply(number, ana, "Confira o CFOP").ticket.status == "ANSWERED"
    assert demo.client_message(number, paula, "Não resolveu").ticket.status == "OPEN"
    assert demo.analyst_reply(number, ana, "Agora ajuste a NCM").ticket.status == "ANSWERED"
    closed = demo.accept_solution(number, paula)
    assert closed.status == "CLOSED"
    assert closed.closed_at is not None
    kinds = [e["kind"] for e in demo.ticket_events(number)]
    assert kinds == ["opened", "analyst_reply", "client_message", "analyst_reply", "accepted"]


def test_ticket_numbers_are_yearly_and_sequential(demo: HelpDesk) -> None:
    first = open_demo_ticket(demo)
    second = open_demo_ticket(demo)
    assert first == "2026-000001"
    assert second == "2026-000002"


def test_first_response_time_is_recorded_once(demo: HelpDesk, clock: Clock) -> None:
    number = open_demo_ticket(demo)
    ana = demo.analyst_by_email("ana@suporte.example").id
    clock.advance(hours=1)
    demo.analyst_reply(number, ana, "Primeira")
    clock.advance(hours=1)
    demo.analyst_reply(number, ana, "Segunda")
    view = demo.get_ticket(number, Actor.system())
    assert view.first_response_at is not None
    assert (view.first_response_at - view.created_at).total_seconds() == 3600


def test_reject_sends_back_to_open_and_records_the_reason(demo: HelpDesk) -> None:
    number = open_demo_ticket(demo)
    paula = demo.contact_by_email("paula@prata.example").id
    demo.analyst_reply(number, demo.analyst_by_email("ana@suporte.example").id, "Tente isso")
    view = demo.reject_solution(number, paula, "Ainda dá erro 539")
    assert view.status == "OPEN"
    bodies = [m.body for m in demo.get_ticket(number, Actor.contact(paula)).messages]
    assert "Ainda dá erro 539" in bodies


def test_internal_note_never_changes_status_nor_reaches_the_client(demo: HelpDesk) -> None:
    number = open_demo_ticket(demo)
    ana = demo.analyst_by_email("ana@suporte.example").id
    paula = demo.contact_by_email("paula@prata.example").id
    demo.internal_note(number, ana, "cliente com base desatualizada")
    assert demo.get_ticket(number, Actor.system()).status == "OPEN"
    seen_by_client = demo.get_ticket(number, Actor.contact(paula)).messages
    assert all(m.visibility == "PUBLIC" for m in seen_by_client)
    assert "cliente com base desatualizada" not in [m.body for m in seen_by_client]
    assert "cliente com base desatualizada" in [
        m.body for m in demo.get_ticket(number, Actor.analyst(ana)).messages]
    with demo.db.session() as s:
        client_rows = s.scalars(select(OutboxMessage).where(OutboxMessage.audience == "client"))
        assert all("base desatualizada" not in str(r.payload) for r in client_rows)


def test_contact_cannot_see_or_act_on_another_organizations_ticket(demo: HelpDesk) -> None:
    number = open_demo_ticket(demo)
    otavio = demo.contact_by_email("otavio@ouro.example").id
    with pytest.raises(NotFound):
        demo.get_ticket(number, Actor.contact(otavio))
    with pytest.raises(NotFound):
        demo.client_message(number, otavio, "olá")
    with pytest.raises(NotFound):
        demo.accept_solution(number, otavio)
    assert demo.get_ticket(number, Actor.system()).status == "OPEN"


def test_contact_not_allowed_by_plan_cannot_open(demo: HelpDesk) -> None:
    pedro = demo.contact_by_email("pedro@prata.example").id
    with pytest.raises(NotAllowed) as err:
        demo.open_ticket(contact_id=pedro, subject="x", module="Fiscal", criticality="BAIXA")
    assert err.value.key == "access.only_project_manager"
    assert demo.list_tickets() == []


def test_vip_project_manager_and_one_designee_may_open(demo: HelpDesk) -> None:
    open_demo_ticket(demo, "vera@vip.example")
    open_demo_ticket(demo, "vitor@vip.example")
    with pytest.raises(NotAllowed):
        open_demo_ticket(demo, "valeria@vip.example")
    with pytest.raises(NotAllowed):
        demo.designate_contact("valeria@vip.example")


def test_organization_without_acceptance_term_cannot_open(demo: HelpDesk) -> None:
    with pytest.raises(NotAllowed) as err:
        open_demo_ticket(demo, "nina@nova.example")
    assert err.value.key == "access.no_acceptance_term"


def test_reopen_within_window_and_not_after(demo: HelpDesk, clock: Clock) -> None:
    paula = demo.contact_by_email("paula@prata.example").id
    number = open_demo_ticket(demo)
    demo.accept_solution(number, paula)
    clock.advance(days=6)
    assert demo.reopen(number, paula, "voltou a acontecer").status == "OPEN"
    demo.accept_solution(number, paula)
    clock.advance(days=8)
    with pytest.raises(InvalidTransition) as err:
        demo.reopen(number, paula)
    assert err.value.key == "ticket.reopen_window_expired"


def test_closed_ticket_refuses_client_messages(demo: HelpDesk) -> None:
    paula = demo.contact_by_email("paula@prata.example").id
    number = open_demo_ticket(demo)
    demo.accept_solution(number, paula)
    with pytest.raises(InvalidTransition):
        demo.client_message(number, paula, "mais uma coisa")


def test_same_platform_message_delivered_twice_is_stored_once(demo: HelpDesk) -> None:
    paula = demo.contact_by_email("paula@prata.example").id
    number = open_demo_ticket(demo)
    ref = PlatformRef("telegram", "555", "42")
    first = demo.client_message(number, paula, "segue o print", ref=ref)
    second = demo.client_message(number, paula, "segue o print", ref=ref)
    assert not first.duplicate and second.duplicate
    with demo.db.session() as s:
        assert s.scalar(select(func.count()).where(Message.platform_message_id == "42")) == 1


def test_attachments_are_kept_as_metadata(demo: HelpDesk) -> None:
    paula = demo.contact_by_email("paula@prata.example").id
    number = open_demo_ticket(demo)
    demo.client_message(number, paula, "", attachments=[Attachment("photo", "AgAD-1", None,
                                                                   "image/jpeg", 2048)])
    last = demo.get_ticket(number, Actor.contact(paula)).messages[-1]
    assert last.attachments[0]["file_id"] == "AgAD-1"


def test_claim_escalate_forward_and_close(demo: HelpDesk) -> None:
    number = open_demo_ticket(demo)
    ana = demo.analyst_by_email("ana@suporte.example").id
    diego = demo.analyst_by_email("diego@suporte.example").id
    assert demo.claim(number, ana).assignee == "ana@suporte.example"
    escalated = demo.escalate(number, ana, "precisa de análise de banco")
    assert escalated.level == "N2" and escalated.assignee is None
    assert demo.claim(number, diego).assignee == "diego@suporte.example"
    assert demo.forward(number, diego, "Comercial").status == "FORWARDED"
    assert demo.close_by_analyst(number, diego).status == "CLOSED"


def test_analyst_queue_shows_own_and_unassigned_at_level(demo: HelpDesk) -> None:
    ana = demo.analyst_by_email("ana@suporte.example").id
    bruno = demo.analyst_by_email("bruno@suporte.example").id
    diego = demo.analyst_by_email("diego@suporte.example").id
    mine = open_demo_ticket(demo)
    others = open_demo_ticket(demo)
    demo.claim(others, bruno)
    demo.claim(mine, ana)
    free = open_demo_ticket(demo)
    assert [t.number for t in demo.analyst_queue(ana)] == [mine, free]
    assert demo.analyst_queue(diego) == []


def test_contact_ticket_list_is_own_only(demo: HelpDesk) -> None:
    open_demo_ticket(demo)
    open_demo_ticket(demo, "otavio@ouro.example")
    paula = demo.contact_by_email("paula@prata.example").id
    assert [t.requester for t in demo.contact_tickets(paula)] == ["paula@prata.example"]


def test_every_change_writes_outbox_rows_in_the_same_transaction(demo: HelpDesk) -> None:
    number = open_demo_ticket(demo)
    ana = demo.analyst_by_email("ana@suporte.example").id
    demo.analyst_reply(number, ana, "Resposta")
    with demo.db.session() as s:
        rows = [(r.audience, r.kind) for r in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert rows == [("analysts", "ticket_opened"), ("client", "analyst_reply"),
                    ("analysts", "analyst_reply")]


def test_bad_input_gets_domain_errors(demo: HelpDesk) -> None:
    paula = demo.contact_by_email("paula@prata.example").id
    with pytest.raises(InvalidInput):
        demo.open_ticket(contact_id=paula, subject="x", module="Fiscal", criticality="URGENTE")
    with pytest.raises(InvalidInput):
        demo.open_ticket(contact_id=paula, subject="x", module="Astrologia", criticality="ALTA")
    with pytest.raises(NotFound):
        demo.get_ticket("2026-999999", Actor.system())
    number = open_demo_ticket(demo)
    with pytest.raises(InvalidInput):
        demo.client_message(number, paula, "   ")


def test_rating_a_closed_ticket(demo: HelpDesk) -> None:
    paula = demo.contact_by_email("paula@prata.example").id
    number = open_demo_ticket(demo)
    with pytest.raises(InvalidTransition):
        demo.rate(number, paula, 5)
    demo.accept_solution(number, paula)
    assert demo.rate(number, paula, 4, "rápido").satisfaction == 4
    with pytest.raises(InvalidInput):
        demo.rate(number, paula, 9)
