"""How a ticket's SLA clock reads on a page: a countdown and its color (80% warning, breach).

Plain functions over ``core.sla.SlaStatus`` (business time, as the SLA counts it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.i18n import translate
from core.sla import SlaStatus, format_duration


@dataclass(frozen=True)
class Countdown:
    text: str
    css: str  # sla-ok | sla-warn | sla-breach | sla-paused
    due: datetime | None


def countdown(status: SlaStatus | None, locale: str) -> Countdown:
    """The clock that matters now: the first response while none was given, else the resolution."""
    if status is None:
        return Countdown("—", "sla-paused", None)
    if status.first_response_met is None and status.first_response_due is not None:
        return _clock("first", status.first_response_target, status.first_response_elapsed,
                      status.first_response_breached, status.first_response_warn, status.first_response_due, locale)
    if status.resolution_met is not None:
        key = "web.sla.met" if status.resolution_met else "web.sla.missed"
        return Countdown(translate(key, locale), "sla-ok" if status.resolution_met else "sla-breach", None)
    if not status.resolution_running or status.resolution_due is None:
        return Countdown(translate("web.sla.paused", locale), "sla-paused", None)
    return _clock("resolution", status.resolution_target, status.resolution_elapsed, status.resolution_breached,
                  status.resolution_warn, status.resolution_due, locale)


def _clock(which: str, target: timedelta, elapsed: timedelta, breached: bool, warn: bool, due: datetime,
           locale: str) -> Countdown:
    if breached:
        return Countdown(translate(f"web.sla.{which}_late", locale, time=format_duration(elapsed - target)),
                         "sla-breach", due)
    return Countdown(translate(f"web.sla.{which}_left", locale, time=format_duration(target - elapsed)),
                     "sla-warn" if warn else "sla-ok", due)


def age(since: datetime, now: datetime) -> str:
    """How long ago, for people: "45m", "3h10m", "2d 4h"."""
    delta = max(now - since, timedelta(0))
    if delta >= timedelta(days=1):
        return f"{delta.days}d {delta.seconds // 3600}h"
    return format_duration(delta)
