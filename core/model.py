"""The help desk's domain: its vocabulary and its rules, in plain Python.

Nothing here knows about databases or chat platforms. The store maps rows to
the attributes the rules read (duck-typed through the small protocols below),
and the use cases in ``core/tickets/`` and ``core/directory.py`` call these rules before changing
anything. Glossary: ticket = chamado/ocorrência; OPEN = Aberta (waiting for
the analyst); ANSWERED = Respondida (waiting for the client); CLOSED =
Fechada; FORWARDED = Encaminhada (out of support's scope).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from core.errors import InvalidInput, InvalidTransition, NotAllowed


class Plan(StrEnum):
    """SLA plans from the seeds."""

    PRATA = "PRATA"
    OURO = "OURO"
    VIP = "VIP"


class BillingMode(StrEnum):
    """How support hours are charged: avulso, contratante or SaaS."""

    ON_DEMAND = "ON_DEMAND"
    CONTRACT = "CONTRACT"
    SAAS = "SAAS"


class ContactRole(StrEnum):
    PROJECT_MANAGER = "PROJECT_MANAGER"
    OTHER = "OTHER"


class Level(StrEnum):
    N1 = "N1"
    N2 = "N2"


class Criticality(StrEnum):
    BAIXA = "BAIXA"
    MEDIA = "MEDIA"
    ALTA = "ALTA"
    CRITICA = "CRITICA"


class TicketStatus(StrEnum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"
    FORWARDED = "FORWARDED"


class AuthorKind(StrEnum):
    CLIENT = "CLIENT"
    ANALYST = "ANALYST"
    SYSTEM = "SYSTEM"


class Visibility(StrEnum):
    PUBLIC = "PUBLIC"
    INTERNAL = "INTERNAL"


class ActorKind(StrEnum):
    CONTACT = "CONTACT"
    ANALYST = "ANALYST"
    SYSTEM = "SYSTEM"


DEFAULT_MODULES: tuple[str, ...] = (
    "Financeiro",
    "Fiscal",
    "Estoque",
    "Compras",
    "Vendas",
    "Produção",
    "Contabilidade",
    "Folha/RH",
    "CRM",
    "Segurança e acessos",
    "Outros",
)
DEFAULT_REOPEN_WINDOW = timedelta(days=7)
ACTIVE_STATUSES = frozenset({TicketStatus.OPEN, TicketStatus.ANSWERED, TicketStatus.FORWARDED})


# --- who may open tickets -------------------------------------------------


class OrganizationLike(Protocol):
    plan: str
    active: bool
    acceptance_signed_on: date | None


class ContactLike(Protocol):
    role: str
    active: bool
    ticket_designee: bool


def check_may_open_tickets(org: OrganizationLike, contact: ContactLike) -> None:
    """Raise ``NotAllowed`` with the reason when ``contact`` may not open tickets.

    Seeds: the implementation acceptance term must be signed; in Prata and Ouro
    only the project manager opens tickets; in VIP the project manager and one
    more contact the organization names (``ticket_designee``).
    """
    if not org.active:
        raise NotAllowed("access.organization_inactive")
    if not contact.active:
        raise NotAllowed("access.contact_inactive")
    if org.acceptance_signed_on is None:
        raise NotAllowed("access.no_acceptance_term")
    if contact.role == ContactRole.PROJECT_MANAGER:
        return
    if org.plan == Plan.VIP and contact.ticket_designee:
        return
    if org.plan == Plan.VIP:
        raise NotAllowed("access.vip_not_designated")
    raise NotAllowed("access.only_project_manager", plan=Plan(org.plan).name.capitalize())


def check_single_manager(role: str, other_managers: int) -> None:
    """An organization has one project manager: naming a second is refused. To change who it
    is, hand the role over (``HelpDesk.hand_over_manager``): the old one becomes OTHER."""
    if role == ContactRole.PROJECT_MANAGER and other_managers >= 1:
        raise NotAllowed("contact.manager_taken")


def check_rating(status: str, already_rated: bool) -> None:
    """A closed ticket is rated once per closing (reopened and closed again: once more)."""
    if status != TicketStatus.CLOSED:
        raise InvalidTransition("rating.not_closed")
    if already_rated:
        raise InvalidTransition("rating.already_rated")


def check_designation(plan: str, role: str, other_designees: int) -> None:
    """A VIP organization names at most one contact besides its project manager."""
    if role == ContactRole.PROJECT_MANAGER:
        raise InvalidInput("access.designee_is_manager")
    if plan != Plan.VIP:
        raise NotAllowed("access.designee_needs_vip")
    if other_designees >= 1:
        raise NotAllowed("access.designee_taken")


# --- the ticket state machine ---------------------------------------------


class TicketLike(Protocol):
    number: str
    status: str
    level: str
    assignee_id: int | None
    closed_at: datetime | None


class Action(StrEnum):
    """Everything that can happen to a ticket's status."""

    CLIENT_MESSAGE = "client_message"
    ANALYST_REPLY = "analyst_reply"
    ACCEPT = "accept"
    REJECT = "reject"
    REOPEN = "reopen"
    CLOSE = "close"
    FORWARD = "forward"


_S = TicketStatus
_TRANSITIONS: dict[tuple[Action, TicketStatus], TicketStatus] = {
    (Action.CLIENT_MESSAGE, _S.OPEN): _S.OPEN,
    (Action.CLIENT_MESSAGE, _S.ANSWERED): _S.OPEN,
    (Action.CLIENT_MESSAGE, _S.FORWARDED): _S.FORWARDED,
    (Action.ANALYST_REPLY, _S.OPEN): _S.ANSWERED,
    (Action.ANALYST_REPLY, _S.ANSWERED): _S.ANSWERED,
    (Action.ANALYST_REPLY, _S.FORWARDED): _S.FORWARDED,
    (Action.ACCEPT, _S.ANSWERED): _S.CLOSED,
    (Action.ACCEPT, _S.OPEN): _S.CLOSED,
    (Action.ACCEPT, _S.FORWARDED): _S.CLOSED,
    (Action.REJECT, _S.ANSWERED): _S.OPEN,
    (Action.REOPEN, _S.CLOSED): _S.OPEN,
    (Action.CLOSE, _S.OPEN): _S.CLOSED,
    (Action.CLOSE, _S.ANSWERED): _S.CLOSED,
    (Action.CLOSE, _S.FORWARDED): _S.CLOSED,
    (Action.FORWARD, _S.OPEN): _S.FORWARDED,
    (Action.FORWARD, _S.ANSWERED): _S.FORWARDED,
}


def next_status(ticket: TicketLike, action: Action) -> TicketStatus:
    """The status ``action`` leads to, or ``InvalidTransition`` with a reason."""
    current = TicketStatus(ticket.status)
    target = _TRANSITIONS.get((action, current))
    if target is None:
        key = "ticket.closed" if current == _S.CLOSED else f"ticket.cannot_{action.value}"
        raise InvalidTransition(key, number=ticket.number, status=status_label(current))
    return target


def check_reopen(
    ticket: TicketLike, now: datetime, window: timedelta = DEFAULT_REOPEN_WINDOW
) -> TicketStatus:
    """CLOSED reopens to OPEN only within ``window`` after closing."""
    target = next_status(ticket, Action.REOPEN)
    if ticket.closed_at is not None and now - ticket.closed_at > window:
        raise InvalidTransition(
            "ticket.reopen_window_expired", number=ticket.number, days=window.days
        )
    return target


def check_claim(ticket: TicketLike, analyst_id: int) -> bool:
    """True when the claim changes something; refuses closed or taken tickets."""
    if ticket.status == _S.CLOSED:
        raise InvalidTransition("ticket.closed", number=ticket.number, status=status_label(_S.CLOSED))
    if ticket.assignee_id is None:
        return True
    if ticket.assignee_id == analyst_id:
        return False
    from core.errors import Conflict

    raise Conflict("ticket.already_claimed", number=ticket.number)


def check_escalate(ticket: TicketLike) -> Level:
    """N1 -> N2; a ticket already at N2 or closed cannot be escalated."""
    if ticket.status == _S.CLOSED:
        raise InvalidTransition("ticket.closed", number=ticket.number, status=status_label(_S.CLOSED))
    if ticket.level == Level.N2:
        raise InvalidTransition("ticket.already_n2", number=ticket.number)
    return Level.N2


STATUS_LABEL_KEYS = {
    _S.OPEN: "status.OPEN",
    _S.ANSWERED: "status.ANSWERED",
    _S.CLOSED: "status.CLOSED",
    _S.FORWARDED: "status.FORWARDED",
}


def status_label(status: str, locale: str = "pt-BR") -> str:
    from core.i18n import translate

    return translate(f"status.{TicketStatus(status).value}", locale)


# --- values typed by people -----------------------------------------------

_NUMBER_RE = re.compile(r"^#?\s*(\d{4})\s*[-/.]?\s*(\d{1,6})$")


def format_ticket_number(year: int, sequence: int) -> str:
    """Ticket numbers are ``YYYY-NNNNNN``: the year and a per-year sequence."""
    return f"{year:04d}-{sequence:06d}"


def parse_ticket_number(text: str) -> str:
    """Accept what a client types ("#2026-123", "2026-000123", "2026/123")."""
    match = _NUMBER_RE.match(text.strip())
    if not match:
        raise InvalidInput("ticket.bad_number", value=text.strip()[:40])
    return format_ticket_number(int(match.group(1)), int(match.group(2)))


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, key: str) -> E:
    """An enum member from user input, case- and accent-insensitive."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", value.strip()).encode("ascii", "ignore").decode()
    candidate = folded.upper().replace("-", "_").replace(" ", "_")
    try:
        return enum(candidate)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InvalidInput(key, value=value, allowed=allowed) from None


def match_module(value: str, modules: tuple[str, ...] | list[str]) -> str:
    """The configured module named by ``value`` (case- and accent-insensitive)."""
    import unicodedata

    def fold(text: str) -> str:
        return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()

    wanted = fold(value.strip())
    for module in modules:
        if fold(module) == wanted:
            return module
    raise InvalidInput("ticket.bad_module", value=value, allowed=", ".join(modules))


MAX_BODY_CHARS = 20_000


def clean_body(text: str) -> str:
    """Message bodies: stripped, non-empty, bounded (longer text is refused)."""
    body = text.replace("\x00", "").strip()
    if not body:
        raise InvalidInput("message.empty")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput("message.too_long", limit=MAX_BODY_CHARS)
    return body


@dataclass(frozen=True)
class Attachment:
    """Metadata of a file sent through a platform (the file stays there)."""

    kind: str
    file_id: str
    name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    platform: str | None = None

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "platform": self.platform,
            "kind": self.kind,
            "file_id": self.file_id,
            "name": self.name,
            "mime_type": self.mime_type,
            "size": self.size,
        }


@dataclass(frozen=True)
class PlatformRef:
    """Where a message came from, to store it once however often it is delivered."""

    platform: str
    chat: str
    message_id: str


@dataclass(frozen=True)
class Actor:
    """Who is acting: a contact, an analyst or the system/administrator."""

    kind: ActorKind
    id: int | None = None

    @classmethod
    def contact(cls, contact_id: int) -> Actor:
        return cls(ActorKind.CONTACT, contact_id)

    @classmethod
    def analyst(cls, analyst_id: int) -> Actor:
        return cls(ActorKind.ANALYST, analyst_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, None)
