"""``chamado web login EMAIL``: a one-time sign-in link to the web workspace, printed for the operator."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.web.config import WebConfig
from chamado.cli.common import JsonOption, handle_errors, helpdesk, out, print_json, settings
from core.web_sign_in import issue_sign_in

web_app = typer.Typer(help="The web workspace (chamado serve --web).", no_args_is_help=True)


@web_app.command("login")
@handle_errors
def login(
    email: Annotated[str, typer.Argument(help="The analyst's or contact's e-mail.")],
    as_json: JsonOption = False,
) -> None:
    """Print a sign-in link (works once, for WEB_SIGN_IN_MINUTES) for an analyst or a contact."""
    conf = settings()
    desk = helpdesk()
    issued = issue_sign_in(desk, email, minutes=conf.web_sign_in_minutes)
    link = WebConfig(public_url=conf.web_public_url).sign_in_link(issued.token)  # (no secret needed here)
    if as_json:
        print_json({"url": link, "email": issued.person.email, "kind": issued.person.kind,
                    "expires_at": issued.expires_at.isoformat()})
        return
    who = "analista" if issued.person.kind == "analyst" else "contato"
    out.print(f"Link de acesso para {issued.person.name} ({who}), vale uma vez por "
              f"{conf.web_sign_in_minutes} min:", highlight=False)
    out.print(link, markup=False, highlight=False, soft_wrap=True)
