"""Monthly reports for the support manager: billing, SLA compliance and the FAQ's gaps.

Each report is one read-only pass over the store that returns plain frozen
dataclasses; ``to_dict()`` gives the stable keys the CLI prints with
``--json`` (the CLI draws the tables). Months are calendar months on the
America/Sao_Paulo wall clock ("2026-03" runs from 03-01 00:00 to 04-01 00:00
local time). Each report reads on the caller's unit of work when given one
(``uow=``), otherwise on its own.

- ``core.reports.billing``: ``billing_report``, the monthly bill per organization and ticket;
- ``core.reports.sla``: ``sla_report``, first-response and resolution compliance per plan and criticality;
- ``core.reports.sla_snapshot``: ``sla_sweep_snapshot``, the SLA pass over every active ticket that a
  scheduler reuses to raise alerts;
- ``core.reports.faq``: ``kb_report``, how the FAQ served the clients, and ``faq_gaps``, what to write next;
- ``core.reports.dashboard``: ``dashboard_report``, the month's figures the manager's dashboard draws.

What they share: ``core.reports.sla_clocks`` (both SLA clocks of many tickets
in two queries), ``core.reports.prefix_calendar`` (``PrefixCalendar``, a
fast business calendar) and ``core.reports.common`` (time zone, rounding).
"""

from core.billing import BILLING_TZ
from core.reports.billing import CSV_COLUMNS, BillingReport, OrganizationBilling, TicketBilling, billing_report
from core.reports.dashboard import Dashboard, DayCount, dashboard_report, dashboard_tables
from core.reports.faq import AskedQuestion, FaqGap, KbReport, faq_gaps, kb_report
from core.reports.prefix_calendar import PrefixCalendar
from core.reports.sla import SlaBreach, SlaGroup, SlaReport, sla_report
from core.reports.sla_clocks import ALERT_BREACH, ALERT_WARNING, FIRST_RESPONSE, RESOLUTION
from core.reports.sla_snapshot import SlaAlertDue, SlaSnapshot, SlaSnapshotItem, sla_sweep_snapshot

__all__ = [
    "ALERT_BREACH",
    "ALERT_WARNING",
    "BILLING_TZ",
    "CSV_COLUMNS",
    "FIRST_RESPONSE",
    "RESOLUTION",
    "AskedQuestion",
    "BillingReport",
    "Dashboard",
    "DayCount",
    "FaqGap",
    "KbReport",
    "OrganizationBilling",
    "PrefixCalendar",
    "SlaAlertDue",
    "SlaBreach",
    "SlaGroup",
    "SlaReport",
    "SlaSnapshot",
    "SlaSnapshotItem",
    "TicketBilling",
    "billing_report",
    "dashboard_report",
    "dashboard_tables",
    "faq_gaps",
    "kb_report",
    "sla_report",
    "sla_sweep_snapshot",
]
