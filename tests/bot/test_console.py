"""`chamado console` end to end: scripted client and analyst sessions sharing one database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHAMADO = str(Path(__file__).parents[2] / ".venv/bin/chamado")


def console(workdir: Path, script: str, *args: str, db_url: str | None = None) -> str:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    if db_url:
        env["DATABASE_URL"] = db_url
    proc = subprocess.run([CHAMADO, "console", *args], input=script, capture_output=True, text=True,
                          env=env, cwd=workdir, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def test_fresh_machine_console_runs_with_no_setup(tmp_path: Path) -> None:
    out = console(tmp_path, "como abro um chamado\nSim\n")
    assert (tmp_path / "chamado.db").exists()  # SQLite in the working directory, migrated and with demo data
    assert "Conversando como Paula Prado" in out
    assert "Isso resolveu?" in out and "Que bom" in out


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_two_consoles_relay_a_ticket_from_question_to_closed(tmp_path: Path, db_url: str) -> None:
    client = console(tmp_path, "/abrir A nota fiscal não transmite\nFiscal\nAlta\nErro 539 ao transmitir\nConfirmar\n",
                     db_url=db_url)
    number = client.split("Chamado ")[-1].split(" aberto")[0] if " aberto!" in client else ""
    assert number.startswith("20"), client
    analyst = console(tmp_path, f"fila\nassumir {number}\nnota {number} conferir certificado\n"
                                f"responder {number} Confira o CFOP e reenvie.\nsair\n",
                      "--analyst", "ana@suporte.example", db_url=db_url)
    assert f"Novo chamado {number}" in analyst
    assert "nota interna registrada" in analyst and "resposta enviada ao cliente" in analyst
    client = console(tmp_path, "Resolvido\n5\nÓtimo atendimento\n/chamados\n", db_url=db_url)
    assert "Confira o CFOP e reenvie." in client
    assert "conferir certificado" not in client  # internal notes never reach the client
    assert f"{number} · Fechada" in client
    analyst = console(tmp_path, "sair\n", "--analyst", "ana@suporte.example", db_url=db_url)
    assert "✓ Resposta entregue ao cliente" in analyst
    assert f"O cliente avaliou o chamado {number} com nota 5" in analyst


def test_unknown_contact_is_a_clear_error(tmp_path: Path) -> None:
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run([CHAMADO, "console", "--as", "ninguem@x.example"], input="oi\n", capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode != 0
    assert "Contato não encontrado" in proc.stderr and "Traceback" not in proc.stderr
