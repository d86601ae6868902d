"""CSV import from the administration: the preview with per-row errors, then one transaction (both backends)."""

from __future__ import annotations

import asyncio
import html as html_lib
import re

import pytest
from aiohttp import FormData

from tests.web.conftest import csrf_of

ORGS = ("Nome;Slug;Plano;Cobrança;Termo de aceite;Valor-hora\n"
        "Alfa Comércio;alfa;Prata;Avulso;11/03/2026;R$ 180,00\n"
        "Beta Indústria;beta;OURO;contrato;;150\n")
BAD_ROW = "Gama;gama;Bronze;;;\n"


@pytest.fixture
async def manager(sign_in_as):
    return await sign_in_as("elisa@suporte.example")


async def upload(client, data: bytes, kind: str = "orgs", *, filename: str = "planilha.csv"):
    form = FormData()
    form.add_field("csrf_token", await csrf_of(client, "/admin/importar"))
    form.add_field("kind", kind)
    form.add_field("file", data, filename=filename, content_type="text/csv")
    return await client.post("/admin/importar", data=form, allow_redirects=False)


def confirm_form(page: str) -> dict[str, str]:
    """The "Importar" form's fields, as the browser would send them."""
    form = re.search(r'<form method="post" action="/admin/importar/confirmar".*?</form>', page, flags=re.S)
    assert form, "no Importar button"
    text = re.search(r'<textarea name="csv"[^>]*>\n?(.*?)</textarea>', form.group(0), flags=re.S)
    kind = re.search(r'name="kind" value="([a-z]+)"', form.group(0))
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0))
    return {"csv": html_lib.unescape(text.group(1)), "kind": kind.group(1), "csrf_token": token.group(1)}


async def confirm(client, fields: dict[str, str]):
    form = FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    return await client.post("/admin/importar/confirmar", data=form, allow_redirects=False)


def slugs(desk) -> set[str]:
    return {o.slug for o in desk.list_organizations()}


async def test_a_bad_row_shows_its_error_and_imports_nothing(manager, web_desk):
    response = await upload(manager, (ORGS + BAD_ROW).encode("latin-1"))
    page = await response.text()
    assert response.status == 422
    assert "Plano desconhecido: “Bronze”. Use Prata, Ouro ou VIP." in page
    assert "1 de 3 linhas com erro. Nada foi importado" in page
    assert 'data-row="4"' in page and "Alfa Comércio" in page  # Latin-1 read right
    assert "/admin/importar/confirmar" not in page  # no Importar button
    assert "alfa" not in await asyncio.to_thread(slugs, web_desk)


async def test_a_clean_file_previews_then_imports_in_one_go(manager, web_desk):
    response = await upload(manager, b"\xef\xbb\xbf" + ORGS.encode())
    page = await response.text()
    assert response.status == 200 and "Tudo certo: 2 organizações prontas para importar." in page
    assert "alfa" not in await asyncio.to_thread(slugs, web_desk)  # a preview writes nothing
    done = await confirm(manager, confirm_form(page))
    assert done.status == 303 and done.headers["Location"].startswith("/admin/organizacoes?feito=imported_orgs")
    listed = await (await manager.get(done.headers["Location"])).text()
    assert "Importação concluída: 2 organizações cadastradas." in listed and "Beta Indústria" in listed
    assert {"alfa", "beta"} <= await asyncio.to_thread(slugs, web_desk)


async def test_a_confirmation_that_no_longer_passes_imports_nothing(manager, web_desk):
    page = await (await upload(manager, ORGS.encode())).text()
    fields = confirm_form(page)
    await asyncio.to_thread(web_desk.add_organization, name="Beta", slug="beta", plan="OURO", billing_mode="CONTRACT")
    response = await confirm(manager, fields)
    assert response.status == 409 and "Já existe uma organização com o slug beta." in await response.text()
    assert "alfa" not in await asyncio.to_thread(slugs, web_desk)


async def test_contacts_import_and_the_third_vip_designee(manager, web_desk):
    data = ("organização;nome;e-mail;papel;indicado\n"
            "ouro;Osmar;osmar@ouro.example;outro;\n"
            "vip;Vânia;vania@vip.example;outro;sim\n").encode()
    page = await (await upload(manager, data, "contacts")).text()
    assert "Esta organização já indicou o seu contato adicional (o plano VIP permite um)." in page
    fixed = await upload(manager, data.replace(b"outro;sim", "outro;não".encode()), "contacts")
    done = await confirm(manager, confirm_form(await fixed.text()))
    assert done.status == 303 and done.headers["Location"].startswith("/admin/contatos?feito=imported_contacts")
    emails = {c.email for c in await asyncio.to_thread(web_desk.list_contacts)}
    assert {"osmar@ouro.example", "vania@vip.example"} <= emails


@pytest.mark.parametrize("data, kind, message", [
    (b'nome;slug;plano\n"Alfa;alfa;Prata\n', "orgs", "Não consegui ler o CSV perto da linha 2"),
    (b"nome;slug\nAlfa;alfa\n", "orgs", "Falta a coluna “plano” no cabeçalho."),
    (b"PK\x03\x04\x14\x00\x06\x00", "orgs", "Este arquivo não parece um CSV."),
    (b"", "orgs", "O arquivo não tem linhas para importar"),
    (b"nome;slug;plano\nA;a;Prata\n", "pessoas", "Escolha se a planilha traz organizações ou contatos."),
])
async def test_a_file_that_cannot_be_read_is_answered_clearly(manager, data, kind, message):
    response = await upload(manager, data, kind)
    assert response.status == 400
    assert message in html_lib.unescape(await response.text())


async def test_no_file_and_a_forged_confirmation(manager, web_desk):
    form = FormData()
    form.add_field("csrf_token", await csrf_of(manager, "/admin/importar"))
    form.add_field("kind", "orgs")
    missing = await manager.post("/admin/importar", data=form)
    assert missing.status == 400 and "Escolha o arquivo CSV da planilha." in await missing.text()
    token = await csrf_of(manager, "/admin/importar")
    forged = await confirm(manager, {"csrf_token": token, "kind": "orgs", "csv": ORGS + BAD_ROW})
    assert forged.status == 409 and "Plano desconhecido" in await forged.text()  # checked again, nothing written
    assert "alfa" not in await asyncio.to_thread(slugs, web_desk)


async def test_an_oversized_file_is_refused_without_a_5xx(manager, web_desk):
    big = b"nome;slug;plano\n" + b"Alfa;alfa;Prata\n" * 150_000  # 2.4 MB
    response = await upload(manager, big)
    assert 400 <= response.status < 500
    assert "tamanho permitido" in await response.text() or "passa de" in await response.text()
    assert "alfa" not in await asyncio.to_thread(slugs, web_desk)


async def test_the_model_spreadsheets(manager):
    response = await manager.get("/admin/importar/modelo-orgs.csv")
    assert response.status == 200 and response.content_type == "text/csv"
    body = (await response.read()).decode("utf-8-sig")
    assert body.splitlines()[0] == ("nome;slug;plano;cobrança;termo de aceite;cópias por e-mail;valor-hora;"
                                    "horas contratadas")
    contacts = (await (await manager.get("/admin/importar/modelo-contacts.csv")).read()).decode("utf-8-sig")
    assert contacts.splitlines()[0] == "organização;nome;e-mail;papel;indicado"
    assert (await manager.get("/admin/importar/modelo-nada.csv")).status == 400


async def test_row_errors_in_english(manager):
    manager.session.headers["Accept-Language"] = "en"
    page = await (await upload(manager, (ORGS + BAD_ROW).encode())).text()
    assert "Unknown plan: “Bronze”. Use Prata, Ouro or VIP." in page and "Nothing was imported" in page
