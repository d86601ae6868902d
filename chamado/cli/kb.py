"""``chamado kb ...``: the FAQ commands of ``knowledge_base.cli`` (lint, ask, eval), plus ``kb draft``.

``draft`` needs the help desk (a closed ticket's question and answer), so it
is added here, in the composition root, rather than in ``knowledge_base``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from chamado.cli.common import fail, handle_errors, helpdesk, out
from knowledge_base.cli import kb_app

__all__ = ["kb_app"]


@kb_app.command("draft")
@handle_errors
def kb_draft(
    number: Annotated[str, typer.Argument(help="A closed ticket's number.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the YAML to this file.")] = None,
) -> None:
    """Draft a FAQ entry from a closed ticket's question and the analyst's answer."""
    from core.kb_drafts import draft_from_ticket

    text = draft_from_ticket(helpdesk(), number)
    advice = ("Revise o rascunho, remova dados do cliente, mova-o para knowledge_base/faq/ "
              "e marque draft: false; depois rode `chamado kb lint`.")
    if output is None:
        sys.stdout.write(text)
        typer.echo(advice, err=True)
        return
    if output.exists():
        raise fail(f"erro: {output} já existe; escolha outro arquivo.")
    output.write_text(text, encoding="utf-8")
    out.print(f"Rascunho gravado em {output}. {advice}", highlight=False, markup=False)
