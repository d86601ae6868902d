"""Level-0 FAQ knowledge base (YAML data) and the fuzzy matcher.

The dialog engine needs only::

    from knowledge_base import Decision, Matcher, load_knowledge_base

    matcher = Matcher(load_knowledge_base(), locale="pt-BR")  # build once, reuse
    result = matcher.ask(text)  # MatchResult(decision, matches)
"""

from knowledge_base.decision import Decision, Match, MatchResult, Thresholds
from knowledge_base.errors import EvalSetError, KnowledgeBaseError, KnowledgeBaseLoadError
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from knowledge_base.matcher import Matcher
from knowledge_base.schema import Entry, LocalizedEntry

__all__ = [
    "Decision",
    "Entry",
    "EvalSetError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeBaseLoadError",
    "LocalizedEntry",
    "Match",
    "MatchResult",
    "Matcher",
    "Thresholds",
    "load_knowledge_base",
]
