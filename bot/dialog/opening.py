"""The flow of opening a ticket: module, criticality, description, a named analyst if wanted, confirmation.

It starts from ``/abrir`` or from the FAQ's ticket offer. Each step's buttons
carry a fresh token, so a button of a step already passed is stale. The draft
lives in the conversation state until "Confirmar" opens the ticket with it
(and links the FAQ question it came from, if any).
"""

from __future__ import annotations

from typing import Any

from bot.dialog.buttons import ButtonAction, button, new_token
from bot.dialog.flow import Flow
from bot.dialog.turn import Buttons, Step, Turn, clip
from bot.messages import Button
from bot.texts import t
from core.model import Attachment, PlatformRef
from core.store.faq_log import link_ticket

flow = Flow("opening")

CRITICALITIES = ("BAIXA", "MEDIA", "ALTA", "CRITICA")
DRAFT_STEPS = (Step.MODULE, Step.CRITICALITY, Step.CONFIRM, Step.DESCRIBE, Step.PICK_ANALYST)


@flow.command("open")
def open_command(turn: Turn, arg: str) -> None:
    """Go straight to opening a ticket (the question, if given, becomes its subject)."""
    start_opening(turn, arg[:500])


def start_opening(turn: Turn, question: str, qid: Any = None) -> None:
    """Ask for the module, once the client may open tickets at all."""
    if turn.contact_id is None:
        turn.say(t("need_link", turn.locale))
        return
    turn.desk.check_may_open(turn.contact_id, uow=turn.uow)
    token = new_token()
    turn.state = {"step": Step.MODULE, "token": token,
                  "draft": {"question": question, "qid": qid, "attachments": []}}
    scope_hint = turn.dialog.scope_hint
    if scope_hint is not None and question:
        hint = scope_hint(question, turn.locale)
        if hint:
            turn.say(hint)
    modules = turn.desk.modules
    rows = [tuple(button(m, ButtonAction.PICK_MODULE, token, i) for i, m in enumerate(modules) if i // 2 == r)
            for r in range((len(modules) + 1) // 2)]
    turn.say(t("open.module", turn.locale), (*rows, (_cancel_button(turn, token),)))


@flow.button(ButtonAction.PICK_MODULE)
def pick_module(turn: Turn, token: str, index: str) -> None:
    if not turn.token_matches(token, Step.MODULE):
        return
    modules = turn.desk.modules
    if not index.isdigit() or int(index) >= len(modules):
        turn.stale()
        return
    module = modules[int(index)]
    turn.pressed = module
    new = new_token()
    turn.state = {**turn.state, "step": Step.CRITICALITY, "token": new,
                  "draft": {**turn.state["draft"], "module": module}}
    lines = [t("open.criticality", turn.locale)]
    for level in CRITICALITIES:
        line = t(f"criticality.{level}.help", turn.locale)
        if turn.contact_id is not None:
            target = turn.sla_hint(f"plan:{turn.contact_id}:{level}")
            if target:
                line = f"{line} {target}"
        lines.append(f"• {t(f'criticality.{level}', turn.locale)}: {line}")
    levels = [button(t(f"criticality.{level}", turn.locale), ButtonAction.PICK_CRITICALITY, new, level)
              for level in CRITICALITIES]
    turn.say("\n".join(lines), (tuple(levels[:2]), tuple(levels[2:]), (_cancel_button(turn, new),)))


@flow.button(ButtonAction.PICK_CRITICALITY)
def pick_criticality(turn: Turn, token: str, level: str) -> None:
    if not turn.token_matches(token, Step.CRITICALITY):
        return
    if level not in CRITICALITIES:
        turn.stale()
        return
    turn.pressed = t(f"criticality.{level}", turn.locale)
    turn.state = {**turn.state, "step": Step.DESCRIBE, "token": new_token(),
                  "draft": {**turn.state["draft"], "criticality": level}}
    question = turn.state["draft"].get("question")
    if question:
        turn.say(t("open.describe_with_question", turn.locale, question=clip(question, 300)))
    else:
        turn.say(t("open.describe", turn.locale))


@flow.step(Step.DESCRIBE)
def describe(turn: Turn, text: str) -> None:
    """The description, in as many messages as the client likes; attachments are collected too."""
    draft = dict(turn.state.get("draft", {}))
    attachments = list(draft.get("attachments", []))
    attachments.extend(a.to_dict() for a in turn.incoming.attachments)
    draft["attachments"] = attachments
    if text:
        previous = draft.get("description")
        draft["description"] = f"{previous}\n{text}" if previous else text
    turn.state = {**turn.state, "draft": draft}
    if not draft.get("description"):
        turn.say(t("open.got_attachment", turn.locale))
        return
    _confirm(turn)


def _confirm(turn: Turn) -> None:
    draft = turn.state["draft"]
    token = new_token()
    turn.state = {**turn.state, "step": Step.CONFIRM, "token": token}
    text = t("open.confirm", turn.locale, module=draft["module"],
             criticality=t(f"criticality.{draft['criticality']}", turn.locale),
             description=clip(_full_description(draft), 1500),
             attachments=len(draft.get("attachments", [])))
    if draft.get("analyst_name"):
        text = f"{text}\n{t('open.analyst', turn.locale, name=draft['analyst_name'])}"
    turn.say(text, ((button(t("btn.confirm", turn.locale), ButtonAction.CONFIRM_OPENING, token),
                     _cancel_button(turn, token)),
                    (button(t("btn.pick_analyst", turn.locale), ButtonAction.CHOOSE_ANALYST, token),)))


@flow.button(ButtonAction.CHOOSE_ANALYST)
def choose_analyst(turn: Turn, token: str) -> None:
    """The seeds allow directing a ticket to a specific analyst: list the module's specialists."""
    if not turn.token_matches(token, Step.CONFIRM):
        return
    module = turn.state["draft"]["module"]
    analysts = [a for a in turn.desk.list_analysts(uow=turn.uow) if a.active]
    analysts.sort(key=lambda a: (module not in a.specialties, a.level, a.name))
    new = new_token()
    turn.pressed = t("btn.pick_analyst", turn.locale)
    turn.state = {**turn.state, "step": Step.PICK_ANALYST, "token": new}
    rows: Buttons = tuple((button(f"{a.name} ({a.level})", ButtonAction.PICK_ANALYST, new, a.id),)
                          for a in analysts[:8])
    any_analyst = button(t("btn.any_analyst", turn.locale), ButtonAction.PICK_ANALYST, new, 0)
    turn.say(t("open.pick_analyst", turn.locale), (*rows, (any_analyst,)))


@flow.button(ButtonAction.PICK_ANALYST)
def pick_analyst(turn: Turn, token: str, analyst_id: str) -> None:
    if not turn.token_matches(token, Step.PICK_ANALYST):
        return
    if not analyst_id.isdigit():
        turn.stale()
        return
    chosen = next((a for a in turn.desk.list_analysts(uow=turn.uow)
                   if a.id == int(analyst_id) and a.active), None)
    draft = dict(turn.state["draft"])
    draft["analyst_id"] = chosen.id if chosen else None
    draft["analyst_name"] = chosen.name if chosen else None
    turn.pressed = chosen.name if chosen else t("btn.any_analyst", turn.locale)
    turn.state = {**turn.state, "draft": draft}
    _confirm(turn)


@flow.button(ButtonAction.CONFIRM_OPENING)
def confirm_opening(turn: Turn, token: str) -> None:
    if not turn.token_matches(token, Step.CONFIRM):
        return
    assert turn.contact_id is not None
    draft = turn.state["draft"]
    incoming = turn.incoming
    ref = PlatformRef(incoming.platform, incoming.chat_id,
                      f"open:{incoming.update_key or incoming.button_message_id or token}")
    ticket = turn.desk.open_ticket(
        contact_id=turn.contact_id, subject=_subject(str(draft.get("question") or draft.get("description") or "")),
        module=draft["module"], criticality=draft["criticality"], description=_full_description(draft),
        origin_platform=incoming.platform, origin_chat=incoming.chat_id,
        attachments=[Attachment(**a) for a in draft.get("attachments", [])], ref=ref,
        requested_analyst_id=draft.get("analyst_id"), uow=turn.uow)
    if draft.get("qid"):
        link_ticket(turn.uow.session, int(draft["qid"]), ticket.id)
    turn.pressed = t("btn.confirm", turn.locale)
    turn.state = {}
    lines = [t("open.done", turn.locale, number=ticket.number)]
    hint = turn.sla_hint(ticket.number)
    if hint:
        lines.append(hint)
    lines.append(t("open.next", turn.locale, number=ticket.number))
    link = turn.ticket_link(ticket.number)
    if link:
        lines.append(t("web.chat.ticket_link", turn.locale, url=link))
    away = turn.after_hours()
    if away:
        lines.append(away)
    turn.say("\n".join(lines))


@flow.button(ButtonAction.CANCEL_OPENING)
def cancel_opening(turn: Turn, token: str) -> None:
    if not turn.token_matches(token, *DRAFT_STEPS):
        return
    turn.pressed = t("btn.cancel", turn.locale)
    turn.state = {}
    turn.say(t("cancelled", turn.locale))


def _cancel_button(turn: Turn, token: str) -> Button:
    return button(t("btn.cancel", turn.locale), ButtonAction.CANCEL_OPENING, token)


def _full_description(draft: dict[str, Any]) -> str:
    """The question that led here and the description, without saying the question twice."""
    question = str(draft.get("question") or "").strip()
    description = str(draft.get("description") or "").strip()
    if question and question not in description:
        return f"{question}\n\n{description}"
    return description


def _subject(text: str) -> str:
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return clip(first, 80) or "Chamado"
