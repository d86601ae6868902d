"""The bot's own texts (``bot/locales``), rendered in pt-BR or English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.i18n import normalize_locale, register_catalog_dir, translate

register_catalog_dir(Path(__file__).parent / "locales")


def t(key: str, locale: str | None, /, **params: Any) -> str:
    return translate(key, normalize_locale(locale), **params)


__all__ = ["normalize_locale", "t"]
