"""In a real browser (headless Chromium): a CSV import with one bad row imports nothing until the file is fixed."""

from __future__ import annotations

from pathlib import Path

ROWS = ("Nome;Slug;Plano;Cobrança;Termo de aceite;Valor-hora\n"
        "Alfa Comércio;alfa;Prata;Avulso;11/03/2026;R$ 180,00\n"
        "Beta Indústria;beta;{plan};contrato;;150\n")


def test_a_bad_row_blocks_the_import_until_fixed(live_server, page, artifacts_dir, tmp_path: Path):
    bad, good = tmp_path / "clientes.csv", tmp_path / "clientes-corrigido.csv"
    bad.write_bytes(ROWS.format(plan="Bronze").encode("latin-1"))  # as Excel in pt-BR saves it
    good.write_bytes(ROWS.format(plan="Ouro").encode("latin-1"))

    def slugs() -> set[str]:
        return {o.slug for o in live_server.desk.list_organizations()}

    page.goto(live_server.sign_in_link("elisa@suporte.example"))
    page.locator("#sign-in").click()
    page.wait_for_url("**/fila**")
    page.get_by_role("link", name="Administração").click()
    page.get_by_role("link", name="Importar CSV").first.click()
    page.wait_for_url("**/admin/importar**")

    page.get_by_label("Organizações").check()
    page.get_by_label("Arquivo CSV").set_input_files(str(bad))
    page.get_by_role("button", name="Conferir planilha").click()
    error = page.locator("tr[data-row='3'] [data-testid=row-error]")
    error.wait_for()
    assert error.inner_text() == "Plano desconhecido: “Bronze”. Use Prata, Ouro ou VIP."
    assert page.locator("tr[data-row='2']").inner_text().endswith("ok")
    assert "Nada foi importado" in page.get_by_test_id("import-summary").inner_text()
    assert page.get_by_role("button", name="Importar 2 organizações").count() == 0
    page.screenshot(path=str(artifacts_dir / "admin-import-error.png"), full_page=True)
    assert not {"alfa", "beta"} & slugs()

    page.get_by_label("Arquivo CSV").set_input_files(str(good))
    page.get_by_role("button", name="Conferir planilha").click()
    page.get_by_role("button", name="Importar 2 organizações").click()
    page.wait_for_url("**/admin/organizacoes?feito=imported_orgs**")
    assert page.locator("p.flash").inner_text() == "Importação concluída: 2 organizações cadastradas."
    assert page.locator("#org-beta").inner_text().startswith("Beta Indústria")
    page.screenshot(path=str(artifacts_dir / "admin-orgs.png"), full_page=True)
    assert {"alfa", "beta"} <= slugs()
    beta = next(o for o in live_server.desk.list_organizations() if o.slug == "beta")
    assert (beta.plan, beta.billing_mode, beta.hourly_rate_cents) == ("OURO", "CONTRACT", 15000)


def test_an_invite_code_with_its_qr_code_on_a_phone(live_server, browser, artifacts_dir):
    context = browser.new_context(locale="pt-BR", viewport={"width": 390, "height": 844})  # a phone
    context.set_default_timeout(15_000)
    phone = context.new_page()
    try:
        phone.goto(live_server.sign_in_link("elisa@suporte.example"))
        phone.locator("#sign-in").click()
        phone.wait_for_url("**/fila**")
        phone.goto(f"{live_server.url}/admin/contatos?org=prata")
        phone.get_by_role("row", name="paula@prata.example").get_by_role("link", name="Gerar convite").click()
        phone.get_by_role("button", name="Gerar código").click()
        code = phone.get_by_test_id("invite-code")
        code.wait_for()
        assert f"/vincular {code.inner_text()}" in phone.locator("section.invite").inner_text()
        qr = phone.get_by_role("img", name="QR code do convite para paula@prata.example")
        assert qr.bounding_box()["width"] >= 100
        phone.screenshot(path=str(artifacts_dir / "admin-invite-phone.png"), full_page=True)
    finally:
        context.close()
