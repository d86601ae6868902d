"""The Telegram adapter's own texts (``bot/telegram/locales``), in pt-BR or English."""

from __future__ import annotations

from pathlib import Path

from bot.texts import t
from core.i18n import register_catalog_dir

register_catalog_dir(Path(__file__).parent / "locales")

__all__ = ["t"]
