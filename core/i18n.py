"""Translated texts: gettext ``.po`` catalogs keyed by message id, per locale.

Catalogs live next to the code that owns the texts (``core/locales``,
``bot/locales``, ``bot/web/locales``): every ``<locale>/*.po`` file of each
folder (``messages.po``, or one file per area), read with Babel at first use.
pt-BR is the default and the fallback; parameters use ``str.format``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DEFAULT_LOCALE = "pt-BR"
SUPPORTED_LOCALES = ("pt-BR", "en")
_CATALOG_DIRS: list[Path] = [Path(__file__).parent / "locales"]


def register_catalog_dir(path: Path) -> None:
    """Add a folder of ``<locale>/*.po`` catalogs (used by ``bot/``)."""
    if path not in _CATALOG_DIRS:
        _CATALOG_DIRS.append(path)
        _messages.cache_clear()


def normalize_locale(value: str | None) -> str:
    """Map whatever a platform reports ("pt-br", "en_US", "en") to a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    lowered = value.replace("_", "-").lower()
    if lowered.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


@cache
def _messages(locale: str) -> dict[str, str]:
    folder = locale.replace("-", "_")
    merged: dict[str, str] = {}
    for base in _CATALOG_DIRS:
        for po in sorted((base / folder).glob("*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=folder)
            for message in catalog:
                if message.id and message.string:
                    merged[str(message.id)] = str(message.string)
    return merged


def translate(key: str, locale: str | None = None, /, **params: Any) -> str:
    """The text for ``key`` in ``locale`` (falling back to pt-BR, then the key)."""
    loc = normalize_locale(locale)
    template = _messages(loc).get(key) or _messages(DEFAULT_LOCALE).get(key) or key
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
