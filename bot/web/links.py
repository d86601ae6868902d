"""Links into the web workspace for the chat and the e-mail copies: a ticket's page, a sign-in link.

Built by the composition root when the web is on and handed to the dialog
(``ticket_link``, ``web_sign_in``), the analysts' commands (``/painel``) and
the e-mail deliverer. Nothing here needs the secret key: a sign-in link's
token is random and its hash is stored (``core.web_sign_in``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.config import WebConfig
from core.desk import HelpDesk
from core.store.db import UnitOfWork
from core.web_sign_in import PersonKind, issue_sign_in_for


@dataclass(frozen=True)
class WebLinks:
    desk: HelpDesk
    config: WebConfig

    def ticket(self, number: str) -> str:
        """The client's page of the ticket (asks to sign in first when there is no session)."""
        return self.config.client_ticket_link(number)

    def sign_in(self, kind: str, person_id: int, *, uow: UnitOfWork | None = None) -> str:
        """A new one-time sign-in link for this analyst or contact."""
        person_kind: PersonKind = "analyst" if kind == "analyst" else "contact"
        issued = issue_sign_in_for(self.desk, person_kind, person_id, minutes=self.config.sign_in_minutes, uow=uow)
        return self.config.sign_in_link(issued.token)
