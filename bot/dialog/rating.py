"""The rating flow: after a ticket closes, 1 to 5 stars and an optional comment (or skip it).

The stars come under the closing message (the client's "Resolvido" or the
analyst closing it); after a score, the next message is taken as its comment.
"""

from __future__ import annotations

from bot.dialog.buttons import ButtonAction, button
from bot.dialog.flow import Flow
from bot.dialog.turn import Buttons, Step, Turn
from bot.texts import t
from core.model import TicketStatus

flow = Flow("rating")


def rating_buttons(number: str, locale: str) -> Buttons:
    """Five stars and "Pular" under a closed ticket."""
    stars = tuple(button(str(score), ButtonAction.RATE, number, score) for score in range(1, 6))
    return (stars, (button(t("btn.skip", locale), ButtonAction.SKIP_RATING, number),))


@flow.button(ButtonAction.RATE)
def rate(turn: Turn, number: str, score: str) -> None:
    ticket = turn.own_ticket(number)
    if ticket is None or ticket.status != TicketStatus.CLOSED or not score.isdigit() \
            or ticket.satisfaction is not None:
        turn.stale()
        return
    assert turn.contact_id is not None  # own_ticket found it
    turn.desk.rate(ticket.number, turn.contact_id, int(score), uow=turn.uow)
    turn.pressed = "★" * int(score)
    turn.state = {"step": Step.RATE_COMMENT, "number": ticket.number, "score": int(score)}
    turn.say(t("rating.thanks", turn.locale))


@flow.button(ButtonAction.SKIP_RATING)
def skip_rating(turn: Turn, number: str) -> None:
    if turn.state.get("step") != Step.RATE or turn.state.get("number") != number:
        turn.stale()
        return
    turn.pressed = t("btn.skip", turn.locale)
    turn.state = {}
    turn.say(t("rating.skipped", turn.locale))


@flow.command("skip")
def skip_command(turn: Turn, arg: str) -> None:
    """``/pular``: skip the rating (the only step that can be skipped)."""
    if turn.state.get("step") in (Step.RATE, Step.RATE_COMMENT):
        turn.state = {}
        turn.say(t("rating.skipped", turn.locale))
        return
    turn.say(t("nothing_to_skip", turn.locale))


@flow.step(Step.RATE_COMMENT)
def rate_comment(turn: Turn, text: str) -> None:
    """The message after a score is its comment."""
    number = str(turn.state.get("number"))
    score = int(turn.state.get("score", 0))
    turn.state = {}
    if turn.contact_id is None or not text or not 1 <= score <= 5:
        return
    turn.desk.comment_rating(number, turn.contact_id, text, uow=turn.uow)  # no second notice
    turn.say(t("rating.comment_saved", turn.locale))
