"""The self-service flow: a question to the FAQ, its answer or suggestions, the feedback, a ticket offer.

Greetings and thanks are answered in kind. Any other question is logged
(``core.store.faq_log``) and put to the matcher: a confident answer comes with
"Isso resolveu?" and, when the FAQ knows related entries close behind, a "Veja
também: ..." button for each; one entry well ahead but with a low score is
confirmed first ("Você quer saber sobre: ...?" Sim / Não; the decision is logged
as "confirm"); near matches come as up to three suggestions, and no match (or
"Não", or "Nenhuma dessas") with the offer to open a ticket, for clients who
may open one.
"""

from __future__ import annotations

import unicodedata

from bot.dialog.buttons import ButtonAction, button, new_token
from bot.dialog.flow import Flow
from bot.dialog.opening import start_opening
from bot.dialog.turn import Buttons, Step, Turn, clip
from bot.texts import t
from core.errors import NotAllowed
from core.store import faq_log
from core.store.faq_log import LoggedQuestion
from knowledge_base.decision import Decision, MatchResult

flow = Flow("self_service")

GREETINGS = {
    "oi", "ola", "bom dia", "boa tarde", "boa noite", "hello", "hi", "hey", "e ai", "opa",
    "good morning", "good afternoon", "good evening", "tudo bem", "oi tudo bem", "ola tudo bem",
}
THANKS = {"obrigado", "obrigada", "valeu", "obg", "vlw", "thanks", "thank you", "brigado", "ok obrigado"}


def fold(text: str) -> str:
    """Lowercase ASCII words only: "Olá, tudo bem?" -> "ola tudo bem"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def ask_faq(turn: Turn, text: str) -> None:
    """Answer a question from the FAQ, suggest topics, or offer a ticket."""
    folded = fold(text)
    if folded in GREETINGS:
        turn.say(t("greeting", turn.locale, name=turn.incoming.display_name or ""))
        return
    if folded in THANKS:
        turn.say(t("thanks", turn.locale))
        return
    result = turn.dialog.matcher(turn.locale).ask(text[:2000])
    # The entries shown are logged as "suggested": an answer's "see also" entries follow it there.
    shown = MatchResult(result.decision, [*result.matches, *result.see_also])
    qid = faq_log.record_question(
        turn.uow.session, platform=turn.incoming.platform, user_id=turn.incoming.user_id,
        contact_id=turn.contact_id, locale=turn.locale, text=text[:2000], result=shown,
        now=turn.desk.clock())
    turn.state = {"step": Step.FAQ, "qid": qid, "question": text[:500]}
    if result.decision is Decision.ANSWER and result.best:
        see_also = tuple((button(clip(t("btn.see_also", turn.locale, question=m.question), 60),
                                 ButtonAction.FAQ_SEE_ALSO, qid, i),)
                         for i, m in enumerate(result.see_also, start=1))
        turn.say(t("faq.answer", turn.locale, answer=result.best.answer.strip()),
                 (*_did_it_help(turn, qid), *see_also))
    elif result.decision is Decision.CONFIRM and result.best:
        turn.say(t("faq.confirm", turn.locale, question=result.best.question.rstrip("?")),
                 ((button(t("btn.yes", turn.locale), ButtonAction.FAQ_CONFIRM_YES, qid),
                   button(t("btn.no", turn.locale), ButtonAction.FAQ_CONFIRM_NO, qid)),))
    elif result.decision is Decision.SUGGEST:
        rows = tuple((button(clip(m.question, 60), ButtonAction.FAQ_PICK_SUGGESTION, qid, i),)
                     for i, m in enumerate(result.matches))
        none_fit = button(t("btn.none_of_these", turn.locale), ButtonAction.FAQ_NONE_FIT, qid)
        turn.say(t("faq.suggest", turn.locale), (*rows, (none_fit,)))
    else:
        turn.say(t("faq.none", turn.locale))
        _offer_ticket(turn)


@flow.button(ButtonAction.FAQ_HELPED)
def faq_helped(turn: Turn, qid: str) -> None:
    question = _unanswered(turn, qid)
    if question is None:
        return
    faq_log.record_feedback(turn.uow.session, question.id, faq_log.HELPFUL)
    turn.pressed = t("btn.yes", turn.locale)
    turn.state = {}
    turn.say(t("faq.glad", turn.locale))


@flow.button(ButtonAction.FAQ_DID_NOT_HELP)
def faq_did_not_help(turn: Turn, qid: str) -> None:
    _faq_missed(turn, qid, faq_log.UNHELPFUL, "btn.no")


@flow.button(ButtonAction.FAQ_NONE_FIT)
def faq_none_fit(turn: Turn, qid: str) -> None:
    _faq_missed(turn, qid, faq_log.NONE_FIT, "btn.none_of_these")


@flow.button(ButtonAction.FAQ_PICK_SUGGESTION)
def faq_pick_suggestion(turn: Turn, qid: str, index: str) -> None:
    question = _unanswered(turn, qid)
    if question is None:
        return
    if not index.isdigit() or int(index) >= len(question.suggested):
        turn.stale()
        return
    entry = turn.dialog.kb.get(question.suggested[int(index)])
    if entry is None:
        turn.stale()
        return
    text = entry.localized(turn.locale)
    # Record the entry shown; the feedback comes when the client answers "Isso resolveu?".
    faq_log.record_shown_entry(turn.uow.session, question.id, entry.id)
    turn.pressed = clip(text.question, 60)
    turn.state = {"step": Step.FAQ, "qid": question.id, "question": question.text[:500]}
    turn.say(t("faq.answer", turn.locale, answer=text.answer.strip()), _did_it_help(turn, question.id))


@flow.button(ButtonAction.FAQ_CONFIRM_YES)
def faq_confirm_yes(turn: Turn, qid: str) -> None:
    """Sim to "Você quer saber sobre ...?": the answer, then "Isso resolveu?" as for any answer."""
    question = _unanswered(turn, qid)
    if question is None:
        return
    _show_entry(turn, question, 0, t("btn.yes", turn.locale))


@flow.button(ButtonAction.FAQ_CONFIRM_NO)
def faq_confirm_no(turn: Turn, qid: str) -> None:
    """Não to "Você quer saber sobre ...?": the entry did not fit (logged as none_fit); offer a ticket."""
    _faq_missed(turn, qid, faq_log.NONE_FIT, "btn.no")


@flow.button(ButtonAction.FAQ_SEE_ALSO)
def faq_see_also(turn: Turn, qid: str, index: str) -> None:
    """A "Veja também: ..." button under an answer: that related entry's answer.

    Before the client judged the answer, the related entry becomes the one logged as shown and
    gets "Isso resolveu?"; after, it is only shown and the verdict already logged stays.
    """
    question = faq_log.find_question(turn.uow.session, int(qid), platform=turn.incoming.platform,
                                     user_id=turn.incoming.user_id) if qid.isdigit() else None
    if question is None or not index.isdigit() or not 0 < int(index) < len(question.suggested):
        turn.stale()
        return
    _show_entry(turn, question, int(index), ask_feedback=question.feedback is None)


def _show_entry(turn: Turn, question: LoggedQuestion, index: int, pressed: str | None = None,
                *, ask_feedback: bool = True) -> None:
    """Show the ``index``-th entry shown for ``question`` (and ask "Isso resolveu?" about it)."""
    entry = turn.dialog.kb.get(question.suggested[index]) if index < len(question.suggested) else None
    if entry is None:
        turn.stale()
        return
    text = entry.localized(turn.locale)
    turn.pressed = pressed or clip(text.question, 60)
    if not ask_feedback:
        turn.say(text.answer.strip())
        return
    faq_log.record_shown_entry(turn.uow.session, question.id, entry.id)
    turn.state = {"step": Step.FAQ, "qid": question.id, "question": question.text[:500]}
    turn.say(t("faq.answer", turn.locale, answer=text.answer.strip()), _did_it_help(turn, question.id))


@flow.button(ButtonAction.OFFER_TICKET)
def offer_ticket_accepted(turn: Turn, token: str) -> None:
    if not turn.token_matches(token, Step.FAQ_OFFER):
        return
    turn.pressed = t("btn.open_ticket", turn.locale)
    start_opening(turn, str(turn.state.get("question", "")), turn.state.get("qid"))


@flow.button(ButtonAction.DECLINE_TICKET)
def offer_ticket_declined(turn: Turn, token: str) -> None:
    if not turn.token_matches(token, Step.FAQ_OFFER):
        return
    turn.pressed = t("btn.no_thanks", turn.locale)
    turn.state = {}
    turn.say(t("faq.ok_no_ticket", turn.locale))


def _faq_missed(turn: Turn, qid: str, feedback: str, label_key: str) -> None:
    """The FAQ did not solve it ("Não" or "Nenhuma dessas"): record why and offer a ticket."""
    question = _unanswered(turn, qid)
    if question is None:
        return
    faq_log.record_feedback(turn.uow.session, question.id, feedback)
    turn.pressed = t(label_key, turn.locale)
    turn.state = {"step": Step.FAQ, "qid": question.id, "question": question.text[:500]}
    turn.say(t("faq.sorry", turn.locale))
    _offer_ticket(turn)


def _unanswered(turn: Turn, qid: str) -> LoggedQuestion | None:
    """This user's question still waiting for feedback; otherwise the button is stale."""
    question = faq_log.find_question(turn.uow.session, int(qid), platform=turn.incoming.platform,
                                     user_id=turn.incoming.user_id) if qid.isdigit() else None
    if question is None or question.feedback is not None:
        turn.stale()
        return None
    return question


def _did_it_help(turn: Turn, qid: int) -> Buttons:
    return ((button(t("btn.yes", turn.locale), ButtonAction.FAQ_HELPED, qid),
             button(t("btn.no", turn.locale), ButtonAction.FAQ_DID_NOT_HELP, qid)),)


def _offer_ticket(turn: Turn) -> None:
    if turn.contact_id is None:
        turn.say(t("faq.offer_unknown", turn.locale))
        return
    try:
        turn.desk.check_may_open(turn.contact_id, uow=turn.uow)
    except NotAllowed as exc:
        turn.say(exc.render(turn.locale))
        return
    token = new_token()
    turn.state = {**turn.state, "step": Step.FAQ_OFFER, "token": token}
    turn.say(t("faq.offer", turn.locale),
             ((button(t("btn.open_ticket", turn.locale), ButtonAction.OFFER_TICKET, token),
               button(t("btn.no_thanks", turn.locale), ButtonAction.DECLINE_TICKET, token)),))
