"""Locale tags the knowledge base serves, and how loose user input maps onto them."""

from __future__ import annotations

from typing import Literal

Locale = Literal["pt-BR", "en"]

DEFAULT_LOCALE: Locale = "pt-BR"
SUPPORTED_LOCALES: tuple[Locale, ...] = ("pt-BR", "en")


def normalize_locale(tag: str | None) -> Locale:
    """Map "pt", "pt_BR", "pt-br", "en-US", "EN_gb" ... onto a supported locale.

    Anything unknown (or empty) falls back to pt-BR, the knowledge base's first language.
    """
    if not tag:
        return DEFAULT_LOCALE
    language = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    if language == "en":
        return "en"
    return DEFAULT_LOCALE
