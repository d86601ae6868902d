"""The billing-approval flow: a SaaS client approves, or declines, billing hours whose cause was on their side.

The question comes from the outbox (an analyst logged client-cause hours);
any contact of the ticket's organization may answer it, once.
"""

from __future__ import annotations

from bot.dialog.buttons import ButtonAction, button
from bot.dialog.flow import Flow
from bot.dialog.turn import Buttons, Turn
from bot.texts import t
from core.errors import DomainError

flow = Flow("billing")


def approval_buttons(number: str, locale: str) -> Buttons:
    """"Aprovar" / "Recusar" under the approval request."""
    return ((button(t("btn.approve", locale), ButtonAction.APPROVE_BILLING, number),
             button(t("btn.decline", locale), ButtonAction.DECLINE_BILLING, number)),)


@flow.button(ButtonAction.APPROVE_BILLING)
def approve(turn: Turn, number: str) -> None:
    _decide(turn, number, approve=True)


@flow.button(ButtonAction.DECLINE_BILLING)
def decline(turn: Turn, number: str) -> None:
    _decide(turn, number, approve=False)


def _decide(turn: Turn, number: str, *, approve: bool) -> None:
    if turn.contact_id is None or turn.own_ticket(number) is None:
        turn.stale()
        return
    try:
        turn.desk.decide_approval(number, turn.contact_id, approve, uow=turn.uow)
    except DomainError:  # decided already, or nothing to decide: the button has done its work
        turn.stale()
        return
    turn.pressed = t("btn.approve" if approve else "btn.decline", turn.locale)
    turn.say(t("billing.approved" if approve else "billing.declined", turn.locale, number=number))
