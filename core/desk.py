"""The help desk: every use case over one database, as one object the edges hold.

``HelpDesk`` is built by the composition root with the database and the policy
knobs (reopen window, modules, where analysts work). Its methods come from the
use-case groups, one module each:

- ``core.directory``: organizations, contacts, analysts, chat identities;
- ``core.tickets.opening``: opening a ticket;
- ``core.tickets.client_side``: the client's messages, accepting, rejecting, reopening, rating;
- ``core.tickets.analyst_side``: replies, notes, claiming, escalating, closing, forwarding;
- ``core.tickets.reading``: tickets as an actor may see them, queues, events;
- ``core.tickets.hours``: hours logged, the SaaS client's approval, an organization's terms.

Every use case runs on the caller's unit of work when given one (``uow=``) and
otherwise on its own (see ``core.usecases``). Each loads what it needs, asks the
rules in ``core.model``, changes the rows, records the ticket event and the
outbox notifications in the same transaction, and returns a read model from
``core.views``. Domain errors pass through to the edges untouched.
"""

from __future__ import annotations

from core.directory import Directory
from core.tickets.analyst_side import AnalystActions
from core.tickets.client_side import ClientActions
from core.tickets.hours import HoursActions
from core.tickets.opening import Opening
from core.tickets.reading import TicketReading


class HelpDesk(Directory, Opening, ClientActions, AnalystActions, HoursActions, TicketReading):
    """The help desk's use cases over one database."""
