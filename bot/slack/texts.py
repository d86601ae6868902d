"""What the Slack adapter itself says (the rest comes from ``bot/locales`` and ``core/locales``).

Analysts work in pt-BR; the few client-facing lines also have English.
"""

from __future__ import annotations

from typing import Any

from bot.texts import normalize_locale

FORWARD_AREAS = ("Comercial", "Implantação", "Treinamento", "Desenvolvimento/Customização", "Infraestrutura")

_PT: dict[str, str] = {
    "not_analyst": "Só analistas cadastrados agem nos chamados por aqui; nada foi alterado. "
                   "Peça ao administrador: `chamado analysts link SEU_EMAIL --platform slack --user-id {user}`.",
    "btn.claim": "Assumir",
    "btn.escalate": "Escalar N2",
    "btn.forward": "Encaminhar para…",
    "btn.close": "Fechar",
    "confirm.close.title": "Fechar o chamado?",
    "confirm.close.text": "O cliente é avisado e pode reabrir em até 7 dias.",
    "confirm.yes": "Fechar",
    "confirm.no": "Voltar",
    "field.plan": "Plano",
    "field.area": "Encaminhado para",
    "field.description": "Descrição",
    "card.fallback": "Chamado {number}: {subject} ({status})",
    "card.closed": "Chamado fechado.",
    "attachments": "📎 Anexos: {names}",
    "attachment": "📎 {name}",
    "escalate.reason": "escalado pelo Slack",
    "escalate.done": "Chamado {number} escalado para N2. Para registrar o motivo, responda no fio com "
                     "`{note} motivo` ou use `/chamado escalar {number} motivo` da próxima vez.",
    "note.saved": "Nota interna registrada no chamado {number} (não vai ao cliente).",
    "relayed": "✓ enviado ao cliente",
    "mentions": "🔔 {mentions}: chamado para você.",
    "usage.hours": "Uso: `/chamado horas NUMERO 1.5 [cliente] [nota]` (\"cliente\": a causa é do cliente; "
                   "no SaaS, o cliente aprova a cobrança no chat).",
    "done.hours": "{hours} registradas no chamado {number}.",
    "queue.empty": "Fila vazia: nada seu nem sem responsável no seu nível ({level}).",
    "queue.header": "*Sua fila* (seus chamados e os sem responsável em {level}):",
    "queue.line": "• *{number}* · {status} · {level} · {criticality} · {org} · {assignee} — {subject}",
    "show.messages": "*Mensagens:*",
    "show.message": "• _{author}{internal}_: {body}",
    "show.internal": " (nota interna)",
    "done.claim": "Você assumiu o chamado {number}.",
    "done.escalate": "Chamado {number} escalado para N2.",
    "done.close": "Chamado {number} fechado.",
    "done.forward": "Chamado {number} encaminhado para {area}.",
    "usage.number": "Informe o número do chamado: `/chamado {command} NUMERO`.",
    "usage.escalate": "Uso: `/chamado escalar NUMERO motivo`.",
    "usage.forward": "Uso: `/chamado encaminhar NUMERO área` (ex.: {areas}).",
    "help": (
        "*Comandos do /chamado* (respostas só para você):\n"
        "• `/chamado fila`: seus chamados e os sem responsável no seu nível\n"
        "• `/chamado ver NUMERO`: detalhes e mensagens de um chamado\n"
        "• `/chamado assumir NUMERO` · `/chamado fechar NUMERO`\n"
        "• `/chamado escalar NUMERO motivo` · `/chamado encaminhar NUMERO área`\n"
        "• `/chamado horas NUMERO 1.5 [cliente] [nota]`: registrar horas trabalhadas\n"
        "No fio de um chamado: o que você escreve vai ao cliente{explicit}; comece com `{note}` para uma "
        "nota interna."
    ),
    "help.explicit": " só se começar com `{reply}`",
    "dm.elsewhere": "Respondi na nossa conversa direta (Apps › chamado).",
    "error": "Algo deu errado do nosso lado; nada foi alterado. Tente de novo em instantes.",
}

_EN: dict[str, str] = {
    "dm.elsewhere": "I answered in our direct conversation (Apps › chamado).",
    "error": "Something went wrong on our side; nothing was changed. Please try again shortly.",
}


def st(key: str, locale: str | None = "pt-BR", /, **params: Any) -> str:
    """A Slack adapter text (pt-BR unless an English version exists and is asked for)."""
    table = _EN if normalize_locale(locale) == "en" else _PT
    template = table.get(key) or _PT[key]
    return template.format(**params) if params else template
