"""The knowledge base's error tree: one base class carrying a message key and its parameters.

    KnowledgeBaseError            (key, params) -- rendered by the edge (CLI line, chat message)
     +-- KnowledgeBaseLoadError   a YAML file is unreadable, off-schema, or repeats an entry id
     +-- EvalSetError             an eval file is unreadable or off-schema

The message keys are stable identifiers; the English ``str()`` is only a fallback for logs.
"""

from __future__ import annotations


class KnowledgeBaseError(Exception):
    """Base of every error raised by ``knowledge_base``."""

    key = "kb.error"

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.params: dict[str, str] = params


class KnowledgeBaseLoadError(KnowledgeBaseError):
    """The FAQ data cannot be loaded (bad YAML, schema violation, duplicate id)."""

    key = "kb.load_failed"


class EvalSetError(KnowledgeBaseError):
    """A labelled evaluation file cannot be loaded."""

    key = "kb.eval_set_invalid"
