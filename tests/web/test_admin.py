"""Administration pages (managers only): organizations, contacts, analysts, invites (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest

from core.desk import HelpDesk
from tests.web.conftest import csrf_of, post_form

MANAGER = "elisa@suporte.example"
PAGES = ["/admin", "/admin/organizacoes", "/admin/organizacoes/prata", "/admin/contatos", "/admin/analistas",
         "/admin/analistas/ana@suporte.example", "/admin/convites", "/admin/importar",
         "/admin/importar/modelo-orgs.csv"]
POSTS = ["/admin/organizacoes", "/admin/organizacoes/prata", "/admin/contatos", "/admin/contatos/indicar",
         "/admin/contatos/gerente",
         "/admin/analistas", "/admin/analistas/ana@suporte.example", "/admin/convites", "/admin/importar",
         "/admin/importar/confirmar"]


@pytest.fixture
async def manager(sign_in_as):
    return await sign_in_as(MANAGER)


def org(desk: HelpDesk, slug: str):
    return next(o for o in desk.list_organizations() if o.slug == slug)


def flash(html: str) -> str:
    match = re.search(r'<p class="flash (?:ok|error)"[^>]*>(.*?)</p>', html, flags=re.S)
    return match.group(1).strip() if match else ""


async def test_the_hub_links_every_section(manager):
    page = await manager.get("/admin")
    html = await page.text()
    assert page.status == 200
    for path in ("/admin/organizacoes", "/admin/contatos", "/admin/analistas", "/admin/convites", "/admin/importar"):
        assert f'href="{path}"' in html
    assert "4 cadastradas" in html and 'href="/admin"' in (await (await manager.get("/fila")).text())


async def test_a_manager_edits_an_organizations_plan_billing_and_term(manager, web_desk):
    edit = await manager.get("/admin/organizacoes/prata")
    assert edit.status == 200 and 'value="10/03/2025"' in await edit.text()
    response = await post_form(manager, "/admin/organizacoes/prata", {
        "name": "Comercial Prata Ltda", "plan": "OURO", "billing_mode": "CONTRACT", "acceptance": "01/02/2026",
        "hourly_rate": "R$ 1.180,50", "contract_hours": "40", "active": "1"})  # e-mail copies unchecked
    assert response.status == 303
    assert response.headers["Location"].startswith("/admin/organizacoes?feito=org_saved")
    listed = await manager.get(response.headers["Location"])
    html = await listed.text()
    assert flash(html) == "Alterações de Comercial Prata Ltda salvas."
    assert "R$ 1.180,50" in html and "40h" in html
    saved = await asyncio.to_thread(org, web_desk, "prata")
    assert (saved.plan, saved.billing_mode, saved.acceptance_signed_on.isoformat()) == ("OURO", "CONTRACT",
                                                                                        "2026-02-01")
    assert (saved.hourly_rate_cents, saved.contract_minutes_month, saved.email_copies) == (118050, 2400, False)


async def test_organization_refusals_are_polite_and_keep_what_was_typed(manager, web_desk):
    bad_rate = await post_form(manager, "/admin/organizacoes/prata", {
        "plan": "PRATA", "billing_mode": "ON_DEMAND", "hourly_rate": "muito", "active": "1"})
    html = await bad_rate.text()
    assert bad_rate.status == 400 and 'Valor inválido: "muito"' in html.replace("&#34;", '"')
    assert 'value="muito"' in html
    bad_date = await post_form(manager, "/admin/organizacoes/prata", {
        "plan": "PRATA", "billing_mode": "ON_DEMAND", "acceptance": "31/02/2026", "active": "1"})
    assert bad_date.status == 400 and "Data inválida" in await bad_date.text()
    bad_plan = await post_form(manager, "/admin/organizacoes", {"name": "X", "slug": "x", "plan": "BRONZE",
                                                                 "billing_mode": "ON_DEMAND"})
    assert bad_plan.status == 400 and "Plano desconhecido: BRONZE" in await bad_plan.text()
    taken = await post_form(manager, "/admin/organizacoes", {"name": "Outra", "slug": "PRATA", "plan": "VIP",
                                                              "billing_mode": "SAAS"})
    html = await taken.text()
    assert taken.status == 409 and "Já existe uma organização com o slug prata." in html and 'value="Outra"' in html
    unknown = await manager.get("/admin/organizacoes/nao-existe")
    assert unknown.status == 404 and "Organização não encontrada: nao-existe." in await unknown.text()
    assert (await asyncio.to_thread(org, web_desk, "prata")).plan == "PRATA"


async def test_a_manager_adds_an_organization(manager, web_desk):
    response = await post_form(manager, "/admin/organizacoes", {
        "name": "Delta Comércio", "slug": "delta", "plan": "VIP", "billing_mode": "SAAS", "acceptance": "2026-03-01",
        "hourly_rate": "200", "contract_hours": ""})
    assert response.status == 303
    assert flash(await (await manager.get(response.headers["Location"])).text()) == \
        "Organização Delta Comércio cadastrada."
    delta = await asyncio.to_thread(org, web_desk, "delta")
    assert (delta.plan, delta.hourly_rate_cents, delta.acceptance_signed_on.isoformat()) == ("VIP", 20000,
                                                                                             "2026-03-01")


async def test_contacts_follow_the_seeds_designee_limits(manager, web_desk):
    added = await post_form(manager, "/admin/contatos", {"org": "ouro", "name": "Osmar Lima",
                                                         "email": "osmar@ouro.example", "role": "OTHER"})
    assert added.status == 303
    assert flash(await (await manager.get(added.headers["Location"])).text()) == "Contato Osmar Lima cadastrado."
    third = await post_form(manager, "/admin/contatos", {"org": "vip", "name": "Vânia", "email": "vania@vip.example",
                                                         "role": "OTHER", "designee": "1"})
    html = await third.text()
    assert third.status == 400
    assert flash(html) == "Esta organização já indicou o seu contato adicional (o plano VIP permite um)."
    assert 'value="vania@vip.example"' in html
    prata = await post_form(manager, "/admin/contatos", {"org": "prata", "name": "Pri", "email": "pri@prata.example",
                                                         "designee": "1"})
    assert "Só organizações do plano VIP" in await prata.text()
    designate = await post_form(manager, "/admin/contatos/indicar", {"email": "valeria@vip.example"})
    assert designate.status == 400 and "já indicou" in await designate.text()
    unknown = await post_form(manager, "/admin/contatos", {"org": "nada", "name": "N", "email": "n@x.example"})
    assert unknown.status == 404 and "Organização não encontrada: nada." in await unknown.text()
    emails = {c.email for c in await asyncio.to_thread(web_desk.list_contacts)}
    assert "osmar@ouro.example" in emails and not {"vania@vip.example", "pri@prata.example"} & emails


async def test_designating_the_vip_contact(manager, web_desk):
    await asyncio.to_thread(web_desk.add_organization, name="Vip Nova", slug="vipnova", plan="VIP",
                            billing_mode="SAAS")
    await asyncio.to_thread(web_desk.add_contact, org_slug="vipnova", name="Noé", email="noe@vipnova.example")
    listed = await (await manager.get("/admin/contatos?org=vipnova")).text()
    assert "Indicar para abrir chamados" in listed
    response = await post_form(manager, "/admin/contatos/indicar", {"email": "noe@vipnova.example"})
    assert response.status == 303
    assert (await asyncio.to_thread(web_desk.contact_by_email, "noe@vipnova.example")).ticket_designee


async def test_a_manager_adds_and_changes_analysts(manager, web_desk):
    added = await post_form(manager, "/admin/analistas", {"name": "Gil Souza", "email": "gil@suporte.example",
                                                          "level": "N2", "manager": "1"})
    assert added.status == 303
    gil = await asyncio.to_thread(web_desk.analyst_by_email, "gil@suporte.example")
    assert (gil.level, gil.manager, gil.active) == ("N2", True, True)
    edit = await manager.get("/admin/analistas/ana@suporte.example")
    assert edit.status == 200 and 'value="Fiscal" checked' in await edit.text()
    token = await csrf_of(manager, "/admin/analistas")
    saved = await manager.post("/admin/analistas/ana@suporte.example", allow_redirects=False, data=[
        ("csrf_token", token), ("name", "Ana Souza"), ("level", "N2"), ("specialties", "Estoque"),
        ("specialties", "Vendas"), ("manager", "1")])  # active unchecked: deactivated
    assert saved.status == 303
    assert flash(await (await manager.get(saved.headers["Location"])).text()) == "Alterações de Ana Souza salvas."
    ana = await asyncio.to_thread(web_desk.analyst_by_email, "ana@suporte.example")
    assert (ana.level, ana.specialties, ana.manager, ana.active) == ("N2", ("Estoque", "Vendas"), True, False)
    bad = await post_form(manager, "/admin/analistas", {"name": "Zé", "email": "sem-arroba", "level": "N1"})
    assert bad.status == 400 and "E-mail inválido: sem-arroba." in await bad.text()


async def test_a_manager_cannot_lock_themselves_out(manager, web_desk):
    response = await post_form(manager, f"/admin/analistas/{MANAGER}", {"name": "Elisa", "level": "N2",
                                                                         "active": "1"})
    assert response.status == 400 and "próprio acesso de gestor" in await response.text()
    assert (await asyncio.to_thread(web_desk.analyst_by_email, MANAGER)).manager


async def test_an_invite_code_with_its_command_and_qr_code(manager):
    response = await post_form(manager, "/admin/convites", {"email": "paula@prata.example"})
    html = await response.text()
    assert response.status == 200
    code = re.search(r'data-testid="invite-code"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})<', html).group(1)
    assert f"/vincular {code}" in html and "TELEGRAM_BOT_USERNAME" in html and "https://t.me" not in html
    assert re.search(r'<svg role="img" aria-label="QR code do convite para paula@prata.example"', html)
    unknown = await post_form(manager, "/admin/convites", {"email": "ninguem@x.example"})
    assert unknown.status == 404 and "Contato não encontrado: ninguem@x.example." in await unknown.text()


async def test_an_invite_carries_the_t_me_link_when_the_bot_is_known(manager, web_context):
    web_context.config = dataclasses.replace(web_context.config, telegram_bot_username="chamado_bot")
    html = await (await post_form(manager, "/admin/convites", {"email": "vera@vip.example"})).text()
    code = re.search(r'data-testid="invite-code"[^>]*>([A-Z0-9-]{9})<', html).group(1)
    assert f'href="https://t.me/chamado_bot?start={code}"' in html and "<svg" in html


@pytest.mark.parametrize("email", ["ana@suporte.example", "paula@prata.example"])
async def test_analysts_who_are_not_managers_and_contacts_are_refused(sign_in_as, web_desk, email):
    client = await sign_in_as(email)
    for path in PAGES:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
    for path in POSTS:
        response = await post_form(client, path, {"plan": "VIP", "email": "valeria@vip.example", "name": "X",
                                                  "slug": "x", "billing_mode": "SAAS", "org": "vip"})
        assert response.status == 403, path
    assert (await asyncio.to_thread(org, web_desk, "prata")).plan == "PRATA"
    assert "x" not in {o.slug for o in await asyncio.to_thread(web_desk.list_organizations)}


async def test_signed_out_goes_to_sign_in(new_client):
    client = await new_client()
    for path in PAGES:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/entrar?next="), path


async def test_a_post_without_the_csrf_token_is_refused(manager, web_desk):
    response = await manager.post("/admin/organizacoes/prata", allow_redirects=False,
                                  data={"plan": "VIP", "billing_mode": "SAAS", "active": "1"})
    assert response.status == 403 and "Este formulário expirou" in await response.text()
    forged = await post_form(manager, "/admin/analistas", {"name": "Intruso", "email": "i@x.example"},
                             token="not-the-token")
    assert forged.status == 403
    assert (await asyncio.to_thread(org, web_desk, "prata")).plan == "PRATA"


async def test_pages_in_english(sign_in_as):
    client = await sign_in_as(MANAGER)
    client.session.headers["Accept-Language"] = "en-US,en;q=0.8"
    html = await (await client.get("/admin/organizacoes")).text()
    assert "Register an organization" in html and "On demand" in html
    refused = await post_form(client, "/admin/contatos", {"org": "vip", "name": "V", "email": "v2@vip.example",
                                                          "designee": "1"})
    assert "already named its additional contact" in await refused.text()


def test_every_administration_text_exists_in_both_languages():
    from pathlib import Path

    from babel.messages.pofile import read_po

    web = Path(__file__).parents[2] / "bot" / "web"
    keys = {}
    for locale in ("pt_BR", "en"):
        with (web / "locales" / locale / "admin.po").open("rb") as fh:
            keys[locale] = {m.id for m in read_po(fh) if m.id and m.string}
    assert keys["pt_BR"] == keys["en"]
    sources = [*(web / "templates" / "admin").glob("*.html"), web / "pages" / "admin.py", web / "pages" / "imports.py"]
    used = {key for path in sources for key in re.findall(r"""["'](web\.admin\.[a-z_.]*[a-z])["']""",
                                                          path.read_text())}
    assert used and used <= keys["en"], used - keys["en"]
    for family in ("plan.PRATA", "plan.OURO", "plan.VIP", "billing.ON_DEMAND", "billing.CONTRACT", "billing.SAAS",
                   "role.PROJECT_MANAGER", "role.OTHER", "import.ready_orgs_one", "import.confirm_contacts_one",
                   "done.imported_orgs_one", "import.column.orgs.acceptance_signed_on"):
        assert f"web.admin.{family}" in keys["en"]


async def test_handing_the_project_manager_role_over(manager, web_desk):
    second = await post_form(manager, "/admin/contatos", {"org": "prata", "name": "Outra", "email": "o@prata.example",
                                                          "role": "PROJECT_MANAGER"})
    assert second.status == 400 and "já tem um gerente de projeto" in await second.text()
    listed = await (await manager.get("/admin/contatos?org=prata")).text()
    assert "Tornar gerente de projeto" in listed
    response = await post_form(manager, "/admin/contatos/gerente", {"email": "pedro@prata.example"})
    assert response.status == 303
    assert flash(await (await manager.get(response.headers["Location"])).text()) == \
        "Pedro Lima agora é o gerente de projeto; o anterior passou a contato comum."
    roles = {c.email: c.role for c in await asyncio.to_thread(web_desk.list_contacts, "prata")}
    assert roles == {"paula@prata.example": "OTHER", "pedro@prata.example": "PROJECT_MANAGER"}


def test_the_bots_username_and_the_invite_lifetime_reach_the_web_config():
    from chamado.adapters import web_config
    from chamado.settings import load_settings

    conf = web_config(load_settings(web_secret_key="k" * 40, telegram_bot_username=" @chamado_bot ",
                                    invite_ttl_hours=48))
    assert (conf.telegram_bot_username, conf.invite_hours) == ("chamado_bot", 48)
    assert web_config(load_settings(web_secret_key="k" * 40)).telegram_bot_username is None
