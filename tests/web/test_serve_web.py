"""``chamado serve --web``: the web workspace on the service's own server, with no chat tokens at all."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from chamado.adapters import web_secret
from chamado.demo import load_demo
from chamado.serve import ConfigError, ServeOptions, build_service, check_config, start, stop
from chamado.settings import Settings
from core.store.db import Database


async def test_serve_web_without_tokens_serves_pages_health_and_static(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chamado.db'}"
    db = Database(url)
    db.upgrade()
    db.dispose()
    settings = Settings(database_url=url)
    service = await build_service(settings, ServeOptions(web=True, host="127.0.0.1", port=0, dispatch=False))
    load_demo(service.desk)
    await start(service)
    try:
        assert service.runner is not None
        base = f"http://127.0.0.1:{service.runner.addresses[0][1]}"
        async with aiohttp.ClientSession() as http:
            sign_in = await http.get(f"{base}/entrar")
            assert sign_in.status == 200 and "chamado_session" in sign_in.headers["Set-Cookie"]
            assert (await http.get(f"{base}/healthz")).status == 200
            assert (await http.get(f"{base}/static/htmx-2.0.11.min.js")).status == 200
            queue = await http.get(f"{base}/fila", allow_redirects=False)
            assert queue.status == 302
            assert (await http.post(f"{base}/healthz")).status == 405  # service routes skip the web's CSRF
    finally:
        await stop(service)
    assert (tmp_path / "chamado.db.web-secret").exists()  # generated once beside the SQLite database
    assert web_secret(settings) == (tmp_path / "chamado.db.web-secret").read_text().strip()


def test_the_web_needs_a_secret_key_off_sqlite_and_a_valid_public_url() -> None:
    postgres = Settings(database_url="postgresql+psycopg://u@127.0.0.1/x")
    with pytest.raises(ConfigError, match="WEB_SECRET_KEY"):
        check_config(postgres, ServeOptions(web=True))
    check_config(Settings(database_url=postgres.database_url, web_secret_key="k" * 40), ServeOptions(web=True))
    with pytest.raises(ConfigError, match="WEB_PUBLIC_URL"):
        check_config(Settings(web_public_url="suporte.example", web_secret_key="k"), ServeOptions(web=True))
    with pytest.raises(ConfigError, match="--web"):
        check_config(Settings(), ServeOptions())
