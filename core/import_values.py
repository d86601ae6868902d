"""Reading one cell of an imported spreadsheet: plans, billing modes, roles, yes/no, dates, hours.

Plain functions, no database. Values are case- and accent-insensitive and accept
pt-BR and English words as well as the stored codes (``Prata``, ``PRATA``,
``Avulso``, ``ON_DEMAND``, ``gerente de projeto``, ``sim``/``não``); a value
that cannot be read raises ``InvalidInput`` with an ``import.*`` message key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from core.errors import InvalidInput
from core.model import BillingMode, ContactRole, Plan


def fold(text: str) -> str:
    """Lowercase, no accents, runs of spaces, dashes, dots and underscores as one space."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[\s_\-./]+", " ", ascii_text).split())


PLANS = {"prata": Plan.PRATA, "silver": Plan.PRATA, "ouro": Plan.OURO, "gold": Plan.OURO, "vip": Plan.VIP}
MODES = {"avulso": BillingMode.ON_DEMAND, "on demand": BillingMode.ON_DEMAND, "sob demanda": BillingMode.ON_DEMAND,
         "contrato": BillingMode.CONTRACT, "contratante": BillingMode.CONTRACT, "contract": BillingMode.CONTRACT,
         "saas": BillingMode.SAAS}
ROLES = {"gerente de projeto": ContactRole.PROJECT_MANAGER, "gerente do projeto": ContactRole.PROJECT_MANAGER,
         "gerente": ContactRole.PROJECT_MANAGER, "gp": ContactRole.PROJECT_MANAGER,
         "project manager": ContactRole.PROJECT_MANAGER, "pm": ContactRole.PROJECT_MANAGER,
         "outro": ContactRole.OTHER, "outros": ContactRole.OTHER, "other": ContactRole.OTHER,
         "contato": ContactRole.OTHER, "usuario": ContactRole.OTHER, "user": ContactRole.OTHER}
YES = {"sim", "s", "yes", "y", "true", "verdadeiro", "1", "x"}
NO = {"nao", "n", "no", "false", "falso", "0"}


def _choice(value: str, options: Mapping[str, StrEnum], key: str) -> Any:
    folded = fold(value)
    for member in options.values():  # the stored codes too: PRATA, ON_DEMAND, PROJECT_MANAGER
        if folded == fold(member.value):
            return member
    if folded not in options:
        raise InvalidInput(key, value=value[:60])
    return options[folded]


def parse_plan(value: str) -> Plan:
    plan: Plan = _choice(value, PLANS, "import.bad_plan")
    return plan


def parse_billing_mode(value: str) -> BillingMode:
    if not value.strip():
        return BillingMode.ON_DEMAND
    mode: BillingMode = _choice(value, MODES, "import.bad_billing_mode")
    return mode


def parse_role(value: str) -> ContactRole:
    if not value.strip():
        return ContactRole.OTHER
    role: ContactRole = _choice(value, ROLES, "import.bad_role")
    return role


def parse_yes_no(value: str) -> bool | None:
    """``sim``/``não``/``yes``/``x``...; a blank cell is ``None`` (keep the default)."""
    folded = fold(value)
    if not folded:
        return None
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise InvalidInput("import.bad_yes_no", value=value[:60])


_BR_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_date(value: str) -> date | None:
    """dd/mm/aaaa (also with ``-`` or ``.``, or a time after it) or ISO aaaa-mm-dd; blank is ``None``."""
    text = value.strip()
    if not text:
        return None
    try:
        if match := _BR_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := _ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise InvalidInput("import.bad_date", value=text[:40])


def parse_hours(value: str) -> int | None:
    """Minutes from ``40``, ``40,5``, ``40h``, ``1h30``, ``1:30`` or ``45min``; blank is ``None``."""
    text = value.strip().lower().replace(" ", "")
    if not text:
        return None
    if match := re.fullmatch(r"(\d+)(?:[.,](\d+))?h?", text):
        return round(float(f"{match.group(1)}.{match.group(2) or 0}") * 60)
    if match := re.fullmatch(r"(\d+)min", text):
        return int(match.group(1))
    if match := re.fullmatch(r"(\d+)[h:](\d{1,2})(?:min)?", text):
        minutes = int(match.group(2))
        if minutes < 60:
            return int(match.group(1)) * 60 + minutes
    raise InvalidInput("import.bad_hours", value=value.strip()[:40])
