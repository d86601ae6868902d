"""LGPD: exporting what is stored about a contact, and erasing it without changing the month's figures."""

from __future__ import annotations

import json

from sqlalchemy import String, Text, select
from sqlalchemy.types import JSON

from core.model import Actor, Attachment
from core.privacy import erase_contact, export_contact
from core.reports import billing_report, sla_report
from core.store.orm import Base
from tests.bot.conftest import Harness, harness, open_ticket_via_chat

__all__ = ["harness"]  # the dialog harness (a fixture of tests/bot)

EMAIL = "paula@prata.example"
TEXTS = ["Jabuticabeira", "Tangará da Serra", "Quiririm", "Ibirapuera", "Pirapora"]


def converse(harness: Harness) -> str:
    """Paula asks the FAQ, opens a ticket, sends a file, is answered, accepts and rates with a comment."""
    chat = harness.client(EMAIL, user_id="tg-paula")
    chat.send("esqueci minha senha da Jabuticabeira")
    chat.press("Sim")
    number = open_ticket_via_chat(chat, question="Nota de Tangará da Serra rejeitada",
                                  description="Erro 539 na filial Quiririm")
    chat.send("segue o print do Ibirapuera",
              attachments=(Attachment("document", "FILE-1", "Ibirapuera.pdf", "application/pdf", 10, "test"),))
    ana = harness.analyst_id("ana@suporte.example")
    harness.desk.log_hours(number, ana, 90, note="ajuste de CFOP")
    harness.desk.analyst_reply(number, ana, "Troque o CFOP e reenvie.")
    harness.deliver()
    chat.press("Resolvido")
    chat.press("4")
    chat.send("Pirapora agradece")
    harness.deliver()
    return number


def every_text(harness: Harness) -> str:
    """Every text and JSON column of every table, as one string."""
    found: list[str] = []
    with harness.desk.db.session() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
            for row in session.execute(select(*columns)) if columns else ():
                found.extend(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row)
    return "\n".join(found)


def figures(harness: Harness) -> tuple[object, object]:
    month = harness.desk.clock().strftime("%Y-%m")
    billing = billing_report(harness.desk, month).to_dict()
    sla = sla_report(harness.desk, month).to_dict()
    tickets = [(t["number"], t["logged_minutes"], t["amount_cents"])
               for o in billing["organizations"] for t in o["tickets"]]
    return (billing["totals"], tickets), (sla["totals"], sla["groups"], len(sla["breaches"]))


def test_export_holds_what_the_contact_wrote(harness: Harness) -> None:
    number = converse(harness)

    data = export_contact(harness.desk, EMAIL)

    assert data["contact"]["email"] == EMAIL
    assert [i["external_id"] for i in data["chat_identities"]] == ["tg-paula"]
    [ticket] = data["tickets"]
    assert ticket["number"] == number and ticket["satisfaction"] == 4
    assert ticket["satisfaction_comment"] == "Pirapora agradece"
    assert any("Ibirapuera" in m["body"] for m in ticket["messages"])
    assert any("Jabuticabeira" in q["text"] for q in data["faq_questions"])
    json.dumps(data)  # plain JSON


def test_after_erasure_the_person_appears_nowhere_and_the_figures_stay(harness: Harness) -> None:
    number = converse(harness)
    before = figures(harness)
    stored = every_text(harness)
    assert EMAIL in stored and all(text in stored for text in TEXTS)

    dry = erase_contact(harness.desk, EMAIL, dry_run=True)
    assert dry.counts["messages"] >= 2 and EMAIL in every_text(harness)  # a dry run changes nothing

    done = erase_contact(harness.desk, EMAIL)

    assert done.counts == dry.counts
    left = every_text(harness)
    assert EMAIL not in left and "Paula Prado" not in left and "tg-paula" not in left
    assert [text for text in TEXTS if text in left] == []
    assert figures(harness) == before
    ticket = harness.desk.get_ticket(number, Actor.system())
    assert (ticket.number, ticket.status, ticket.satisfaction) == (number, "CLOSED", 4)


def test_retention_anonymizes_what_is_older_than_the_period_and_audits_it(harness: Harness) -> None:
    from datetime import timedelta

    from core.retention import audit_entries, run_retention

    number = converse(harness)
    before = figures(harness)
    harness.desk.clock.now += timedelta(days=30 * 3 + 1)  # type: ignore[attr-defined]
    assert run_retention(harness.desk, 6, dry_run=True).counts == {}  # nothing is six months old

    dry = run_retention(harness.desk, 3, dry_run=True)
    assert dry.counts["tickets"] == 1 and "Pirapora" in every_text(harness)
    done = run_retention(harness.desk, 3)

    assert done.counts == dry.counts
    assert [text for text in TEXTS if text in every_text(harness)] == []
    assert harness.desk.get_ticket(number, Actor.system()).number == number
    harness.desk.clock.now -= timedelta(days=30 * 3 + 1)  # type: ignore[attr-defined]
    assert figures(harness) == before
    erase_contact(harness.desk, EMAIL)
    assert [e["action"] for e in audit_entries(harness.desk)] == ["contact.erase", "retention.run"]
