"""The queue page and its table fragment: filters, order, paging, SLA countdowns (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import re

from tests.web.conftest import open_demo_ticket

ROW = re.compile(r'<tr data-number="([0-9-]+)">')


def _numbers(html):
    return ROW.findall(html)


def _three(desk):
    first = open_demo_ticket(desk, subject="Primeiro", criticality="BAIXA")
    desk.clock.advance(minutes=5)
    second = open_demo_ticket(desk, "otavio@ouro.example", subject="Segundo", module="Estoque",
                              criticality="CRITICA")
    desk.clock.advance(minutes=5)
    third = open_demo_ticket(desk, subject="Terceiro", criticality="MEDIA")
    ana = desk.analyst_by_email("ana@suporte.example")
    desk.claim(second.number, ana.id)
    return first, second, third


async def test_the_queue_lists_filters_and_orders(web_desk, sign_in_as):
    first, second, third = await asyncio.to_thread(_three, web_desk)
    ana = await sign_in_as("ana@suporte.example")
    page = await ana.get("/fila")
    html = await page.text()
    assert page.status == 200 and 'hx-trigger="every 15s"' in html
    assert _numbers(html) == [third.number, second.number, first.number]  # latest activity first
    assert "Ouro" in html and "Estoque" in html and "Crítica" in html and "Aberta" in html
    assert "1ª resposta em" in html and "sla-ok" in html
    table = await (await ana.get("/fila/tabela?mine=1")).text()
    assert "<html" not in table and _numbers(table) == [second.number]
    assert _numbers(await (await ana.get("/fila/tabela?unassigned=1")).text()) == [third.number, first.number]
    assert _numbers(await (await ana.get("/fila/tabela?plan=OURO")).text()) == [second.number]
    assert _numbers(await (await ana.get("/fila/tabela?module=Estoque")).text()) == [second.number]
    assert _numbers(await (await ana.get("/fila/tabela?criticality=CRITICA")).text()) == [second.number]
    assert _numbers(await (await ana.get("/fila/tabela?assignee=ana@suporte.example")).text()) == [second.number]
    assert _numbers(await (await ana.get("/fila/tabela?level=N2")).text()) == []
    by_deadline = _numbers(await (await ana.get("/fila/tabela?order=deadline")).text())
    assert by_deadline[0] == second.number  # critical: the nearest first-reply deadline
    assert _numbers(await (await ana.get("/fila/tabela?status=CLOSED")).text()) == []


async def test_breaches_are_flagged_and_filtered(web_desk, clock, sign_in_as):
    first, second, third = await asyncio.to_thread(_three, web_desk)
    clock.advance(days=10)
    ana = await sign_in_as("ana@suporte.example")
    html = await (await ana.get("/fila")).text()
    assert "sla-breach" in html and "atrasada" in html
    assert set(_numbers(await (await ana.get("/fila/tabela?breached=1")).text())) == {
        first.number, second.number, third.number}


async def test_bad_filters_are_answered_on_the_page(web_desk, sign_in_as):
    await asyncio.to_thread(_three, web_desk)
    ana = await sign_in_as("ana@suporte.example")
    for query in ("status=PERDIDO", "level=N9", "plan=OURO-VELHO", "assignee=ninguem@x", "module=Nada",
                  "criticality=URGENTISSIMA", "pagina=abc", "pagina=-3", "order=random"):
        response = await ana.get(f"/fila?{query}")
        assert response.status == 200, query
    html = await (await ana.get("/fila?assignee=ninguem@x")).text()
    assert "Não há analista com o e-mail ninguem@x" in html and 'role="alert"' in html


async def test_paging(web_desk, sign_in_as):
    def many():
        for i in range(27):
            open_demo_ticket(web_desk, subject=f"Chamado {i}")
            web_desk.clock.advance(minutes=1)

    await asyncio.to_thread(many)
    ana = await sign_in_as("ana@suporte.example")
    first = await (await ana.get("/fila")).text()
    assert len(_numbers(first)) == 25 and "27 chamado(s)" in first and "pagina=2" in first
    second = await (await ana.get("/fila?pagina=2")).text()
    assert len(_numbers(second)) == 2 and "pagina=1" in second
    assert not set(_numbers(first)) & set(_numbers(second))
