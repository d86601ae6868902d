"""CSV import against the store (SQLite and PostgreSQL): the domain's rules per row, all rows or none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.desk import HelpDesk
from core.errors import InvalidInput
from core.imports import import_csv
from core.store.orm import Organization

ORGS = ("nome;slug;plano;cobrança;termo de aceite;cópias por e-mail;valor-hora;horas contratadas\n"
        "Alfa Comércio;alfa;Prata;Avulso;11/03/2026;não;R$ 180,00;\n"
        "Beta Indústria;beta;OURO;contrato;2025-12-01;;150;40\n")


def contacts(*rows: str) -> bytes:
    return ("organização;nome;e-mail;papel;indicado\n" + "".join(r + "\n" for r in rows)).encode()


def slugs(desk: HelpDesk) -> set[str]:
    return {o.slug for o in desk.list_organizations()}


def test_organizations_are_imported_with_their_terms(demo: HelpDesk) -> None:
    result = import_csv(demo, "orgs", ORGS.encode())
    assert result.ok and result.imported and len(result.rows) == 2
    with demo.uow() as uow:
        alfa, beta = uow.session.scalars(select(Organization).where(Organization.slug.in_(["alfa", "beta"]))
                                         .order_by(Organization.slug))
        assert (alfa.plan, alfa.billing_mode, alfa.acceptance_signed_on) == ("PRATA", "ON_DEMAND", date(2026, 3, 11))
        assert (alfa.email_copies, alfa.hourly_rate_cents, alfa.contract_minutes_month) == (False, 18000, 0)
        assert (beta.plan, beta.billing_mode, beta.email_copies) == ("OURO", "CONTRACT", True)
        assert (beta.hourly_rate_cents, beta.contract_minutes_month) == (15000, 2400)


def test_one_bad_row_imports_nothing_and_every_row_says_why(demo: HelpDesk) -> None:
    data = (ORGS + "Prata de novo;PRATA;Ouro;;;;;\nDelta;delta;Bronze;;;;;\n").encode()
    before = slugs(demo)
    result = import_csv(demo, "orgs", data)
    assert not result.imported and slugs(demo) == before
    assert [r.number for r in result.failed] == [4, 5]
    assert result.rows[2].message("pt-BR") == "Já existe uma organização com o slug prata."
    assert result.rows[3].message("en") == "Unknown plan: “Bronze”. Use Prata, Ouro or VIP."
    assert result.rows[0].ok and result.rows[1].ok


def test_a_dry_run_checks_against_the_store_and_writes_nothing(demo: HelpDesk) -> None:
    result = import_csv(demo, "orgs", ORGS.encode(), dry_run=True)
    assert result.ok and not result.imported
    assert "alfa" not in slugs(demo)
    assert import_csv(demo, "orgs", ORGS.encode()).imported  # the dry run left no trace behind


def test_contacts_follow_the_seeds_designee_limits(demo: HelpDesk) -> None:
    data = contacts("vip;Vânia Lopes;vania@vip.example;outro;sim",  # vip already named Vitor
                    "prata;Priscila;priscila@prata.example;outro;sim",  # Prata names nobody
                    "ouro;Osvaldo;osvaldo@ouro.example;gerente de projeto;",  # Ouro has Otávio already
                    "ouro;Olga de novo;OLGA@ouro.example;;",
                    "inexistente;Ivo;ivo@x.example;;",
                    "ouro;Ok;ok@ouro.example;;")
    result = import_csv(demo, "contacts", data)
    assert not result.imported
    assert [r.message("pt-BR") for r in result.rows] == [
        "Esta organização já indicou o seu contato adicional (o plano VIP permite um).",
        "Só organizações do plano VIP indicam um contato adicional para abrir chamados.",
        "Esta organização já tem um gerente de projeto. Para trocar, use a passagem de gerência "
        "(chamado contacts manager EMAIL): o atual passa a contato comum.",
        "Já existe um contato com o e-mail olga@ouro.example.",
        "Organização não encontrada: inexistente.",
        "",
    ]
    assert "ok@ouro.example" not in {c.email for c in demo.list_contacts("ouro")}


def test_designees_within_the_file_count_too(desk: HelpDesk) -> None:
    desk.add_organization(name="Vip Nova", slug="vipnova", plan="VIP", billing_mode="SAAS")
    data = contacts("vipnova;Gerente;g@vipnova.example;gerente de projeto;",
                    "vipnova;Primeira;p@vipnova.example;;sim",
                    "vipnova;Segunda;s@vipnova.example;;sim",
                    "vipnova;Outro Gerente;og@vipnova.example;gerente de projeto;",
                    "vipnova;Gerente indicado;gi@vipnova.example;gerente de projeto;sim")
    result = import_csv(desk, "contacts", data)
    assert [r.ok for r in result.rows] == [True, True, False, False, False]
    assert [r.problem.key for r in result.failed if r.problem] == [
        "access.designee_taken", "contact.manager_taken", "contact.manager_taken"]
    fixed = import_csv(desk, "contacts", contacts("vipnova;Gerente;g@vipnova.example;gerente de projeto;",
                                                  "vipnova;Primeira;p@vipnova.example;;sim",
                                                  "vipnova;Segunda;s@vipnova.example;;"))
    assert fixed.imported
    assert [(c.email, c.ticket_designee) for c in desk.list_contacts("vipnova")] == [
        ("g@vipnova.example", False), ("p@vipnova.example", True), ("s@vipnova.example", False)]


def test_orgs_and_their_contacts_in_one_unit_of_work(desk: HelpDesk) -> None:
    """Given the caller's unit of work, the import joins it and leaves the commit to the caller."""
    with desk.uow() as uow:
        assert import_csv(desk, "orgs", ORGS.encode(), uow=uow).imported
        assert import_csv(desk, "contacts", contacts("alfa;Ana;ana@alfa.example;gerente;"), uow=uow).imported
        failed = import_csv(desk, "contacts", contacts("beta;Bia;bia@beta.example;chefe;"), uow=uow)
        assert not failed.imported
        uow.commit()
    assert slugs(desk) == {"alfa", "beta"}
    assert [c.email for c in desk.list_contacts()] == ["ana@alfa.example"]


def test_a_refused_file_writes_nothing(desk: HelpDesk) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_csv(desk, "orgs", b"nome;slug\nAlfa;alfa\n")
    assert caught.value.key == "import.missing_column"
    assert slugs(desk) == set()
