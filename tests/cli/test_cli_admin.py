"""``chamado analysts add|update --manager`` and ``chamado import orgs|contacts`` (in process, Typer's runner)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from chamado.cli import app, common

Run = Callable[..., Result]


@pytest.fixture
def chamado(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``chamado ARGS`` on a demo database (both backends); ``ok=False`` expects a refusal."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(common.out, "width", 250)  # the tables' rows on one line each
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(app, list(args))
        assert (result.exit_code == 0) is ok, (result.stdout, result.stderr, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    run("init", "--demo")
    return run


def analysts(chamado: Run) -> dict[str, dict[str, object]]:
    return {a["email"]: a for a in json.loads(chamado("analysts", "list", "--json").stdout)}


def test_the_manager_flag_is_set_and_cleared_from_the_cli(chamado: Run) -> None:
    added = chamado("analysts", "add", "--name", "Gil", "--email", "gil@suporte.example", "--level", "N2",
                    "--manager")
    assert "gil@suporte.example cadastrado (N2, gestor)" in added.stdout
    assert analysts(chamado)["gil@suporte.example"]["manager"] is True
    chamado("analysts", "update", "gil@suporte.example", "--no-manager", "--name", "Gilberto",
            "--specialties", "fiscal, vendas", "--level", "N1")
    gil = analysts(chamado)["gil@suporte.example"]
    assert (gil["manager"], gil["name"], gil["specialties"], gil["level"]) == (
        False, "Gilberto", ["Fiscal", "Vendas"], "N1")
    chamado("analysts", "update", "ana@suporte.example", "--manager", "--inactive")
    ana = analysts(chamado)["ana@suporte.example"]
    assert (ana["manager"], ana["active"], ana["specialties"]) == (True, False, ["Financeiro", "Fiscal"])
    listed = chamado("analysts", "list").stdout
    assert "gestor" in listed


def test_analysts_update_refusals_are_one_line(chamado: Run) -> None:
    unknown = chamado("analysts", "update", "ninguem@suporte.example", "--manager", ok=False)
    assert unknown.stderr.strip() == "erro: Analista não encontrado: ninguem@suporte.example."
    bad_level = chamado("analysts", "update", "ana@suporte.example", "--level", "N3", ok=False)
    assert bad_level.stderr.strip() == "erro: Nível desconhecido: N3. Opções: N1, N2."
    bad_module = chamado("analysts", "update", "ana@suporte.example", "--specialties", "Astrologia", ok=False)
    assert bad_module.stderr.startswith("erro: ") and len(bad_module.stderr.strip().splitlines()) == 1


ORGS_HEADER = "Nome;Slug;Plano;Cobrança;Termo de aceite;Valor-hora"


def write(tmp_path: Path, name: str, *lines: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


def org_slugs(chamado: Run) -> set[str]:
    return {o["slug"] for o in json.loads(chamado("orgs", "list", "--json").stdout)}


def test_import_orgs_previews_refuses_and_then_imports(chamado: Run, tmp_path: Path) -> None:
    bad = write(tmp_path, "orgs.csv", ORGS_HEADER, "Alfa;alfa;Prata;avulso;11/03/2026;R$ 180,00",
                "Outra Prata;PRATA;Ouro;contrato;;", "Gama;gama;Bronze;;;", encoding="latin-1")
    refused = chamado("import", "orgs", bad, ok=False)
    assert "Já existe uma organização com o slug prata." in refused.stdout
    assert "Plano desconhecido: “Bronze”. Use Prata, Ouro ou VIP." in refused.stdout
    assert refused.stderr.strip() == ("Nada foi importado: 2 de 3 linhas com erro. "
                                      "Corrija as linhas indicadas e rode de novo.")
    assert "alfa" not in org_slugs(chamado)

    good = write(tmp_path, "orgs-ok.csv", ORGS_HEADER, "Alfa;alfa;Prata;avulso;11/03/2026;R$ 180,00",
                 "Gama;gama;VIP;SaaS;;")
    preview = chamado("import", "orgs", good, "--dry-run")
    assert "Prévia: 2 organizações prontas para importar; nada foi gravado (--dry-run)." in preview.stdout
    assert "alfa" not in org_slugs(chamado)
    assert "2 organizações importadas." in chamado("import", "orgs", good).stdout
    assert {"alfa", "gama"} <= org_slugs(chamado)
    terms = json.loads(chamado("orgs", "billing", "alfa", "--json").stdout)
    assert terms["hourly_rate_cents"] == 18000


def test_import_contacts_with_json_and_the_designee_limit(chamado: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "contatos.csv", "organization,name,email,role,designee",
                 "ouro,Osmar,osmar@ouro.example,outro,", "vip,Vânia,vania@vip.example,,sim")
    refused = chamado("import", "contacts", path, "--json", ok=False)
    rows = json.loads(refused.stdout)["rows"]
    assert [r["error"] for r in rows] == [
        None, "Esta organização já indicou o seu contato adicional (o plano VIP permite um)."]
    assert json.loads(refused.stdout)["imported"] is False
    path = write(tmp_path, "contatos.csv", "organization,name,email,role,designee",
                 "ouro,Osmar,osmar@ouro.example,outro,", "vip,Vânia,vania@vip.example,,não")
    assert "2 contatos importados." in chamado("import", "contacts", path).stdout
    emails = {c["email"] for c in json.loads(chamado("contacts", "list", "--json").stdout)}
    assert {"osmar@ouro.example", "vania@vip.example"} <= emails


def test_import_refusals_of_the_whole_file(chamado: Run, tmp_path: Path) -> None:
    missing = chamado("import", "orgs", str(tmp_path / "nao-existe.csv"), ok=False)
    assert missing.stderr.strip().startswith("erro: arquivo não encontrado:")
    no_plan = write(tmp_path, "sem-plano.csv", "nome;slug", "Alfa;alfa")
    assert chamado("import", "orgs", no_plan, ok=False).stderr.strip() == \
        "erro: Falta a coluna “plano” no cabeçalho."
    xlsx = tmp_path / "planilha.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert "não parece um CSV" in chamado("import", "orgs", str(xlsx), ok=False).stderr
    big = tmp_path / "grande.csv"
    big.write_bytes(b"nome;slug;plano\n" + b"Alfa;alfa;Prata\n" * 200_000)
    assert "passa de 2 MB" in chamado("import", "orgs", str(big), ok=False).stderr
