"""The SLA sweep's snapshot: every active ticket's clocks, and the alerts not raised yet.

``sla_sweep_snapshot`` measures the active tickets and reads the alerts
already recorded, in three queries; ``alerts_due`` is the plain rule that
picks the warnings and breaches still to raise. A scheduler
(``core.sla_service``) records and announces them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.business_calendar import BusinessCalendar
from core.model import ACTIVE_STATUSES
from core.reports.sla_clocks import ALERT_BREACH, ALERT_WARNING, FIRST_RESPONSE, RESOLUTION, MeasuredTicket, measure
from core.sla import DEFAULT_POLICY, SlaPolicy
from core.store.db import UnitOfWork
from core.store.orm import SlaAlert, Ticket

if TYPE_CHECKING:
    from core.desk import HelpDesk

SlaSnapshotItem = MeasuredTicket
"""One active ticket's clocks at the sweep."""


@dataclass(frozen=True)
class SlaAlertDue:
    """A warning or breach the sweep found that no ``SlaAlert`` records yet."""

    ticket_id: int
    number: str
    target: str
    level: str


@dataclass(frozen=True)
class SlaSnapshot:
    """Every active ticket's SLA status at ``now``, and the alerts still to raise."""

    now: datetime
    items: tuple[SlaSnapshotItem, ...] = ()
    due: tuple[SlaAlertDue, ...] = ()

    @property
    def breached(self) -> int:
        return sum(1 for i in self.items if i.status.first_response_breached or i.status.resolution_breached)

    @property
    def warned(self) -> int:
        return sum(1 for i in self.items if i.status.first_response_warn or i.status.resolution_warn)


def sla_sweep_snapshot(desk: HelpDesk, now: datetime | None = None, calendar: BusinessCalendar | None = None,
                       policy: SlaPolicy | None = None, *, uow: UnitOfWork | None = None) -> SlaSnapshot:
    """Both SLA clocks of every active ticket (OPEN, ANSWERED, FORWARDED) at ``now``, in three queries.

    ``due`` lists the warnings (``warn_at`` of the target used) and breaches
    that no ``SlaAlert`` row records yet, for a scheduler to record and
    announce in one transaction. A first-response clock that has stopped
    (the analysts answered) raises nothing new.
    """
    now = now or desk.clock()
    calendar = calendar or BusinessCalendar()
    policy = policy or DEFAULT_POLICY
    active = (Ticket.status.in_([s.value for s in ACTIVE_STATUSES]),)
    with desk.work(uow) as uow:
        session = uow.session
        measured = measure(session, active, calendar, policy, now)
        recorded = {
            (ticket_id, target, level) for ticket_id, target, level in session.execute(
                select(SlaAlert.ticket_id, SlaAlert.target, SlaAlert.level)
                .join(Ticket, Ticket.id == SlaAlert.ticket_id).where(*active))
        }
    items = tuple(measured)
    return SlaSnapshot(now, items, alerts_due(items, recorded))


def alerts_due(items: Sequence[SlaSnapshotItem],
               recorded: Collection[tuple[int, str, str]]) -> tuple[SlaAlertDue, ...]:
    """The alerts of ``items`` that ``recorded`` (ticket id, target, level) lacks, on running clocks only.

    A breached clock is due its breach alert; a warned, not yet breached one
    its warning.
    """
    due = []
    for item in items:
        s = item.status
        first_running = s.first_response_met is None
        for target, warn, breached, running in (
            (FIRST_RESPONSE, s.first_response_warn, s.first_response_breached, first_running),
            (RESOLUTION, s.resolution_warn, s.resolution_breached, s.resolution_running),
        ):
            if not running:
                continue
            if breached and (item.ticket_id, target, ALERT_BREACH) not in recorded:
                due.append(SlaAlertDue(item.ticket_id, item.number, target, ALERT_BREACH))
            elif warn and not breached and (item.ticket_id, target, ALERT_WARNING) not in recorded:
                due.append(SlaAlertDue(item.ticket_id, item.number, target, ALERT_WARNING))
    return tuple(due)
