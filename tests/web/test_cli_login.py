"""``chamado web login EMAIL``: prints a one-time sign-in link; unknown people get one line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from chamado.app import build_helpdesk
from chamado.settings import Settings
from core.store.db import Database
from core.web_sign_in import redeem_sign_in
from tests.cli.test_cli import CHAMADO


def _chamado(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200", "WEB_PUBLIC_URL": "https://suporte.example"}
    return subprocess.run([CHAMADO, *args], capture_output=True, text=True, env=env, timeout=60)


def test_web_login_prints_a_link_that_signs_in_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chamado.db'}"
    assert _chamado(url, "init", "--demo").returncode == 0
    printed = _chamado(url, "web", "login", "ana@suporte.example")
    assert printed.returncode == 0, printed.stderr
    link = printed.stdout.split()[-1]
    assert link.startswith("https://suporte.example/entrar/")
    as_json = json.loads(_chamado(url, "web", "login", "paula@prata.example", "--json").stdout)
    assert as_json["kind"] == "contact" and as_json["url"].startswith("https://suporte.example/entrar/")
    desk = build_helpdesk(Settings(database_url=url), Database(url))
    assert redeem_sign_in(desk, link.rsplit("/", 1)[1]).email == "ana@suporte.example"
    unknown = _chamado(url, "web", "login", "ninguem@x.example")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "erro: Não encontrei ninguém com o e-mail ninguem@x.example."
    assert "Traceback" not in unknown.stderr
