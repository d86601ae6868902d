"""Administration (managers only): organizations, contacts, analysts and invite codes.

Every change goes through the directory's use cases (``add_organization``,
``update_organization``, ``set_billing_terms``, ``add_contact``,
``designate_contact``, ``hand_over_manager``, ``add_analyst``, ``update_analyst``, ``core.linking.issue_invite``):
the seeds' limits are the domain's, and a refusal comes back next to the form,
in the reader's language, with what was typed kept. A change that worked
redirects (POST, redirect, GET) to the list with a short confirmation
(``?feito=KEY&quem=NAME``). The CSV import is ``pages/imports.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from aiohttp import web
from markupsafe import Markup

from bot.web.auth import current_actor, manager_only
from bot.web.context import WebContext, web_context
from bot.web.rendering import render, request_locale, text, url_for
from core.billing import parse_money
from core.desk import HelpDesk
from core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from core.import_values import parse_date, parse_hours
from core.linking import issue_invite
from core.model import BillingMode, ContactRole, Level, Plan
from core.views import OrganizationView

routes = web.RouteTableDef()

DONE_KEYS = frozenset({"org_added", "org_saved", "contact_added", "contact_designated", "contact_manager",
                       "analyst_added", "analyst_saved", "imported_orgs", "imported_contacts"})
CHOICES = {"plans": [p.value for p in Plan], "billing_modes": [m.value for m in BillingMode],
           "roles": [r.value for r in ContactRole], "levels": [lv.value for lv in Level]}


# --- helpers shared by the administration pages -----------------------------------


async def form_of(request: web.Request) -> dict[str, str]:
    """The posted form's text fields, stripped and bounded."""
    form = await request.post()
    return {key: value.strip()[:2000] for key, value in form.items() if isinstance(value, str)}


def checked(form: dict[str, str], name: str) -> bool:
    return form.get(name, "") in {"1", "on", "true", "sim"}


def done(request: web.Request, route: str, key: str, who: str = "", **parts: Any) -> web.Response:
    """After a change: back to the page (303), which says what was done."""
    query = urlencode({"feito": key, "quem": who[:200]})
    return web.Response(status=303, headers={"Location": f"{url_for(request, route, **parts)}?{query}"})


def flash_of(request: web.Request) -> str | None:
    key, who = request.query.get("feito", ""), request.query.get("quem", "")[:200]
    if key not in DONE_KEYS:
        return None
    one = "_one" if key.startswith("imported_") and who == "1" else ""
    return text(request, f"web.admin.done.{key}{one}", who=who)


def status_of(exc: DomainError) -> int:
    return 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 400


def refusal(request: web.Request, exc: DomainError) -> str:
    return exc.render(request_locale(request))


def page(request: web.Request, template: str, *, error: DomainError | None = None,
         **context: Any) -> web.Response:
    """An administration page; with ``error``, the refusal shown politely above the form it came from."""
    return render(request, template, status=status_of(error) if error else 200,
                  flash=refusal(request, error) if error else flash_of(request),
                  flash_kind="error" if error else "ok", choices=CHOICES, **context)


Steps = Callable[[HelpDesk, Any], Any]
Again = Callable[[DomainError], Awaitable[web.StreamResponse]]


async def change(request: web.Request, steps: Steps, *, again: Again, route: str, key: str) -> web.StreamResponse:
    """Run ``steps(desk, uow)`` (use cases) in one transaction in a worker thread: all of it happens or none.

    Done: back to ``route`` saying so (the result's name). Refused: ``again(error)``, the form page
    with the refusal and what was typed.
    """
    ctx = web_context(request)

    def work() -> Any:
        with ctx.desk.uow() as uow:
            result = steps(ctx.desk, uow)
            uow.commit()
            return result

    try:
        result = await ctx.run(work)
    except DomainError as exc:
        return await again(exc)
    return done(request, route, key, result.name)


def require(value: str, key: str) -> str:
    if not value:
        raise InvalidInput(key)
    return value


# --- the hub --------------------------------------------------------------------


@routes.get("/admin", name="admin")
@manager_only
async def admin_home(request: web.Request) -> web.StreamResponse:
    ctx = web_context(request)
    orgs = await ctx.run(ctx.desk.list_organizations)
    contacts = await ctx.run(ctx.desk.list_contacts)
    analysts = await ctx.run(ctx.desk.list_analysts)
    return page(request, "admin/index.html", counts={"orgs": len(orgs), "contacts": len(contacts),
                                                     "analysts": len(analysts)})


# --- organizations ----------------------------------------------------------------


def _org_values(form: dict[str, str]) -> dict[str, Any]:
    """The organization form as the use cases' arguments (dates and money as people type them)."""
    hours = parse_hours(form.get("contract_hours", ""))
    return {"plan": form.get("plan", ""), "billing_mode": form.get("billing_mode", ""),
            "acceptance_signed_on": parse_date(form.get("acceptance", "")),
            "hourly_rate_cents": parse_money(form["hourly_rate"]) if form.get("hourly_rate") else 0,
            "contract_minutes_month": hours or 0}


async def _orgs_page(request: web.Request, *, error: DomainError | None = None,
                     typed: dict[str, str] | None = None) -> web.Response:
    ctx = web_context(request)
    orgs = await ctx.run(ctx.desk.list_organizations)
    return page(request, "admin/orgs.html", error=error, orgs=orgs, typed=typed or {})


routes.get("/admin/organizacoes", name="admin_orgs")(manager_only(_orgs_page))


@routes.post("/admin/organizacoes", name="admin_org_add")
@manager_only
async def org_add(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)

    def steps(desk: HelpDesk, uow: Any) -> OrganizationView:
        values = _org_values(form)
        org = desk.add_organization(name=form.get("name", ""), slug=form.get("slug", ""), plan=values["plan"],
                                    billing_mode=values["billing_mode"],
                                    acceptance_signed_on=values["acceptance_signed_on"], uow=uow)
        desk.set_billing_terms(org.slug, hourly_rate_cents=values["hourly_rate_cents"],
                               contract_minutes_month=values["contract_minutes_month"], uow=uow)
        return org

    return await change(request, steps, route="admin_orgs", key="org_added",
                        again=lambda exc: _orgs_page(request, error=exc, typed=form))


async def _organization(ctx: WebContext, slug: str) -> OrganizationView:
    found = [o for o in await ctx.run(ctx.desk.list_organizations) if o.slug == slug.strip().lower()]
    if not found:
        raise NotFound("org.not_found", slug=slug[:80])
    return found[0]


@routes.get("/admin/organizacoes/{slug}", name="admin_org")
@manager_only
async def org_edit(request: web.Request) -> web.StreamResponse:
    org = await _organization(web_context(request), request.match_info["slug"])
    return page(request, "admin/org.html", org=org, typed={})


@routes.post("/admin/organizacoes/{slug}", name="admin_org_save")
@manager_only
async def org_save(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    org = await _organization(web_context(request), request.match_info["slug"])

    def steps(desk: HelpDesk, uow: Any) -> OrganizationView:
        values = _org_values(form)
        desk.set_billing_terms(org.slug, hourly_rate_cents=values.pop("hourly_rate_cents"),
                               contract_minutes_month=values.pop("contract_minutes_month"), uow=uow)
        return desk.update_organization(org.slug, uow=uow, name=form.get("name") or org.name,
                                        email_copies=checked(form, "email_copies"), active=checked(form, "active"),
                                        **values)

    async def again(exc: DomainError) -> web.StreamResponse:
        return page(request, "admin/org.html", error=exc, org=org, typed=form)

    return await change(request, steps, route="admin_orgs", key="org_saved", again=again)


# --- contacts ------------------------------------------------------------------------


async def _contacts_page(request: web.Request, *, error: DomainError | None = None,
                         typed: dict[str, str] | None = None) -> web.Response:
    ctx = web_context(request)
    orgs = await ctx.run(ctx.desk.list_organizations)
    chosen = request.query.get("org", "").strip().lower()
    if chosen and chosen not in {o.slug for o in orgs}:
        error, chosen = error or NotFound("org.not_found", slug=chosen[:80]), ""
    contacts = await ctx.run(ctx.desk.list_contacts, chosen or None)
    return page(request, "admin/contacts.html", error=error, orgs=orgs, contacts=contacts, chosen=chosen,
                plans={o.slug: o.plan for o in orgs}, typed=typed or {})


routes.get("/admin/contatos", name="admin_contacts")(manager_only(_contacts_page))


@routes.post("/admin/contatos", name="admin_contact_add")
@manager_only
async def contact_add(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)

    def steps(desk: HelpDesk, uow: Any) -> Any:
        return desk.add_contact(org_slug=form.get("org", ""), email=form.get("email", ""),
                                name=require(form.get("name", ""), "web.admin.contact.name_missing"),
                                role=form.get("role", "OTHER"), ticket_designee=checked(form, "designee"), uow=uow)

    return await change(request, steps, route="admin_contacts", key="contact_added",
                        again=lambda exc: _contacts_page(request, error=exc, typed=form))


@routes.post("/admin/contatos/indicar", name="admin_contact_designate")
@manager_only
async def contact_designate(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    return await change(request, lambda desk, uow: desk.designate_contact(form.get("email", ""), uow=uow),
                        route="admin_contacts", key="contact_designated",
                        again=lambda exc: _contacts_page(request, error=exc))


@routes.post("/admin/contatos/gerente", name="admin_contact_manager")
@manager_only
async def contact_hand_over(request: web.Request) -> web.StreamResponse:
    """The organization's project manager becomes this contact; the previous one a regular contact."""
    form = await form_of(request)
    return await change(request, lambda desk, uow: desk.hand_over_manager(form.get("email", ""), uow=uow),
                        route="admin_contacts", key="contact_manager",
                        again=lambda exc: _contacts_page(request, error=exc))


# --- analysts ----------------------------------------------------------------------


async def _analysts_page(request: web.Request, *, error: DomainError | None = None,
                         typed: dict[str, str] | None = None) -> web.Response:
    ctx = web_context(request)
    analysts = await ctx.run(ctx.desk.list_analysts)
    return page(request, "admin/analysts.html", error=error, analysts=analysts, modules=ctx.desk.modules,
                typed=typed or {})


def _specialties(request_form: Any) -> list[str]:
    return [str(v) for v in request_form.getall("specialties", []) if isinstance(v, str) and v.strip()]


routes.get("/admin/analistas", name="admin_analysts")(manager_only(_analysts_page))


@routes.post("/admin/analistas", name="admin_analyst_add")
@manager_only
async def analyst_add(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    specialties = _specialties(await request.post())

    def steps(desk: HelpDesk, uow: Any) -> Any:
        return desk.add_analyst(name=require(form.get("name", ""), "web.admin.analyst.name_missing"),
                                email=form.get("email", ""), level=form.get("level", "N1"), specialties=specialties,
                                manager=checked(form, "manager"), uow=uow)

    return await change(request, steps, route="admin_analysts", key="analyst_added",
                        again=lambda exc: _analysts_page(request, error=exc, typed=form))


@routes.get("/admin/analistas/{email}", name="admin_analyst")
@manager_only
async def analyst_edit(request: web.Request) -> web.StreamResponse:
    ctx = web_context(request)
    analyst = await ctx.run(ctx.desk.analyst_by_email, request.match_info["email"])
    return page(request, "admin/analyst.html", analyst=analyst, modules=ctx.desk.modules)


@routes.post("/admin/analistas/{email}", name="admin_analyst_save")
@manager_only
async def analyst_save(request: web.Request) -> web.StreamResponse:
    ctx, form = web_context(request), await form_of(request)
    analyst = await ctx.run(ctx.desk.analyst_by_email, request.match_info["email"])
    manager, active = checked(form, "manager"), checked(form, "active")
    specialties = _specialties(await request.post())
    actor = await current_actor(request)

    def steps(desk: HelpDesk, uow: Any) -> Any:
        if actor is not None and actor.id == analyst.id and not (manager and active):
            raise NotAllowed("web.admin.analyst.not_yourself")
        return desk.update_analyst(analyst.email, name=form.get("name") or None, level=form.get("level") or None,
                                   specialties=specialties, manager=manager, active=active, uow=uow)

    async def again(exc: DomainError) -> web.StreamResponse:
        return page(request, "admin/analyst.html", error=exc, analyst=analyst, modules=ctx.desk.modules)

    return await change(request, steps, route="admin_analysts", key="analyst_saved", again=again)


# --- invite codes --------------------------------------------------------------------


def qr_svg(content: str, label: str) -> Markup:
    """The QR code of ``content`` as inline SVG (segno), labelled for screen readers."""
    svg = segno.make(content, error="m").svg_inline(scale=5, border=2, title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))


async def _invites_page(request: web.Request, *, error: DomainError | None = None, typed: str = "",
                        **context: Any) -> web.Response:
    ctx = web_context(request)
    contacts = [c for c in await ctx.run(ctx.desk.list_contacts) if c.active]
    return page(request, "admin/invites.html", error=error, contacts=contacts, typed=typed,
                hours=ctx.config.invite_hours, bot=ctx.config.telegram_bot_username, **context)


@routes.get("/admin/convites", name="admin_invites")
@manager_only
async def invites(request: web.Request) -> web.StreamResponse:
    return await _invites_page(request, typed=request.query.get("email", "")[:254])


@routes.post("/admin/convites", name="admin_invite_issue")
@manager_only
async def invite_issue(request: web.Request) -> web.StreamResponse:
    ctx, form = web_context(request), await form_of(request)
    email = form.get("email", "")
    try:
        invite = await ctx.run(issue_invite, ctx.desk, email, timedelta(hours=ctx.config.invite_hours))
    except DomainError as exc:
        return await _invites_page(request, error=exc, typed=email)
    bot = ctx.config.telegram_bot_username
    link = f"https://t.me/{bot}?start={invite.code}" if bot else None
    command = f"/vincular {invite.code}"
    qr = qr_svg(link or command, text(request, "web.admin.invite.qr_label", email=invite.email))
    return await _invites_page(request, invite=invite, link=link, command=command, qr=qr)
