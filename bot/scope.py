"""Out-of-scope advice: recognise, while a client opens a ticket, a demand support does not handle.

The seeds list demands outside support's scope (plugin homologation,
implementing features, training, customizations, prices, database work,
servers, printers and VPN, computer maintenance) and the areas that take
them. The FAQ has one entry per demand (tag ``fora-do-escopo``); the map from
entry to area comes from settings (``OUT_OF_SCOPE_AREAS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.texts import t
from knowledge_base.decision import Decision
from knowledge_base.loader import KnowledgeBase
from knowledge_base.matcher import Matcher

DEFAULT_AREAS: dict[str, str] = {
    "homologacao-plugin": "Desenvolvimento",
    "implantacao-funcionalidades": "Implantação",
    "treinamentos": "Customer Success",
    "customizacoes": "Desenvolvimento",
    "precos-produtos-servicos": "Comercial",
    "suporte-banco-dados": "Desenvolvimento",
    "intervencao-servidor": "TI da sua empresa (infraestrutura)",
    "impressoras-vpn": "TI da sua empresa (infraestrutura)",
    "manutencao-computadores": "TI da sua empresa (infraestrutura)",
}


class ScopeAdvisor:
    """Says when a question looks like an out-of-scope demand, and which area takes it."""

    def __init__(self, kb: KnowledgeBase, matcher_for: Callable[[str], Matcher],
                 areas: Mapping[str, str] | None = None) -> None:
        self.kb = kb
        self.matcher_for = matcher_for
        self.areas = dict(areas or DEFAULT_AREAS)

    def area_for(self, text: str, locale: str = "pt-BR") -> tuple[str, str] | None:
        """(entry question, area) when the text is about an out-of-scope demand."""
        result = self.matcher_for(locale).ask(text)
        if result.decision is Decision.NONE or not result.matches:
            return None
        best = result.matches[0]
        entry = self.kb.get(best.entry_id)
        if entry is None or "fora-do-escopo" not in entry.tags or best.entry_id not in self.areas:
            return None
        return best.question, self.areas[best.entry_id]

    def hint(self, text: str, locale: str = "pt-BR") -> str | None:
        found = self.area_for(text, locale)
        if found is None:
            return None
        question, area = found
        return t("scope.hint", locale, topic=question, area=area)
