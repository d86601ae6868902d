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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

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

    Refuses a ticket that is not CLOSED (``kb.draft_not_closed``), one the client did
    not close by accepting an answer (``kb.draft_not_accepted``) and one the analysts
    never answered in public before that (``kb.draft_no_answer``).
    """
    normalized = model.parse_ticket_number(number)
    with desk.db.session() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == normalized))
        if ticket is None:
            raise NotFound("ticket.not_found", number=normalized)
        if ticket.status != TicketStatus.CLOSED:
            raise InvalidTransition("kb.draft_not_closed", number=ticket.number,
                                    status=model.status_label(ticket.status))
        answer = accepted_answer(session, ticket)
        entry = draft_entry(ticket.number, ticket.subject, ticket.description, ticket.module, answer.body)
    return render_yaml(entry, ticket.number)


def accepted_answer(session: Session, ticket: Ticket) -> Message:
    """The answer the client accepted: the last public analyst reply (with text) before the
    event that closed the ticket, when that event is the client's acceptance (``accepted``).

    Refuses a ticket closed by an analyst or the system (``kb.draft_not_accepted``) and one
    accepted with no public answer before it (``kb.draft_no_answer``). Events are ordered by
    id, so replies after a reopening never count for an earlier acceptance.
    """
    closing = session.scalar(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                  TicketEvent.to_status == TicketStatus.CLOSED.value)
        .order_by(TicketEvent.id.desc()).limit(1))
    if closing is None or closing.kind != "accepted":
        raise InvalidTransition("kb.draft_not_accepted", number=ticket.number)
    replies = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "analyst_reply",
                                  TicketEvent.id < closing.id)
        .order_by(TicketEvent.id.desc()))
    for reply in replies:
        message = session.get(Message, (reply.detail or {}).get("message_id"))
        if message is not None and message.visibility == Visibility.PUBLIC.value \
                and message.author_kind == AuthorKind.ANALYST.value and message.body.strip():
            return message
    raise InvalidTransition("kb.draft_no_answer", number=ticket.number)


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


def draft_from_gap(example: str, variants: Sequence[str], count: int, module: str = "Outros") -> str:
    """The YAML text of a draft FAQ entry for a group of questions the FAQ did not answer well (pure).

    The group's most asked text is the question and its variants the first
    phrasings; the answer is left for the reviewer to write.
    """
    question = _question(example)
    slug = module_tag(question)[:60].strip("-") or "pergunta"
    entry = draft_entry(slug, question, question, module, "TODO escreva a resposta que a equipe daria.")
    del entry["source_ticket"]
    entry["tags"] = ["draft", "lacuna", module_tag(module)]
    texts = list(dict.fromkeys([question, *(_question(v) for v in variants)]))
    entry["pt-BR"]["phrasings"] = [*texts, *entry["pt-BR"]["phrasings"][len(texts):]]
    times = "1 vez" if count == 1 else f"{count} vezes"
    return render_yaml(entry, slug, heading=f"# Rascunho de FAQ para uma pergunta feita {times} sem resposta útil. "
                                            "Antes de publicar:\n")


def render_yaml(entry: dict[str, Any], number: str, *, heading: str | None = None) -> str:
    """The FAQ file text: a review checklist as comments, then ``entries: [entry]``."""
    header = (
        (heading or f"# Rascunho de FAQ gerado do chamado {number}. Antes de publicar:\n") +
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
