"""The flow of following one's tickets: messages relayed to them, the solution accepted or not, reopening.

While a client has active tickets, a message goes to the one ticket, or the
client picks which (or makes it a new question). An analyst's answer comes with
"Resolvido" / "Ainda não"; a closed ticket can be reopened. ``/status`` shows
one ticket, ``/chamados`` lists them. Messages of clients without active
tickets go to the FAQ.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.dialog.buttons import ButtonAction, button, new_token
from bot.dialog.flow import Flow
from bot.dialog.rating import rating_buttons
from bot.dialog.self_service import ask_faq
from bot.dialog.turn import Buttons, Step, Turn, clip
from bot.texts import t
from core import model
from core.model import Actor, Attachment, PlatformRef, TicketStatus
from core.views import TicketView

flow = Flow("following")

# A FORWARDED ticket is still the client's: their messages go to it (and the analysts), not the FAQ.
ACTIVE = tuple(status.value for status in model.ACTIVE_STATUSES)


def resolution_buttons(number: str, locale: str) -> Buttons:
    """"Resolvido" / "Ainda não" under an analyst's answer."""
    return ((button(t("btn.solved", locale), ButtonAction.SOLVED, number),
             button(t("btn.not_yet", locale), ButtonAction.NOT_SOLVED, number)),)


@flow.step(Step.IDLE)
def on_message(turn: Turn, text: str) -> None:
    """A message outside any step: to the active ticket (asking which, if several), else to the FAQ."""
    attachments = turn.incoming.attachments
    if turn.contact_id is not None:
        active = _active_tickets(turn)
        if len(active) == 1:
            _relay(turn, active[0].number, text, attachments)
            return
        if len(active) > 1:
            _ask_which_ticket(turn, active, text, attachments)
            return
    if not text:
        turn.say(t("attachment_without_ticket", turn.locale))
        return
    ask_faq(turn, text)


@flow.step(Step.REPLY_TO)
def reply_to(turn: Turn, text: str) -> None:
    """After "Ainda não" or reopening: the next message goes to that ticket."""
    number = str(turn.state.get("number"))
    turn.state = {}
    _relay(turn, number, text, turn.incoming.attachments)


@flow.button(ButtonAction.PICK_TICKET)
def pick_ticket(turn: Turn, token: str, number: str) -> None:
    if not turn.token_matches(token, Step.PICK_TICKET):
        return
    pending = turn.state.get("pending", {})
    turn.pressed = number
    turn.state = {}
    incoming = turn.incoming
    ref = PlatformRef(incoming.platform, incoming.chat_id,
                      str(pending.get("message_id") or f"pick:{token}"))
    outcome = turn.desk.client_message(
        number, turn.contact_id or 0, str(pending.get("text", "")),
        attachments=[Attachment(**a) for a in pending.get("attachments", [])], ref=ref, uow=turn.uow)
    if not outcome.duplicate:
        turn.say(t("relay.sent", turn.locale, number=outcome.ticket.number))


@flow.button(ButtonAction.PICK_NEW_QUESTION)
def pick_new_question(turn: Turn, token: str) -> None:
    if not turn.token_matches(token, Step.PICK_TICKET):
        return
    pending = turn.state.get("pending", {})
    turn.pressed = t("btn.new_question", turn.locale)
    turn.state = {}
    text = str(pending.get("text", ""))
    if text:
        ask_faq(turn, text)
    else:
        turn.say(t("new_question", turn.locale))


@flow.button(ButtonAction.SOLVED)
def solved(turn: Turn, number: str) -> None:
    ticket = _decide(turn, number, TicketStatus.ANSWERED, turn.desk.accept_solution, "btn.solved")
    if ticket is not None:
        turn.state = {"step": Step.RATE, "number": ticket.number}
        turn.say(t("solved.closed", turn.locale, number=ticket.number),
                 rating_buttons(ticket.number, turn.locale))


@flow.button(ButtonAction.NOT_SOLVED)
def not_solved(turn: Turn, number: str) -> None:
    _decide_then_hear(turn, number, TicketStatus.ANSWERED, turn.desk.reject_solution, "btn.not_yet",
                      "solved.not_yet")


@flow.button(ButtonAction.REOPEN)
def reopen(turn: Turn, number: str) -> None:
    _decide_then_hear(turn, number, TicketStatus.CLOSED, turn.desk.reopen, "btn.reopen", "reopened")


@flow.command("tickets")
def list_tickets(turn: Turn, arg: str) -> None:
    if turn.contact_id is None:
        turn.say(t("need_link", turn.locale))
        return
    tickets = turn.desk.contact_tickets(turn.contact_id, limit=15, uow=turn.uow)
    if not tickets:
        turn.say(t("tickets.none", turn.locale))
        return
    lines = [t("tickets.header", turn.locale)]
    for ticket in tickets:
        lines.append(t("tickets.line", turn.locale, number=ticket.number,
                       status=model.status_label(ticket.status, turn.locale), subject=ticket.subject))
    lines.append(t("tickets.footer", turn.locale))
    turn.say("\n".join(lines))


@flow.command("status")
def status(turn: Turn, arg: str) -> None:
    """One ticket's card (the only active one when no number is given)."""
    if turn.contact_id is None:
        turn.say(t("need_link", turn.locale))
        return
    if not arg:
        active = _active_tickets(turn)
        if len(active) != 1:
            turn.say(t("status.usage", turn.locale))
            return
        arg = active[0].number
    ticket = turn.desk.get_ticket(arg, Actor.contact(turn.contact_id), uow=turn.uow)
    turn.say(_status_text(turn, ticket), _status_buttons(ticket, turn.locale))


@flow.command("panel")
def web_panel(turn: Turn, arg: str) -> None:
    """A one-time link to the web workspace, in the private chat (the chat identity is known)."""
    analyst_id = turn.identity.analyst_id if turn.identity else None
    if turn.contact_id is None and analyst_id is None:
        turn.say(t("need_link", turn.locale))
        return
    link = turn.web_sign_in("contact", turn.contact_id) if turn.contact_id is not None \
        else turn.web_sign_in("analyst", analyst_id) if analyst_id is not None else None
    turn.say(t("web.chat.sign_in_link", turn.locale, url=link) if link else t("web.chat.web_off", turn.locale))


def _status_text(turn: Turn, ticket: TicketView) -> str:
    locale = turn.locale
    lines = [t("status.card", locale, number=ticket.number, subject=ticket.subject,
               status=model.status_label(ticket.status, locale), module=ticket.module,
               criticality=t(f"criticality.{ticket.criticality}", locale),
               opened=ticket.created_at.strftime("%d/%m/%Y"))]
    if ticket.assignee_name:
        lines.append(t("status.assignee", locale, name=ticket.assignee_name))
    if ticket.forwarded_area:
        lines.append(t("status.forwarded", locale, area=ticket.forwarded_area))
    if ticket.status != TicketStatus.CLOSED:
        hint = turn.sla_hint(ticket.number)
        if hint:
            lines.append(hint)
    last = [m for m in ticket.messages if m.author_kind == "ANALYST"]
    if last:
        lines.append(t("status.last_answer", locale, body=clip(last[-1].body, 500)))
    lines.append(t(f"status.next.{ticket.status}", locale))
    link = turn.ticket_link(ticket.number)
    if link:
        lines.append(t("web.chat.ticket_link", locale, url=link))
    return "\n".join(lines)


def _status_buttons(ticket: TicketView, locale: str) -> Buttons:
    if ticket.status == TicketStatus.CLOSED:
        return ((button(t("btn.reopen", locale), ButtonAction.REOPEN, ticket.number),),)
    if ticket.status == TicketStatus.ANSWERED:
        return resolution_buttons(ticket.number, locale)
    return ()


def _decide(turn: Turn, number: str, expected: TicketStatus, decision: Callable[..., object],
            label_key: str) -> TicketView | None:
    """The client's decision on their ticket while it is ``expected``; otherwise the button is stale.

    ``decision`` is the use case (accept, reject, reopen), called with the number and the contact.
    """
    ticket = turn.own_ticket(number)
    if ticket is None or ticket.status != expected:
        turn.stale()
        return None
    assert turn.contact_id is not None  # own_ticket found it
    decision(ticket.number, turn.contact_id, uow=turn.uow)
    turn.pressed = t(label_key, turn.locale)
    return ticket


def _decide_then_hear(turn: Turn, number: str, expected: TicketStatus, decision: Callable[..., object],
                      label_key: str, text_key: str) -> None:
    """Not solved, or reopened: the client's next message goes to the ticket (what is still wrong)."""
    ticket = _decide(turn, number, expected, decision, label_key)
    if ticket is not None:
        turn.state = {"step": Step.REPLY_TO, "number": ticket.number}
        turn.say(t(text_key, turn.locale, number=ticket.number))


def _active_tickets(turn: Turn) -> list[TicketView]:
    assert turn.contact_id is not None
    return [tk for tk in turn.desk.contact_tickets(turn.contact_id, active_only=True, uow=turn.uow)
            if tk.status in ACTIVE]


def _relay(turn: Turn, number: str, text: str, attachments: tuple[Attachment, ...] = ()) -> None:
    assert turn.contact_id is not None
    incoming = turn.incoming
    ref = PlatformRef(incoming.platform, incoming.chat_id,
                      incoming.message_id or incoming.update_key or new_token())
    outcome = turn.desk.client_message(number, turn.contact_id, text, attachments=attachments, ref=ref,
                                       uow=turn.uow)
    # A repeat is acknowledged like the first time: an earlier delivery of this message was stored
    # but its acknowledgement never reached the client (a commit whose answer was lost).
    away = turn.after_hours()
    sent = t("relay.sent", turn.locale, number=outcome.ticket.number)
    turn.say(f"{sent}\n{away}" if away else sent)


def _ask_which_ticket(turn: Turn, active: list[TicketView], text: str,
                      attachments: tuple[Attachment, ...]) -> None:
    token = new_token()
    turn.state = {"step": Step.PICK_TICKET, "token": token,
                  "pending": {"text": text[:4000], "attachments": [a.to_dict() for a in attachments],
                              "message_id": turn.incoming.message_id}}
    rows = tuple((button(clip(f"{tk.number} · {tk.subject}", 60), ButtonAction.PICK_TICKET, token, tk.number),)
                 for tk in active[:6])
    new_question = button(t("btn.new_question", turn.locale), ButtonAction.PICK_NEW_QUESTION, token)
    turn.say(t("pick_ticket", turn.locale), (*rows, (new_question,)))
