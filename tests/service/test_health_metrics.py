"""/healthz and /metrics of `chamado serve`, and configuration errors at start."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import aiohttp
import pytest

from chamado.app import build_dispatcher, build_helpdesk
from chamado.demo import load_demo
from chamado.serve import ServeOptions, Service, start, stop
from chamado.settings import load_settings
from core.store.db import Database
from tests.bot.conftest import Recorder

CHAMADO = str(Path(__file__).parents[2] / ".venv/bin/chamado")


async def serve_nothing(db_url: str) -> Service:
    settings = load_settings(database_url=db_url)
    db = Database(db_url)
    desk = build_helpdesk(settings, db, analyst_desks=("test",))
    load_demo(desk)
    paula = desk.contact_by_email("paula@prata.example").id
    desk.open_ticket(contact_id=paula, subject="s", module="Fiscal", criticality="ALTA",
                     origin_platform="test", origin_chat="c")
    dispatcher = build_dispatcher(desk, {"test": Recorder(desk)})
    service = Service(settings, ServeOptions(host="127.0.0.1", port=0, dispatch=False), db, dispatcher, desk=desk)
    await start(service)
    return service


def port_of(service: Service) -> int:
    assert service.runner is not None
    return int(service.runner.addresses[0][1])


async def test_healthz_reports_database_and_backlog(db_url: str) -> None:
    service = await serve_nothing(db_url)
    try:
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{port_of(service)}/healthz") as response:
            body = await response.json()
            assert response.status == 200
        assert body == {"status": "ok", "database": True, "outbox_pending": 1}
    finally:
        await stop(service)


async def test_metrics_in_prometheus_format(db_url: str) -> None:
    service = await serve_nothing(db_url)
    try:
        await service.dispatcher.drain()
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{port_of(service)}/metrics") as response:
            text = await response.text()
        assert "chamado_tickets_opened_total 1.0" in text
        assert 'chamado_outbox_messages{status="delivered"} 1.0' in text
        assert 'chamado_outbox_messages{status="pending"} 0.0' in text
        assert "chamado_delivery_latency_seconds_count" in text
        assert 'chamado_sla_alerts_total{level="breach"} 0.0' in text
    finally:
        await stop(service)


@pytest.mark.parametrize("env, fragment", [
    ({}, "nada para servir"),
    ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN não definido"),
    ({"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_ANALYSTS_CHAT_ID": "-100",
      "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"}, "inacessível"),
    ({"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_ANALYSTS_CHAT_ID": "-100",
      "TELEGRAM_WEBHOOK_URL": "ftp://x"}, "URL de webhook inválida"),
    ({"SLACK_BOT_TOKEN": "nope"}, "SLACK_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_ANALYSTS_CHAT_ID": "-100", "SMTP_URL": "http://x"},
     "SMTP_URL inválida"),
])
def test_configuration_errors_fail_at_start_in_one_line(env: dict[str, str], fragment: str, tmp_path: Path) -> None:
    args = [CHAMADO, "serve"]
    if "TELEGRAM_BOT_TOKEN" in env:
        args.append("--telegram")
    if "SLACK_BOT_TOKEN" in env:
        args.append("--slack")
    full = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    proc = subprocess.run(args, capture_output=True, text=True, env=full, timeout=60)
    assert proc.returncode != 0
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


_ = asyncio
