"""Fixtures for the web workspace: handler tests (aiohttp's test client) and browser tests (Playwright).

Handler tests, on SQLite and PostgreSQL (``web_desk`` is the demo help desk of
``tests/conftest.py``, parametrized on both backends, with its SLA service)::

    async def test_queue(web_app, sign_in_as):
        client = await sign_in_as("ana@suporte.example")      # through the real sign-in link
        page = await client.get("/fila")
        await post_form(client, "/chamados/2026-000001/assumir", {})   # adds the CSRF token

``new_client()`` gives a signed-out client (its own cookie jar); ``sign_in_as``
signs a fresh client in. ``open_demo_ticket(desk)`` opens a ticket for Paula
(Prata) from the console.

Browser tests: ``live_server`` runs the same app on a free port in a thread
(``live_server.url``, ``live_server.desk``); ``page`` is a Playwright page in
Debian's Chromium (``/usr/bin/chromium``, headless), skipped with a visible
reason when Chromium or Playwright is missing. ``artifacts_dir`` is where
screenshots go (``CHAMADO_WEB_ARTIFACTS``, else /tmp/chamado-web-artifacts; never committed).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import build_web_app
from bot.web.config import WebConfig
from bot.web.context import WebContext
from core.desk import HelpDesk
from core.sla_service import SlaService
from core.views import TicketView
from core.web_sign_in import issue_sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SECRET = "test-secret-key-for-the-web-workspace"
FORWARD_AREAS = ("Comercial", "Implantação", "Desenvolvimento")
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def web_config() -> WebConfig:
    return WebConfig(public_url="http://127.0.0.1:8080", secret_key=SECRET, sign_in_minutes=15, session_hours=8)


@pytest.fixture
def web_desk(demo: HelpDesk) -> HelpDesk:
    """The demo help desk (SQLite or PostgreSQL) with its SLA service; analysts work in the console."""
    SlaService(demo)
    return demo


@pytest.fixture
def web_context(web_desk: HelpDesk, web_config: WebConfig) -> WebContext:
    sla = next(h for h in web_desk.hooks if isinstance(h, SlaService))
    return WebContext(web_desk, web_config, sla=sla, forward_areas=FORWARD_AREAS)


@pytest.fixture
def web_app(web_context: WebContext) -> web.Application:
    return build_web_app(web_context)


@pytest.fixture
async def new_client(web_app: web.Application) -> AsyncIterator[Callable[[], Awaitable[TestClient[Any, Any]]]]:
    """A factory of signed-out clients, all on one test server, each with its own cookies."""
    server = TestServer(web_app)
    await server.start_server()
    clients: list[TestClient[Any, Any]] = []

    async def make() -> TestClient[Any, Any]:
        client: TestClient[Any, Any] = TestClient(server)
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
    await server.close()


async def csrf_of(client: TestClient[Any, Any], path: str = "/entrar") -> str:
    """The session's CSRF token, read from a page's ``<meta name="csrf-token">``."""
    response = await client.get(path)
    match = _CSRF_META.search(await response.text())
    assert match, f"no CSRF token on {path} ({response.status})"
    return match.group(1)


async def post_form(client: TestClient[Any, Any], path: str, data: dict[str, str] | None = None, *,
                    token: str | None = None, allow_redirects: bool = False) -> Any:
    """POST a form the way the page does (with the session's CSRF token)."""
    form = dict(data or {})
    form.setdefault("csrf_token", token or await csrf_of(client))
    return await client.post(path, data=form, allow_redirects=allow_redirects)


async def redeem_link(client: TestClient[Any, Any], token: str) -> Any:
    """Follow a sign-in link as a browser does: open it, press the button."""
    page = await client.get(f"/entrar/{token}")
    match = _CSRF_META.search(await page.text())
    assert match, page.status
    return await client.post(f"/entrar/{token}", data={"csrf_token": match.group(1)}, allow_redirects=False)


@pytest.fixture
def sign_in_as(web_desk: HelpDesk, new_client: Callable[[], Awaitable[TestClient[Any, Any]]]
               ) -> Callable[[str], Awaitable[TestClient[Any, Any]]]:
    """A new client signed in as the analyst or contact with this e-mail, through a real sign-in link."""

    async def sign(email: str) -> TestClient[Any, Any]:
        client = await new_client()
        issued = await asyncio.to_thread(issue_sign_in, web_desk, email)
        response = await redeem_link(client, issued.token)
        assert response.status == 303, await response.text()
        return client

    return sign


def open_demo_ticket(desk: HelpDesk, email: str = "paula@prata.example", *, subject: str = "Erro ao emitir nota",
                     module: str = "Financeiro", criticality: str = "ALTA") -> TicketView:
    """A ticket opened from the console chat (so replies go out through the console's outbox rows)."""
    contact = desk.contact_by_email(email)
    return desk.open_ticket(contact_id=contact.id, subject=subject, module=module, criticality=criticality,
                            description="A nota fiscal não sai desde ontem.", origin_platform="console",
                            origin_chat=email)


# --- browser tests ------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots of the main pages: ``CHAMADO_WEB_ARTIFACTS``, else ``<tmp>/chamado-web-artifacts``
    (outside pytest's own tmp folders, which later runs rotate away; never in the repository)."""
    base = os.environ.get("CHAMADO_WEB_ARTIFACTS")
    path = Path(base) if base else Path(tempfile.gettempdir()) / "chamado-web-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (skipped, with the reason, when either is missing).

    One per test, not per session: Playwright's sync API keeps an event loop running in the
    test's thread while it is open, which would break the async tests that follow on the worker.
    """
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need playwright (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM)
                                      else shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@dataclass
class LiveServer:
    url: str
    desk: HelpDesk
    context: WebContext

    def sign_in_link(self, email: str) -> str:
        issued = issue_sign_in(self.desk, email)
        return f"{self.url}/entrar/{issued.token}"


def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` in a thread of its own: Playwright's sync API keeps an event loop running in the
    test's thread, so code that calls ``asyncio.run`` (the console adapter, a dispatcher) runs beside it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result(timeout=60)


@pytest.fixture
def live_server(web_context: WebContext) -> Iterator[LiveServer]:
    """The web app on a free local port, served by a thread with its own event loop."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, Any] = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(build_web_app(web_context))
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        state["port"] = runner.addresses[0][1]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30), "the live server did not start"
    yield LiveServer(f"http://127.0.0.1:{state['port']}", web_context.desk, web_context)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
