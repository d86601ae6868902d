"""Ticket hooks: policies that react inside the use case's own transaction (SLA clocks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.store.orm import Ticket, TicketEvent


class TicketHook:
    """Extension point for policies that react inside the same transaction (SLA, routing)."""

    def ticket_opened(self, session: Session, ticket: Ticket, event: TicketEvent) -> None:
        """Called after a ticket row is created."""

    def status_changed(self, session: Session, ticket: Ticket, previous: str,
                       event: TicketEvent) -> None:
        """Called after a ticket's status changed."""

    def escalated(self, session: Session, ticket: Ticket, event: TicketEvent) -> None:
        """Called after a ticket moved from N1 to N2."""
