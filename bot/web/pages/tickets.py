"""A ticket's page for analysts: header, deadlines, the whole history, events, hours, and the actions.

Every action is a form posting to ``/chamados/{number}/<action>`` and calls the
same use case as the chat: claim, public reply (relayed to the client through
the outbox, like a thread reply; the desk's thread says it came from the web),
internal note, escalate, forward, close, log hours. After an action the page
is shown again (303) with a confirmation; a refusal is shown on the page,
politely, with the status the refusal deserves (400 / 404 / 409), never a 5xx.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.actions import add_actions, ticket_number
from bot.web.auth import WebActor, analyst_only, signed_in_actor
from bot.web.context import web_context
from bot.web.forms import new_nonce, web_ref
from bot.web.rendering import render, request_locale
from bot.web.sla_display import countdown
from core.model import Actor

routes = web.RouteTableDef()

DONE = {"claim", "reply", "note", "escalate", "forward", "close", "hours"}


async def ticket_context(request: web.Request, number: str, actor: WebActor) -> dict[str, Any]:
    ctx = web_context(request)
    desk = ctx.desk

    def load() -> dict[str, Any]:
        ticket = desk.get_ticket(number, Actor.analyst(actor.id))
        status = ctx.sla.status(ticket.number) if ctx.sla is not None else None
        return {"ticket": ticket, "events": desk.ticket_events(ticket.number),
                "hours": desk.ticket_hours(ticket.number), "sla_status": status,
                "analysts": {a.id: a.name for a in desk.list_analysts()}}

    data = await ctx.run(load)
    locale = request_locale(request)
    data.update(countdown=countdown(data["sla_status"], locale), forward_areas=ctx.forward_areas,
                nonce=new_nonce(), done=request.query.get("ok") if request.query.get("ok") in DONE else None)
    return data


@routes.get("/chamados/{number}", name="ticket")
@analyst_only
async def ticket_page(request: web.Request) -> web.StreamResponse:
    actor = await signed_in_actor(request)
    return render(request, "tickets/page.html", **await ticket_context(request, ticket_number(request), actor))


add_actions(routes, base="/chamados/{number}", page_route="ticket", template="tickets/page.html",
            context=ticket_context, guard=analyst_only, actions={
    "claim": ("assumir", lambda desk, n, a, f: desk.claim(n, a.id)),
    "reply": ("responder", lambda desk, n, a, f: desk.analyst_reply(
        n, a.id, f.get("body", ""), ref=web_ref(f, f"analyst:{a.id}"))),
    "note": ("nota", lambda desk, n, a, f: desk.internal_note(
        n, a.id, f.get("body", ""), ref=web_ref(f, f"analyst:{a.id}"))),
    "escalate": ("escalar", lambda desk, n, a, f: desk.escalate(n, a.id, f.get("reason", ""))),
    "forward": ("encaminhar", lambda desk, n, a, f: desk.forward(n, a.id, f.get("area", ""))),
    "close": ("fechar", lambda desk, n, a, f: desk.close_by_analyst(n, a.id)),
    "hours": ("horas", lambda desk, n, a, f: desk.log_hours(
        n, a.id, f.get("hours", "").strip()[:20], f.get("note") or None, f.get("client_cause") == "1")),
})
