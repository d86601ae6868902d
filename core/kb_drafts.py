"""Turning a solved ticket into a draft FAQ entry for a person to review.

A CLOSED ticket's subject and description are the client's question; the
analyst's last public answer before the ticket closed is the answer. The
draft is YAML in the knowledge base's format (``knowledge_base/schema.py``)
with ``draft: true``: the loader reads it and ``chamado kb lint`` checks it,
but no matcher serves it until someone rewrites the TODO parts, removes
anything specific to the client, moves it into ``knowledge_base/faq/`` and
sets ``draft: false``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select

from core import model
from core.errors import InvalidTransition, NotFound
from core.model import AuthorKind, TicketStatus, Visibility
from core.store.orm import Message, Ticket, TicketEvent

if TYPE_CHECKING:
    from core.desk import HelpDesk

MAX_ANSWER_CHARS = 4000  # the FAQ lint allows 4096 (Telegram's limit); leave room for the reviewer
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def draft_from_ticket(desk: HelpDesk, number: str) -> str:
    """The YAML text of a draft FAQ entry made from a closed ticket.

    Refuses a ticket that is not CLOSED (``kb.draft_not_closed``) and one the
    analysts never answered in public before it closed (``kb.draft_no_answer``).
    """
    normalized = model.parse_ticket_number(number)
    with desk.db.session() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == normalized))
        if ticket is None:
            raise NotFound("ticket.not_found", number=normalized)
        if ticket.status != TicketStatus.CLOSED:
            raise InvalidTransition("kb.draft_not_closed", number=ticket.number,
                                    status=model.status_label(ticket.status))
        closing = session.scalar(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                      TicketEvent.to_status == TicketStatus.CLOSED.value)
            .order_by(TicketEvent.id.desc()).limit(1))
        answers = select(Message).where(
            Message.ticket_id == ticket.id, Message.author_kind == AuthorKind.ANALYST.value,
            Message.visibility == Visibility.PUBLIC.value, Message.body != "")
        if closing is not None:
            answers = answers.where(Message.created_at <= closing.created_at)
        answer = session.scalar(answers.order_by(Message.id.desc()).limit(1))
        if answer is None or not answer.body.strip():
            raise InvalidTransition("kb.draft_no_answer", number=ticket.number)
        entry = draft_entry(ticket.number, ticket.subject, ticket.description, ticket.module, answer.body)
    return render_yaml(entry, ticket.number)


def draft_entry(number: str, subject: str, description: str, module: str, answer: str) -> dict[str, Any]:
    """The draft as the mapping the knowledge base's schema reads (pure)."""
    question = _question(subject)
    excerpt = _first_sentence(description) or question
    return {
        "id": f"draft-{number}",
        "draft": True,
        "source_ticket": number,
        "tags": ["draft", module_tag(module)],
        "module": module,
        "pt-BR": {
            "question": question,
            "phrasings": [
                question,
                f"TODO reescreva como o cliente perguntaria: {excerpt}",
                f"TODO outra forma de perguntar sobre {question.rstrip('?').lower()}?",
                f"TODO uma frase curta com as palavras do cliente ({module})",
            ],
            "answer": _clip(answer.strip(), MAX_ANSWER_CHARS),
        },
        "en": {
            "question": f"TODO translate: {question}",
            "phrasings": [
                f"TODO translate the phrasing: {question}",
                f"TODO how a client would ask it: {excerpt}",
                f"TODO a short phrasing in the client's words ({module})",
            ],
            "answer": "TODO translate the answer above into English.",
        },
    }


def module_tag(module: str) -> str:
    """A tag from a module name: lowercase ASCII words joined by hyphens ("Folha/RH" -> "folha-rh")."""
    folded = unicodedata.normalize("NFKD", module).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "outros"


def render_yaml(entry: dict[str, Any], number: str) -> str:
    """The FAQ file text: a review checklist as comments, then ``entries: [entry]``."""
    header = (
        f"# Rascunho de FAQ gerado do chamado {number}. Antes de publicar:\n"
        "# - revise a pergunta e a resposta e remova nomes, dados e detalhes do cliente;\n"
        "# - troque os itens TODO por formas reais de perguntar (pt-BR) e traduza o bloco en;\n"
        "# - mova a entrada para um arquivo de knowledge_base/faq/, troque o id e marque draft: false;\n"
        "# - rode `chamado kb lint`.\n"
    )
    body = yaml.dump({"entries": [entry]}, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False,
                     width=100, default_flow_style=False)
    return header + body


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, so the answer reads like the analyst wrote it."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def _question(subject: str) -> str:
    return " ".join(subject.split())


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    return _clip(_SENTENCE_END.split(flat, maxsplit=1)[0], 160) if flat else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
