"""The account flow: greeting (/start), help, linking the chat to a contact, language, /novo and /cancelar.

``/vincular CODIGO`` (or ``/start CODIGO`` from a deep link) redeems an invite
the support manager issued, linking this chat account to the contact; until
then the client gets FAQ answers only.
"""

from __future__ import annotations

from bot.dialog.flow import Flow
from bot.dialog.self_service import ask_faq
from bot.dialog.turn import Step, Turn
from bot.texts import t
from core.errors import NotAllowed
from core.linking import redeem_invite

flow = Flow("account")

LANGUAGES = {"pt", "pt-br", "en", "english", "portugues", "português"}


@flow.command("start")
def start(turn: Turn, arg: str) -> None:
    if arg:
        link(turn, arg)
        return
    turn.state = {}
    name = turn.incoming.display_name or ""
    if turn.identity and turn.identity.analyst_id:
        turn.say(t("start.analyst", turn.locale))
    elif turn.contact_id:
        turn.say(t("start.contact", turn.locale, name=name))
    else:
        turn.say(t("start.unknown", turn.locale, name=name))


@flow.command("help")
def help_command(turn: Turn, arg: str) -> None:
    turn.say(t("help", turn.locale))


@flow.command("new")
def new_question(turn: Turn, arg: str) -> None:
    """``/novo``: start over with a question (given here, or in the next message)."""
    if arg:
        turn.state = {}
        ask_faq(turn, arg)
        return
    turn.state = {"step": Step.NEW_QUESTION}
    turn.say(t("new_question", turn.locale))


@flow.command("cancel")
def cancel(turn: Turn, arg: str) -> None:
    had = turn.state.get("step", Step.IDLE) not in (Step.IDLE, Step.NEW_QUESTION)
    turn.state = {}
    turn.say(t("cancelled" if had else "nothing_to_cancel", turn.locale))


@flow.command("language")
def language(turn: Turn, arg: str) -> None:
    wanted = arg.strip().lower()
    if wanted not in LANGUAGES:
        turn.say(t("language.usage", turn.locale))
        return
    locale = "en" if wanted.startswith("en") else "pt-BR"
    turn.new_locale = locale
    turn.locale = locale
    turn.say(t("language.set", locale))


@flow.command("link")
def link(turn: Turn, arg: str) -> None:
    if not arg:
        turn.say(t("link.usage", turn.locale))
        return
    if turn.identity and turn.identity.analyst_id:
        turn.say(t("link.analyst", turn.locale))
        return
    incoming = turn.incoming
    contact = redeem_invite(turn.desk, arg, platform=incoming.platform, external_id=incoming.user_id,
                            display_name=incoming.display_name, locale=incoming.locale, uow=turn.uow)
    turn.identity = turn.desk.identity(incoming.platform, incoming.user_id, uow=turn.uow)
    turn.state = {}
    turn.say(t("link.done", turn.locale, name=contact.name, org=contact.organization_slug))
    try:
        turn.desk.check_may_open(contact.id, uow=turn.uow)
    except NotAllowed as exc:
        turn.say(t("link.cannot_open_yet", turn.locale, reason=exc.render(turn.locale)))
