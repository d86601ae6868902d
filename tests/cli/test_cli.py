"""The ``chamado`` command through its installed entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHAMADO = shutil.which("chamado") or str(Path(__file__).parents[2] / ".venv/bin/chamado")


def run(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200"}
    proc = subprocess.run([CHAMADO, *args], capture_output=True, text=True, env=env, timeout=60)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def cli_db(db_url: str) -> str:
    """A demo database on both backends (for the main walkthrough)."""
    run(db_url, "init", "--demo")
    return db_url


@pytest.fixture
def sqlite_cli_db(tmp_path: Path) -> str:
    """A demo database on SQLite (the CLI's own behaviour does not depend on the backend)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run(url, "init", "--demo")
    return url


def test_readme_walkthrough_status_goes_open_answered_open_closed(cli_db: str) -> None:
    opened = run(cli_db, "tickets", "open", "--contact", "paula@prata.example", "--subject",
                 "NF-e rejeitada", "--module", "Fiscal", "--criticality", "ALTA",
                 "--description", "Rejeição 539", "--json")
    number = json.loads(opened.stdout)["number"]

    def status() -> str:
        return str(json.loads(run(cli_db, "tickets", "show", number, "--json").stdout)["status"])

    assert status() == "OPEN"
    run(cli_db, "tickets", "reply", number, "--analyst", "ana@suporte.example", "Confira o CFOP")
    assert status() == "ANSWERED"
    run(cli_db, "tickets", "message", number, "--contact", "paula@prata.example", "Não deu")
    assert status() == "OPEN"
    run(cli_db, "tickets", "reply", number, "--analyst", "ana@suporte.example", "Ajuste a NCM")
    run(cli_db, "tickets", "accept", number, "--contact", "paula@prata.example")
    shown = json.loads(run(cli_db, "tickets", "show", number, "--json").stdout)
    assert shown["status"] == "CLOSED"
    assert {"number", "status", "organization", "requester", "subject", "module", "criticality",
            "level", "assignee", "messages"} <= set(shown)
    assert shown["organization"] == "prata" and shown["requester"] == "paula@prata.example"
    assert shown["messages"][1] == {**shown["messages"][1], "author_kind": "ANALYST",
                                    "author": "ana@suporte.example", "visibility": "PUBLIC"}
    listed = json.loads(run(cli_db, "tickets", "list", "--json").stdout)
    assert listed[0]["number"] == number and "messages" not in listed[0]


def test_note_and_claim_and_filters(sqlite_cli_db: str) -> None:
    number = json.loads(run(sqlite_cli_db, "tickets", "open", "--contact", "otavio@ouro.example",
                            "--subject", "Estoque negativo", "--module", "estoque",
                            "--criticality", "media", "--json").stdout)["number"]
    run(sqlite_cli_db, "tickets", "note", number, "--analyst", "bruno@suporte.example", "ver lote")
    run(sqlite_cli_db, "tickets", "claim", number, "--analyst", "bruno@suporte.example")
    shown = json.loads(run(sqlite_cli_db, "tickets", "show", number, "--json").stdout)
    assert shown["assignee"] == "bruno@suporte.example"
    assert shown["messages"][-1]["visibility"] == "INTERNAL"
    assert json.loads(run(sqlite_cli_db, "tickets", "list", "--org", "prata", "--json").stdout) == []
    assert len(json.loads(run(sqlite_cli_db, "tickets", "list", "--status", "OPEN", "--json").stdout)) == 1


def test_init_demo_is_idempotent(sqlite_cli_db: str) -> None:
    again = run(sqlite_cli_db, "init", "--demo")
    assert "0 registros" in again.stdout
    orgs = json.loads(run(sqlite_cli_db, "orgs", "list", "--json").stdout)
    assert sorted(o["slug"] for o in orgs) == ["nova", "ouro", "prata", "vip"]


def test_admin_commands_register_people(sqlite_cli_db: str) -> None:
    run(sqlite_cli_db, "orgs", "add", "--name", "ACME", "--slug", "acme", "--plan", "ouro",
        "--billing", "CONTRACT", "--acceptance", "2026-01-02")
    run(sqlite_cli_db, "contacts", "add", "--org", "acme", "--name", "Ana Gerente",
        "--email", "gp@acme.example", "--role", "PROJECT_MANAGER")
    run(sqlite_cli_db, "analysts", "add", "--name", "Zé", "--email", "ze@suporte.example",
        "--level", "N2", "--specialty", "Fiscal", "--specialty", "Vendas")
    contacts = json.loads(run(sqlite_cli_db, "contacts", "list", "--org", "acme", "--json").stdout)
    assert contacts[0]["email"] == "gp@acme.example"
    analysts = json.loads(run(sqlite_cli_db, "analysts", "list", "--json").stdout)
    assert ["Fiscal", "Vendas"] in [a["specialties"] for a in analysts]
    human = run(sqlite_cli_db, "orgs", "list").stdout
    assert "acme" in human and "OURO" in human


@pytest.mark.parametrize("args, fragment", [
    (["tickets", "open", "--contact", "pedro@prata.example", "--subject", "x", "--module",
      "Fiscal", "--criticality", "ALTA"], "gerente de projeto"),
    (["tickets", "open", "--contact", "paula@prata.example", "--subject", "x", "--module",
      "Fiscal", "--criticality", "URGENTISSIMO"], "Criticidade desconhecida"),
    (["tickets", "show", "2026-999999"], "Não encontrei o chamado 2026-999999"),
    (["tickets", "show", "abc"], "não parece um número de chamado"),
    (["tickets", "accept", "2026-000001", "--contact", "ninguem@x.example"], "Contato não encontrado"),
    (["orgs", "add", "--name", "X", "--slug", "x", "--plan", "BRONZE"], "Plano desconhecido"),
    (["orgs", "add", "--name", "X", "--slug", "x", "--plan", "OURO", "--acceptance", "ontem"], "erro"),
])
def test_refusals_are_one_line_without_traceback(sqlite_cli_db: str, args: list[str], fragment: str) -> None:
    proc = run(sqlite_cli_db, *args, ok=False)
    assert proc.returncode != 0
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unmigrated_database_is_refused_with_a_hint(tmp_path: Path) -> None:
    proc = run(f"sqlite:///{tmp_path / 'vazio.db'}", "tickets", "list", ok=False)
    assert proc.returncode != 0
    assert "chamado init" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    proc = run("postgresql+psycopg://nobody@127.0.0.1:1/none", "tickets", "list", ok=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "inacessível" in proc.stderr
