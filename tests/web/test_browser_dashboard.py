"""In a real browser (headless Chromium): a manager opens the dashboard and sees the month's charts."""

from __future__ import annotations

from tests.web.test_reports import MONTH, _seed


def test_a_manager_sees_the_dashboard_charts(live_server, page, clock, artifacts_dir):
    _seed(live_server.desk, clock)
    page.goto(live_server.sign_in_link("elisa@suporte.example"))
    page.locator("#sign-in").click()
    page.wait_for_url("**/fila**")
    page.goto(f"{live_server.url}/relatorios/painel?month={MONTH}")
    page.wait_for_selector("svg[role=img]")
    assert page.locator("h1").inner_text() == "Painel de 2026-03"
    charts = page.locator("section.chart-section svg[role=img]")
    assert charts.count() >= 8
    daily = page.locator("#daily svg")
    assert daily.get_attribute("aria-label") == "Chamados abertos e fechados por dia em 2026-03"
    assert daily.locator("rect.bar[data-value='2']").count() == 1  # the 11th: two tickets opened
    assert daily.locator("rect.bar").first.bounding_box() is not None  # drawn, not just in the markup
    csat = page.locator("#csat svg rect.bar[data-value='1']")
    assert csat.count() == 1 and csat.bounding_box()["width"] > 100  # the one 5-star rating is the longest bar
    assert page.locator("#table-backlog_module td", has_text="Estoque").count() == 1
    page.screenshot(path=str(artifacts_dir / "dashboard.png"), full_page=True)
    page.get_by_label("Mês").fill("2026-04")
    page.get_by_role("button", name="Mostrar").click()
    page.wait_for_url("**month=2026-04**")
    assert page.locator("h1").inner_text() == "Painel de 2026-04"
