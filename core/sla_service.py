"""SLA in the running help desk: due times on tickets, hints for clients, the sweep.

``SlaService`` plugs into ``HelpDesk`` as a hook: at opening it stores the
first-response and resolution due times; on every status change it projects
the resolution due time again (``None`` while the clock is paused). The sweep
(run every minute by ``chamado serve``) warns the analysts once at 80% of a
target and once at breach, recording each in ``sla_alerts``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.business_calendar import BusinessCalendar
from core.desk import HelpDesk
from core.i18n import translate
from core.model import TicketStatus
from core.outbox import ANALYSTS, enqueue
from core.sla import DEFAULT_POLICY, SlaPolicy, SlaStatus, due_at_open, evaluate, format_duration
from core.store.db import UnitOfWork
from core.store.orm import Contact, SlaAlert, Ticket, TicketEvent
from core.tickets.hooks import TicketHook

log = logging.getLogger(__name__)


def _history(events: Sequence[TicketEvent], created_at: datetime) -> list[tuple[datetime, str]]:
    history: list[tuple[datetime, str]] = [(created_at, TicketStatus.OPEN.value)]
    for event in events:
        if event.to_status and event.kind != "opened":
            history.append((max(event.created_at, history[-1][0]), event.to_status))
    return history


class SlaService(TicketHook):
    """SLA clocks for the tickets of one help desk."""

    def __init__(self, desk: HelpDesk, policy: SlaPolicy = DEFAULT_POLICY,
                 calendar: BusinessCalendar | None = None) -> None:
        self.desk = desk
        self.policy = policy
        self.calendar = calendar or BusinessCalendar()
        desk.hooks.append(self)

    # --- hooks (inside the use case's transaction) -------------------------------

    def ticket_opened(self, session: Session, ticket: Ticket, event: TicketEvent) -> None:
        target = self.policy.target(ticket.organization.plan, ticket.criticality)
        ticket.first_response_due_at, ticket.resolution_due_at = due_at_open(ticket.created_at, target,
                                                                             self.calendar)

    def status_changed(self, session: Session, ticket: Ticket, previous: str, event: TicketEvent) -> None:
        session.flush()
        status = self._evaluate(ticket, list(ticket.events), self.desk.clock())
        ticket.resolution_due_at = status.resolution_due

    # --- reading ---------------------------------------------------------------

    def _evaluate(self, ticket: Ticket, events: Sequence[TicketEvent], now: datetime) -> SlaStatus:
        target = self.policy.target(ticket.organization.plan, ticket.criticality)
        closed = ticket.closed_at if ticket.status == TicketStatus.CLOSED else None
        return evaluate(_history(events, ticket.created_at), ticket.created_at, ticket.first_response_at,
                        closed, target, self.calendar, max(now, ticket.created_at), self.policy.warn_at)

    def status(self, number: str, *, uow: UnitOfWork | None = None) -> SlaStatus:
        with self.desk.work(uow) as work:
            ticket = work.session.scalar(select(Ticket).where(Ticket.number == number))
            if ticket is None:
                from core.errors import NotFound

                raise NotFound("ticket.not_found", number=number)
            return self._evaluate(ticket, list(ticket.events), self.desk.clock())

    def statuses(self, ticket_ids: Sequence[int], *, uow: UnitOfWork | None = None) -> dict[int, SlaStatus]:
        """Both clocks of these tickets now, in two queries (the queue page's countdowns and colors)."""
        from core.reports.sla_clocks import measure

        if not ticket_ids:
            return {}
        with self.desk.work(uow) as work:
            measured = measure(work.session, (Ticket.id.in_(list(ticket_ids)),), self.calendar, self.policy,
                               self.desk.clock())
        return {item.ticket_id: item.status for item in measured}

    def hint(self, key: str, locale: str, *, uow: UnitOfWork | None = None) -> str | None:
        """A line for the client: a ticket's next due time, or a plan's target for a criticality.

        ``key`` is a ticket number, or ``plan:<contact id>:<criticality>`` while opening.
        Given the chat turn's ``uow``, it sees the ticket that turn has just opened.
        """
        now = self.desk.clock()
        if key.startswith("plan:"):
            _, contact_id, criticality = key.split(":", 2)
            with self.desk.work(uow) as work:
                contact = work.session.get(Contact, int(contact_id))
                if contact is None:
                    return None
                target = self.policy.target(contact.organization.plan, criticality)
            return translate("sla.target_line", locale, first=format_duration(target.first_response),
                             resolution=format_duration(target.resolution))
        status = self.status(key, uow=uow)
        if status.first_response_due is not None and status.first_response_met is None:
            return translate("sla.first_response_due", locale,
                             when=self.calendar.format_local(status.first_response_due, now, locale))
        if status.resolution_due is not None:
            return translate("sla.resolution_due", locale,
                             when=self.calendar.format_local(status.resolution_due, now, locale))
        if status.resolution_met is None:
            return translate("sla.paused", locale)
        return None

    def after_hours(self, locale: str) -> str | None:
        """When the team is away now, a line saying when it is back."""
        now = self.desk.clock()
        if self.calendar.is_open(now):
            return None
        return translate("sla.after_hours", locale, when=self.calendar.describe_next_open(now, locale))

    # --- the sweep ------------------------------------------------------------------

    def sweep(self, now: datetime | None = None) -> int:
        """Warn once at 80% and once at breach of each target; returns how many alerts were raised.

        One pass over the active tickets (``core.reports.sla_sweep_snapshot``), then
        every due alert and its notifications in one transaction; the unique
        ``sla_alerts`` row makes a second worker's identical sweep a no-op.
        """
        from core.reports import sla_sweep_snapshot

        moment = now or self.desk.clock()
        snapshot = sla_sweep_snapshot(self.desk, moment, self.calendar, self.policy)
        if not snapshot.due:
            return 0
        statuses = {item.ticket_id: item.status for item in snapshot.items}
        with self.desk.db.session() as session:
            ids = sorted({d.ticket_id for d in snapshot.due})
            owners = {tid: (a or r) for tid, a, r in session.execute(
                select(Ticket.id, Ticket.assignee_id, Ticket.routed_to_id).where(Ticket.id.in_(ids)))}
            for due in snapshot.due:
                status = statuses[due.ticket_id]
                when = status.first_response_due if due.target == "first_response" else status.resolution_due
                session.add(SlaAlert(ticket_id=due.ticket_id, target=due.target, level=due.level, created_at=moment))
                owner = owners.get(due.ticket_id)
                for desk in self.desk.analyst_desks:
                    enqueue(session, key=f"sla:{due.ticket_id}:{due.target}:{due.level}:{desk}", platform=desk,
                            audience=ANALYSTS, kind="sla_alert", stream=f"{desk}:ticket:{due.ticket_id}",
                            ticket_id=due.ticket_id, now=moment,
                            payload={"number": due.number, "target": due.target, "level": due.level,
                                     "due": when.isoformat() if when else None,
                                     "mention_ids": [owner] if owner else []})
            try:
                session.commit()
            except IntegrityError:  # another worker recorded (some of) them first: next sweep catches up
                session.rollback()
                return 0
        for due in snapshot.due:
            log.warning("sla %s", due.level, extra={"ticket": due.number, "target": due.target})
        return len(snapshot.due)


def utcnow() -> datetime:
    return datetime.now(UTC)
