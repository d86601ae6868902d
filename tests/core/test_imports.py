"""CSV import, reading the file and its cells: no database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core import import_values as values
from core import imports
from core.errors import InvalidInput
from core.imports import ContactRecord, ImportKind, OrganizationRecord, preview
from core.model import BillingMode, ContactRole, Plan

ORGS_HEADER = "Nome;Slug;Plano;Cobrança;Termo de aceite;Cópias por e-mail;Valor-hora (R$);Horas contratadas"


def orgs(*lines: str, header: str = ORGS_HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *lines, ""]).encode(encoding)


def refusal(kind: str, data: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        preview(kind, data)
    return caught.value


def test_an_excel_export_in_pt_br_is_read_with_every_field() -> None:
    data = b"\xef\xbb\xbf" + orgs("Acme Ltda;ACME;prata;Avulso;11/03/2026;sim;R$ 1.234,56;40",
                                  "Beta S.A.;beta;OURO;contrato;2026-01-02;não;150;40,5",
                                  "Gama;gama;Vip;SaaS;;;;", ";;;;;;;")
    result = preview("orgs", data)
    assert result.ok and [r.number for r in result.rows] == [2, 3, 4]  # the blank row is skipped
    acme, beta, gama = (r.record for r in result.rows)
    assert acme == OrganizationRecord("Acme Ltda", "acme", Plan.PRATA, BillingMode.ON_DEMAND,
                                      date(2026, 3, 11), True, 123456, 2400)
    assert beta == OrganizationRecord("Beta S.A.", "beta", Plan.OURO, BillingMode.CONTRACT,
                                      date(2026, 1, 2), False, 15000, 2430)
    assert gama == OrganizationRecord("Gama", "gama", Plan.VIP, BillingMode.SAAS, None, None, None, None)
    assert result.rows[0].values["plan"] == "prata"  # the values as written, for the preview table


def test_latin1_with_commas_and_english_headers() -> None:
    data = ("organization,name,email,role,designee\n"
            "vip,José Araújo,JOSE@VIP.example,Project manager,\n"
            "vip,Conceição,c@vip.example,outro,Sim\n").encode("latin-1")
    result = preview(ImportKind.CONTACTS, data)
    assert result.ok
    assert [r.record for r in result.rows] == [
        ContactRecord("vip", "José Araújo", "jose@vip.example", ContactRole.PROJECT_MANAGER, False),
        ContactRecord("vip", "Conceição", "c@vip.example", ContactRole.OTHER, True),
    ]


def test_windows_1252_and_utf16_are_decoded() -> None:
    header = "organização;nome;e-mail"
    row = "prata;“Zé” – Suporte;ze@prata.example"
    for data in (f"{header}\n{row}\n".encode("cp1252"), f"{header}\n{row}\n".encode("utf-16")):
        [parsed] = preview("contacts", data).rows
        assert parsed.record is not None and parsed.record.name == "“Zé” – Suporte"


def test_quoted_cells_keep_their_separators() -> None:
    data = orgs('"Silva; Souza e Cia";silva;Prata;avulso;;;"1.500,00";')
    [row] = preview("orgs", data).rows
    assert row.record is not None and row.record.name == "Silva; Souza e Cia"
    assert isinstance(row.record, OrganizationRecord) and row.record.hourly_rate_cents == 150000


@pytest.mark.parametrize("line, key, params", [
    ("Acme;acme;Bronze;avulso;;;;", "import.bad_plan", {"value": "Bronze"}),
    ("Acme;acme;Prata;mensal;;;;", "import.bad_billing_mode", {"value": "mensal"}),
    ("Acme;acme;Prata;avulso;31/02/2026;;;", "import.bad_date", {"value": "31/02/2026"}),
    ("Acme;acme;Prata;avulso;03/2026;;;", "import.bad_date", {"value": "03/2026"}),
    ("Acme;acme;Prata;avulso;;talvez;;", "import.bad_yes_no", {"value": "talvez"}),
    ("Acme;acme;Prata;avulso;;;cento e cinquenta;", "billing.bad_rate", {"value": "cento e cinquenta"}),
    ("Acme;acme;Prata;avulso;;;;quarenta", "import.bad_hours", {"value": "quarenta"}),
    (";acme;Prata;avulso;;;;", "import.missing_value", {"column": "nome", "column_en": "name"}),
    ("Acme;acme;Prata;avulso;;;;;extra", "import.extra_cells", {}),
])
def test_a_bad_cell_fails_its_row_only(line: str, key: str, params: dict[str, str]) -> None:
    result = preview("orgs", orgs("Boa;boa;Ouro;contrato;;;;", line))
    good, bad = result.rows
    assert good.ok and not result.ok and result.failed == (bad,)
    assert bad.number == 3 and bad.problem is not None
    assert (bad.problem.key, dict(bad.problem.params)) == (key, params)


def test_duplicates_within_the_file_name_the_first_row() -> None:
    result = preview("orgs", orgs("A;acme;Prata;;;;;", "B;ACME;Ouro;;;;;"))
    assert result.rows[1].message("pt-BR") == "O slug acme já aparece na linha 2 deste arquivo."
    contacts = preview("contacts", "organização;nome;e-mail\nprata;A;a@x.example\nprata;B;A@X.example\n".encode())
    assert contacts.rows[1].message("en") == "The e-mail a@x.example already appears on row 2 of this file."


def test_row_errors_render_in_both_languages() -> None:
    [row] = preview("orgs", orgs("Acme;acme;Bronze;;;;;")).rows
    assert row.message("pt-BR") == "Plano desconhecido: “Bronze”. Use Prata, Ouro ou VIP."
    assert row.message("en") == "Unknown plan: “Bronze”. Use Prata, Ouro or VIP."


@pytest.mark.parametrize("data, key", [
    (b"", "import.empty"),
    (ORGS_HEADER.encode() + b"\n", "import.empty"),
    (b"PK\x03\x04\x14\x00\x06\x00 an xlsx", "import.not_csv"),
    (b"nome;slug\nAcme;acme\n", "import.missing_column"),
    (b"nome;slug;plano;observacoes\nAcme;acme;Prata;x\n", "import.unknown_column"),
    (b"nome;slug;plano;plan\nAcme;acme;Prata;Prata\n", "import.duplicate_column"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(data: bytes, key: str) -> None:
    assert refusal("orgs", data).key == key


def test_an_unknown_column_lists_the_accepted_ones() -> None:
    exc = refusal("orgs", b"nome;slug;plano;observacoes\nAcme;acme;Prata;x\n")
    assert "observacoes" in exc.render("pt-BR") and "termo de aceite" in exc.render("pt-BR")
    assert "acceptance term" in exc.render("en")


def test_blank_trailing_header_cells_are_ignored_unless_filled() -> None:
    assert preview("orgs", b"nome;slug;plano;;\nAcme;acme;Prata;;\n").ok
    [row] = preview("orgs", b"nome;slug;plano;;\nAcme;acme;Prata;;oops\n").rows
    assert row.problem is not None and row.problem.key == "import.extra_cells"


def test_size_and_row_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    big = orgs(*[f"Org {i};org{i};Prata;;;;;" for i in range(imports.MAX_ROWS + 1)])
    exc = refusal("orgs", big)
    assert exc.key == "import.too_many_rows" and "5000" in exc.render("pt-BR")
    too_large = b"nome;slug;plano\n" + b"x" * (imports.MAX_BYTES + 1)
    exc = refusal("orgs", too_large)
    assert exc.key == "import.too_large" and "2 MB" in exc.render("pt-BR")


def test_an_unclosed_quote_names_the_row_it_opens_on() -> None:
    exc = refusal("orgs", b'nome;slug;plano\nBoa;boa;Ouro\n"Acme;acme;Prata\nC;c;VIP\n')
    assert exc.key == "import.malformed" and "linha 3" in exc.render("pt-BR")
    [row] = preview("orgs", b'nome;slug;plano\n"Acme\nFiliais";acme;Prata\n').rows
    assert row.ok and row.values["name"] == "Acme\nFiliais"


@pytest.mark.parametrize("text, expected", [
    ("Prata", Plan.PRATA), ("PRATA", Plan.PRATA), (" prata ", Plan.PRATA), ("Ouro", Plan.OURO),
    ("gold", Plan.OURO), ("vip", Plan.VIP),
])
def test_plans(text: str, expected: Plan) -> None:
    assert values.parse_plan(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("Avulso", BillingMode.ON_DEMAND), ("ON_DEMAND", BillingMode.ON_DEMAND), ("on-demand", BillingMode.ON_DEMAND),
    ("", BillingMode.ON_DEMAND), ("Contrato", BillingMode.CONTRACT), ("CONTRACT", BillingMode.CONTRACT),
    ("saas", BillingMode.SAAS), ("SaaS", BillingMode.SAAS),
])
def test_billing_modes(text: str, expected: BillingMode) -> None:
    assert values.parse_billing_mode(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("Gerente de Projeto", ContactRole.PROJECT_MANAGER), ("GERENTE DE PROJETO", ContactRole.PROJECT_MANAGER),
    ("PROJECT_MANAGER", ContactRole.PROJECT_MANAGER), ("gp", ContactRole.PROJECT_MANAGER),
    ("", ContactRole.OTHER), ("Outro", ContactRole.OTHER), ("usuário", ContactRole.OTHER),
])
def test_roles(text: str, expected: ContactRole) -> None:
    assert values.parse_role(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("11/03/2026", date(2026, 3, 11)), ("1/3/2026", date(2026, 3, 1)), ("11-03-2026", date(2026, 3, 11)),
    ("11.03.2026", date(2026, 3, 11)), ("11/03/2026 00:00:00", date(2026, 3, 11)),
    ("2026-03-11", date(2026, 3, 11)), ("2026-03-11T00:00:00", date(2026, 3, 11)), ("", None),
])
def test_dates(text: str, expected: date | None) -> None:
    assert values.parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("40", 2400), ("40,5", 2430), ("40.5", 2430), ("40h", 2400), ("1h30", 90), ("1:30", 90), ("45min", 45),
    ("", None),
])
def test_hours(text: str, expected: int | None) -> None:
    assert values.parse_hours(text) == expected


@pytest.mark.parametrize("text, expected", [("sim", True), ("Não", False), ("NAO", False), ("x", True),
                                            ("yes", True), ("", None)])
def test_yes_no(text: str, expected: bool | None) -> None:
    assert values.parse_yes_no(text) is expected


def test_separator_is_sniffed_from_the_header() -> None:
    assert imports.sniff_separator("nome;slug;plano") == ";"
    assert imports.sniff_separator("name,slug,plan") == ","
    assert imports.sniff_separator("name\tslug\tplan") == "\t"
    assert imports.sniff_separator("nome") == ";"


def test_both_catalogs_have_the_same_import_keys() -> None:
    folder = Path(imports.__file__).parent / "locales"
    keys = {}
    for locale in ("pt_BR", "en"):
        with (folder / locale / "imports.po").open("rb") as fh:
            keys[locale] = {m.id for m in read_po(fh) if m.id and m.string}
    assert keys["pt_BR"] == keys["en"] and len(keys["en"]) >= 19
