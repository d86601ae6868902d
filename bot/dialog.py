"""The conversation engine: one chat user's input in, replies and help-desk calls out.

Platform-neutral: adapters hand in an ``Incoming`` (text, button press,
attachments) and deliver the replies the dialog writes to the outbox. The
conversation state lives in the database (``conversations``), so a restart or
a second worker continues where the user was. Every delivery is handled once
(``processed_updates``); ticket changes are idempotent by platform message.

What a client experiences: greeting and help; a question goes to the FAQ
matcher (answer + "Isso resolveu?", up to three suggestions, or an offer to
open a ticket); opening a ticket (module, criticality, description,
confirmation); while tickets are active, messages go to them; an analyst's
reply comes with "Resolvido" / "Ainda não"; after closing, a 1-5 rating.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.messages import Button, Incoming, Reply
from bot.texts import normalize_locale, t
from core import model
from core.errors import DomainError, NotAllowed
from core.linking import redeem_invite
from core.model import Attachment, TicketStatus
from core.outbox import CLIENT, enqueue
from core.services import Actor, ChatIdentityView, HelpDesk, PlatformRef
from core.store.orm import Conversation, FaqQuestion, ProcessedUpdate
from core.views import TicketView
from knowledge_base.decision import Decision, MatchResult
from knowledge_base.loader import KnowledgeBase
from knowledge_base.matcher import Matcher

log = logging.getLogger(__name__)

COMMANDS: dict[str, str] = {
    "start": "start", "ajuda": "help", "help": "help", "novo": "new", "new": "new",
    "chamados": "tickets", "tickets": "tickets", "status": "status", "cancelar": "cancel",
    "cancel": "cancel", "vincular": "link", "link": "link", "idioma": "language",
    "language": "language", "pular": "skip", "skip": "skip", "abrir": "open", "open": "open",
}
GREETINGS = {
    "oi", "ola", "bom dia", "boa tarde", "boa noite", "hello", "hi", "hey", "e ai", "opa",
    "good morning", "good afternoon", "good evening", "tudo bem", "oi tudo bem", "ola tudo bem",
}
THANKS = {"obrigado", "obrigada", "valeu", "obg", "vlw", "thanks", "thank you", "brigado", "ok obrigado"}
CRITICALITIES = ("BAIXA", "MEDIA", "ALTA", "CRITICA")
ACTIVE = (TicketStatus.OPEN.value, TicketStatus.ANSWERED.value)


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


@dataclass
class Turn:
    """Everything one incoming produces, written in one transaction at the end."""

    incoming: Incoming
    locale: str
    identity: ChatIdentityView | None
    state: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    faq_rows: list[FaqQuestion] = field(default_factory=list)
    pressed: str | None = None
    new_locale: str | None = None

    def say(self, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        self.replies.append(Reply(text, buttons))

    @property
    def contact_id(self) -> int | None:
        return self.identity.contact_id if self.identity else None


class Dialog:
    """The platform-agnostic conversation engine."""

    def __init__(
        self,
        desk: HelpDesk,
        kb: KnowledgeBase,
        *,
        flood_max_messages: int = 20,
        flood_window: timedelta = timedelta(seconds=60),
        default_locale: str = "pt-BR",
        sla_hint: Callable[[str, str], str | None] | None = None,
        scope_hint: Callable[[str, str], str | None] | None = None,
        after_hours: Callable[[str], str | None] | None = None,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.desk = desk
        self.kb = kb
        self.flood_max = flood_max_messages
        self.flood_window = flood_window
        self.default_locale = normalize_locale(default_locale)
        self.sla_hint = sla_hint
        self.scope_hint = scope_hint
        self.after_hours = after_hours
        self.after_commit = after_commit
        self._matchers: dict[str, Matcher] = {}

    def matcher(self, locale: str) -> Matcher:
        if locale not in self._matchers:
            self._matchers[locale] = Matcher(self.kb, locale)
        return self._matchers[locale]

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.desk.clock

    # --- the one entry point ------------------------------------------------

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one delivery; returns the replies (also queued in the outbox)."""
        db = self.desk.db
        session = db.new_session()
        try:
            if incoming.update_key and session.scalar(select(ProcessedUpdate.id).where(
                    ProcessedUpdate.platform == incoming.platform,
                    ProcessedUpdate.update_key == incoming.update_key)):
                return []
            conv = self._conversation(session, incoming)
            if incoming.update_key and db.dialect == "postgresql" and session.scalar(
                    select(ProcessedUpdate.id).where(ProcessedUpdate.platform == incoming.platform,
                                                     ProcessedUpdate.update_key == incoming.update_key)):
                return []  # the same delivery finished on another worker while we waited for the lock
            if db.dialect != "postgresql":
                session.commit()  # SQLite: do not hold a snapshot while the use cases write
            identity = self.desk.identity(incoming.platform, incoming.user_id)
            locale = normalize_locale(conv.locale or (identity.locale if identity else None)
                                      or incoming.locale or self.default_locale)
            turn = Turn(incoming, locale, identity, dict(conv.state or {}))
            if self._flooded(conv):
                if not conv.flood_warned:
                    conv.flood_warned = True
                    turn.say(t("flood", locale))
            else:
                self._route(turn)
            conv.state = turn.state
            if turn.new_locale:
                conv.locale = turn.new_locale
            conv.chat_id = incoming.chat_id
            conv.updated_at = self.clock()
            self._write(session, turn)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                log.info("duplicate delivery dropped", extra={"platform": incoming.platform})
                return []
            if self.after_commit is not None:
                self.after_commit()
            return turn.replies
        finally:
            session.close()

    def _conversation(self, session: Session, incoming: Incoming) -> Conversation:
        query = select(Conversation).where(Conversation.platform == incoming.platform,
                                           Conversation.user_id == incoming.user_id)
        if self.desk.db.dialect == "postgresql":
            query = query.with_for_update()
        conv = session.scalar(query)
        if conv is None:
            conv = Conversation(platform=incoming.platform, user_id=incoming.user_id,
                                chat_id=incoming.chat_id, state={}, window_count=0,
                                flood_warned=False, updated_at=self.clock())
            session.add(conv)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                conv = session.scalar(query)
                assert conv is not None
        return conv

    def _flooded(self, conv: Conversation) -> bool:
        now = self.clock()
        if conv.window_started_at is None or now - conv.window_started_at >= self.flood_window:
            conv.window_started_at = now
            conv.window_count = 0
            conv.flood_warned = False
        conv.window_count = (conv.window_count or 0) + 1
        return conv.window_count > self.flood_max

    def _write(self, session: Session, turn: Turn) -> None:
        incoming = turn.incoming
        now = self.clock()
        if incoming.update_key:
            session.add(ProcessedUpdate(platform=incoming.platform,
                                        update_key=incoming.update_key, created_at=now))
        for row in turn.faq_rows:
            session.add(row)
        base = incoming.update_key or secrets.token_hex(8)
        stream = f"{incoming.platform}:chat:{incoming.chat_id}"
        if turn.pressed is not None and incoming.button_message_id:
            enqueue(session, key=f"{incoming.platform}:{base}:pressed", platform=incoming.platform,
                    audience=CLIENT, address=incoming.chat_id, kind="button_pressed",
                    stream=stream, now=now,
                    payload={"message_id": incoming.button_message_id, "choice": turn.pressed,
                             "original": incoming.extra.get("message_text")})
        for i, reply in enumerate(turn.replies):
            enqueue(session, key=f"{incoming.platform}:{base}:r{i}", platform=incoming.platform,
                    audience=CLIENT, address=incoming.chat_id, kind="reply", stream=stream,
                    now=now, payload={"reply": reply.to_dict(), "locale": turn.locale})

    # --- routing --------------------------------------------------------------

    def _route(self, turn: Turn) -> None:
        incoming = turn.incoming
        try:
            if incoming.button:
                self._on_button(turn, incoming.button)
                return
            text = incoming.text.strip()
            if text.startswith("/"):
                name, _, arg = text[1:].partition(" ")
                command = COMMANDS.get(name.split("@")[0].lower())
                if command is None:
                    turn.say(t("unknown_command", turn.locale))
                    return
                getattr(self, f"_cmd_{command}")(turn, arg.strip())
                return
            self._on_text(turn, text)
        except DomainError as exc:
            turn.say(exc.render(turn.locale))

    def _on_text(self, turn: Turn, text: str) -> None:
        step = turn.state.get("step", "idle")
        attachments = turn.incoming.attachments
        if step == "describe":
            self._describe(turn, text)
            return
        if step in {"module", "criticality", "confirm", "pick_ticket", "faq_offer", "rate", "pick_analyst"} and text:
            # A fresh message in the middle of a button step: treat it as a new question.
            turn.state = {}
        elif step == "rate_comment":
            self._rate_comment(turn, text)
            return
        elif step == "reply_to":
            number = str(turn.state.get("number"))
            turn.state = {}
            self._relay(turn, number, text, attachments)
            return
        if turn.contact_id is not None:
            active = self._active_tickets(turn)
            if len(active) == 1:
                self._relay(turn, active[0].number, text, attachments)
                return
            if len(active) > 1:
                self._ask_which_ticket(turn, active, text, attachments)
                return
        if not text:
            turn.say(t("attachment_without_ticket", turn.locale))
            return
        self._ask_faq(turn, text)

    # --- commands -------------------------------------------------------------

    def _cmd_start(self, turn: Turn, arg: str) -> None:
        if arg:
            self._cmd_link(turn, arg)
            return
        turn.state = {}
        name = turn.incoming.display_name or ""
        if turn.identity and turn.identity.analyst_id:
            turn.say(t("start.analyst", turn.locale))
        elif turn.contact_id:
            turn.say(t("start.contact", turn.locale, name=name))
        else:
            turn.say(t("start.unknown", turn.locale, name=name))

    def _cmd_help(self, turn: Turn, arg: str) -> None:
        turn.say(t("help", turn.locale))

    def _cmd_new(self, turn: Turn, arg: str) -> None:
        turn.state = {"step": "new_question"}
        if arg:
            turn.state = {}
            self._ask_faq(turn, arg)
            return
        turn.say(t("new_question", turn.locale))

    def _cmd_open(self, turn: Turn, arg: str) -> None:
        """Go straight to opening a ticket (the question, if given, becomes its subject)."""
        if turn.contact_id is None:
            turn.say(t("need_link", turn.locale))
            return
        self._start_opening(turn, arg[:500])

    def _cmd_cancel(self, turn: Turn, arg: str) -> None:
        had = turn.state.get("step", "idle") not in {"idle", "new_question"}
        turn.state = {}
        turn.say(t("cancelled" if had else "nothing_to_cancel", turn.locale))

    def _cmd_skip(self, turn: Turn, arg: str) -> None:
        if turn.state.get("step") in {"rate", "rate_comment"}:
            turn.state = {}
            turn.say(t("rating.skipped", turn.locale))
            return
        turn.say(t("nothing_to_skip", turn.locale))

    def _cmd_language(self, turn: Turn, arg: str) -> None:
        wanted = arg.strip().lower()
        if wanted not in {"pt", "pt-br", "en", "english", "portugues", "português"}:
            turn.say(t("language.usage", turn.locale))
            return
        locale = "en" if wanted.startswith("en") else "pt-BR"
        turn.new_locale = locale
        turn.locale = locale
        turn.say(t("language.set", locale))

    def _cmd_link(self, turn: Turn, arg: str) -> None:
        if not arg:
            turn.say(t("link.usage", turn.locale))
            return
        if turn.identity and turn.identity.analyst_id:
            turn.say(t("link.analyst", turn.locale))
            return
        contact = redeem_invite(self.desk, arg, platform=turn.incoming.platform,
                               external_id=turn.incoming.user_id,
                               display_name=turn.incoming.display_name,
                               locale=turn.incoming.locale)
        turn.identity = self.desk.identity(turn.incoming.platform, turn.incoming.user_id)
        turn.state = {}
        turn.say(t("link.done", turn.locale, name=contact.name, org=contact.organization_slug))
        try:
            self.desk.check_may_open(contact.id)
        except NotAllowed as exc:
            turn.say(t("link.cannot_open_yet", turn.locale, reason=exc.render(turn.locale)))

    def _cmd_tickets(self, turn: Turn, arg: str) -> None:
        if turn.contact_id is None:
            turn.say(t("need_link", turn.locale))
            return
        tickets = self.desk.contact_tickets(turn.contact_id, limit=15)
        if not tickets:
            turn.say(t("tickets.none", turn.locale))
            return
        lines = [t("tickets.header", turn.locale)]
        for ticket in tickets:
            lines.append(t("tickets.line", turn.locale, number=ticket.number,
                           status=model.status_label(ticket.status, turn.locale),
                           subject=ticket.subject))
        lines.append(t("tickets.footer", turn.locale))
        turn.say("\n".join(lines))

    def _cmd_status(self, turn: Turn, arg: str) -> None:
        if turn.contact_id is None:
            turn.say(t("need_link", turn.locale))
            return
        if not arg:
            active = self._active_tickets(turn)
            if len(active) != 1:
                turn.say(t("status.usage", turn.locale))
                return
            arg = active[0].number
        ticket = self.desk.get_ticket(arg, Actor.contact(turn.contact_id))
        turn.say(self._status_text(ticket, turn.locale), self._status_buttons(ticket, turn.locale))

    def _status_text(self, ticket: TicketView, locale: str) -> str:
        lines = [t("status.card", locale, number=ticket.number, subject=ticket.subject,
                   status=model.status_label(ticket.status, locale), module=ticket.module,
                   criticality=t(f"criticality.{ticket.criticality}", locale),
                   opened=ticket.created_at.strftime("%d/%m/%Y"))]
        if ticket.assignee_name:
            lines.append(t("status.assignee", locale, name=ticket.assignee_name))
        if ticket.forwarded_area:
            lines.append(t("status.forwarded", locale, area=ticket.forwarded_area))
        if self.sla_hint is not None and ticket.status != TicketStatus.CLOSED:
            hint = self.sla_hint(ticket.number, locale)
            if hint:
                lines.append(hint)
        last = [m for m in ticket.messages if m.author_kind == "ANALYST"]
        if last:
            lines.append(t("status.last_answer", locale, body=_clip(last[-1].body, 500)))
        lines.append(t(f"status.next.{ticket.status}", locale))
        return "\n".join(lines)

    def _status_buttons(self, ticket: TicketView, locale: str) -> tuple[tuple[Button, ...], ...]:
        if ticket.status == TicketStatus.CLOSED:
            return ((Button(t("btn.reopen", locale), f"ro:{ticket.number}"),),)
        if ticket.status == TicketStatus.ANSWERED:
            return resolution_buttons(ticket.number, locale)
        return ()

    # --- the FAQ --------------------------------------------------------------

    def _ask_faq(self, turn: Turn, text: str) -> None:
        folded = _fold(text)
        if folded in GREETINGS:
            turn.say(t("greeting", turn.locale, name=turn.incoming.display_name or ""))
            return
        if folded in THANKS:
            turn.say(t("thanks", turn.locale))
            return
        result: MatchResult = self.matcher(turn.locale).ask(text[:2000])
        row = FaqQuestion(
            platform=turn.incoming.platform, user_id=turn.incoming.user_id,
            contact_id=turn.contact_id, locale=turn.locale, text=text[:2000],
            decision=result.decision.value,
            entry_id=result.best.entry_id if result.best else None,
            suggested=[m.entry_id for m in result.matches],
            score=result.best.score if result.best else None, created_at=self.clock(),
        )
        with self.desk.db.session() as session:  # its id goes into the buttons
            session.add(row)
            session.commit()
        qid = row.id
        turn.state = {"step": "faq", "qid": qid, "question": text[:500]}
        if result.decision is Decision.ANSWER and result.best:
            turn.say(t("faq.answer", turn.locale, answer=result.best.answer.strip()),
                     ((Button(t("btn.yes", turn.locale), f"fy:{qid}"),
                       Button(t("btn.no", turn.locale), f"fn:{qid}")),))
        elif result.decision is Decision.SUGGEST:
            rows = tuple((Button(_clip(m.question, 60), f"fs:{qid}:{i}"),)
                         for i, m in enumerate(result.matches))
            turn.say(t("faq.suggest", turn.locale),
                     (*rows, (Button(t("btn.none_of_these", turn.locale), f"fx:{qid}"),)))
        else:
            turn.say(t("faq.none", turn.locale))
            self._offer_ticket(turn)

    def _faq_row(self, turn: Turn, qid: str) -> FaqQuestion | None:
        with self.desk.db.session() as session:
            row = session.get(FaqQuestion, int(qid)) if qid.isdigit() else None
            if row is None or row.user_id != turn.incoming.user_id \
                    or row.platform != turn.incoming.platform:
                return None
            return row

    def _set_feedback(self, qid: int, feedback: str | None, entry_id: str | None = None) -> None:
        with self.desk.db.session() as session:
            row = session.get(FaqQuestion, qid)
            if row is not None:
                row.feedback = feedback
                if entry_id:
                    row.entry_id = entry_id
                session.commit()

    def _offer_ticket(self, turn: Turn) -> None:
        if turn.contact_id is None:
            turn.say(t("faq.offer_unknown", turn.locale))
            return
        try:
            self.desk.check_may_open(turn.contact_id)
        except NotAllowed as exc:
            turn.say(exc.render(turn.locale))
            return
        token = _token()
        turn.state = {**turn.state, "step": "faq_offer", "token": token}
        turn.say(t("faq.offer", turn.locale),
                 ((Button(t("btn.open_ticket", turn.locale), f"ot:{token}"),
                   Button(t("btn.no_thanks", turn.locale), f"on:{token}")),))

    # --- buttons --------------------------------------------------------------

    def _on_button(self, turn: Turn, data: str) -> None:
        verb, _, rest = data.partition(":")
        handler = getattr(self, f"_btn_{verb}", None)
        if handler is None or not rest:
            self._stale(turn)
            return
        handler(turn, rest)

    def _stale(self, turn: Turn) -> None:
        turn.say(t("stale_button", turn.locale))

    def _check_token(self, turn: Turn, token: str, *steps: str) -> bool:
        if turn.state.get("token") != token or turn.state.get("step") not in steps:
            self._stale(turn)
            return False
        return True

    def _btn_fy(self, turn: Turn, qid: str) -> None:
        row = self._faq_row(turn, qid)
        if row is None or row.feedback is not None:
            self._stale(turn)
            return
        self._set_feedback(row.id, "helpful")
        turn.pressed = t("btn.yes", turn.locale)
        turn.state = {}
        turn.say(t("faq.glad", turn.locale))

    def _btn_fn(self, turn: Turn, qid: str) -> None:
        self._faq_missed(turn, qid, "unhelpful", "btn.no")

    def _faq_missed(self, turn: Turn, qid: str, feedback: str, label_key: str) -> None:
        """The FAQ did not solve it ("Não" or "Nenhuma dessas"): record why and offer a ticket."""
        row = self._faq_row(turn, qid)
        if row is None or row.feedback is not None:
            self._stale(turn)
            return
        self._set_feedback(row.id, feedback)
        turn.pressed = t(label_key, turn.locale)
        turn.state = {"step": "faq", "qid": row.id, "question": row.text[:500]}
        turn.say(t("faq.sorry", turn.locale))
        self._offer_ticket(turn)

    def _btn_fs(self, turn: Turn, rest: str) -> None:
        qid, _, index = rest.partition(":")
        row = self._faq_row(turn, qid)
        if row is None or row.feedback is not None or not index.isdigit() \
                or int(index) >= len(row.suggested or []):
            self._stale(turn)
            return
        entry = self.kb.get(row.suggested[int(index)])
        if entry is None:
            self._stale(turn)
            return
        text = entry.localized(turn.locale)
        # Record the entry shown; the feedback comes when the client answers "Isso resolveu?".
        self._set_feedback(row.id, None, entry.id)
        turn.pressed = _clip(text.question, 60)
        turn.state = {"step": "faq", "qid": row.id, "question": row.text[:500]}
        turn.say(t("faq.answer", turn.locale, answer=text.answer.strip()),
                 ((Button(t("btn.yes", turn.locale), f"fy:{row.id}"),
                   Button(t("btn.no", turn.locale), f"fn:{row.id}")),))

    def _btn_fx(self, turn: Turn, qid: str) -> None:
        self._faq_missed(turn, qid, "none_fit", "btn.none_of_these")

    def _btn_on(self, turn: Turn, token: str) -> None:
        if not self._check_token(turn, token, "faq_offer"):
            return
        turn.pressed = t("btn.no_thanks", turn.locale)
        turn.state = {}
        turn.say(t("faq.ok_no_ticket", turn.locale))

    def _btn_ot(self, turn: Turn, token: str) -> None:
        if not self._check_token(turn, token, "faq_offer"):
            return
        turn.pressed = t("btn.open_ticket", turn.locale)
        question = str(turn.state.get("question", ""))
        self._start_opening(turn, question, turn.state.get("qid"))

    # --- opening a ticket -------------------------------------------------------

    def _start_opening(self, turn: Turn, question: str, qid: Any = None) -> None:
        if turn.contact_id is None:
            turn.say(t("need_link", turn.locale))
            return
        self.desk.check_may_open(turn.contact_id)
        token = _token()
        turn.state = {"step": "module", "token": token,
                      "draft": {"question": question, "qid": qid, "attachments": []}}
        if self.scope_hint is not None and question:
            hint = self.scope_hint(question, turn.locale)
            if hint:
                turn.say(hint)
        modules = self.desk.modules
        rows = [tuple(Button(m, f"md:{token}:{i}") for i, m in enumerate(modules) if i // 2 == r)
                for r in range((len(modules) + 1) // 2)]
        turn.say(t("open.module", turn.locale), (*rows, (Button(t("btn.cancel", turn.locale),
                                                               f"cc:{token}"),)))

    def _btn_md(self, turn: Turn, rest: str) -> None:
        token, _, index = rest.partition(":")
        if not self._check_token(turn, token, "module"):
            return
        modules = self.desk.modules
        if not index.isdigit() or int(index) >= len(modules):
            self._stale(turn)
            return
        module = modules[int(index)]
        turn.pressed = module
        new = _token()
        turn.state = {**turn.state, "step": "criticality", "token": new,
                      "draft": {**turn.state["draft"], "module": module}}
        lines = [t("open.criticality", turn.locale)]
        for level in CRITICALITIES:
            line = t(f"criticality.{level}.help", turn.locale)
            if self.sla_hint is not None and turn.contact_id is not None:
                target = self.sla_hint(f"plan:{turn.contact_id}:{level}", turn.locale)
                if target:
                    line = f"{line} {target}"
            lines.append(f"• {t(f'criticality.{level}', turn.locale)}: {line}")
        buttons = ((Button(t("criticality.BAIXA", turn.locale), f"cr:{new}:BAIXA"),
                    Button(t("criticality.MEDIA", turn.locale), f"cr:{new}:MEDIA")),
                   (Button(t("criticality.ALTA", turn.locale), f"cr:{new}:ALTA"),
                    Button(t("criticality.CRITICA", turn.locale), f"cr:{new}:CRITICA")),
                   (Button(t("btn.cancel", turn.locale), f"cc:{new}"),))
        turn.say("\n".join(lines), buttons)

    def _btn_cr(self, turn: Turn, rest: str) -> None:
        token, _, level = rest.partition(":")
        if not self._check_token(turn, token, "criticality") or level not in CRITICALITIES:
            if level not in CRITICALITIES and turn.state.get("token") == token:
                self._stale(turn)
            return
        turn.pressed = t(f"criticality.{level}", turn.locale)
        turn.state = {**turn.state, "step": "describe", "token": _token(),
                      "draft": {**turn.state["draft"], "criticality": level}}
        question = turn.state["draft"].get("question")
        if question:
            turn.say(t("open.describe_with_question", turn.locale, question=_clip(question, 300)))
        else:
            turn.say(t("open.describe", turn.locale))

    def _describe(self, turn: Turn, text: str) -> None:
        draft = dict(turn.state.get("draft", {}))
        attachments = list(draft.get("attachments", []))
        attachments.extend(a.to_dict() for a in turn.incoming.attachments)
        draft["attachments"] = attachments
        if text:
            previous = draft.get("description")
            draft["description"] = f"{previous}\n{text}" if previous else text
        if not draft.get("description"):
            turn.state = {**turn.state, "draft": draft}
            turn.say(t("open.got_attachment", turn.locale))
            return
        turn.state = {**turn.state, "draft": draft}
        self._confirm(turn)

    def _confirm(self, turn: Turn) -> None:
        draft = turn.state["draft"]
        token = _token()
        turn.state = {**turn.state, "step": "confirm", "token": token}
        text = t("open.confirm", turn.locale, module=draft["module"],
                 criticality=t(f"criticality.{draft['criticality']}", turn.locale),
                 description=_clip(self._full_description(draft), 1500),
                 attachments=len(draft.get("attachments", [])))
        if draft.get("analyst_name"):
            text = f"{text}\n{t('open.analyst', turn.locale, name=draft['analyst_name'])}"
        turn.say(text, ((Button(t("btn.confirm", turn.locale), f"cf:{token}"),
                         Button(t("btn.cancel", turn.locale), f"cc:{token}")),
                        (Button(t("btn.pick_analyst", turn.locale), f"pa:{token}"),)))

    def _btn_pa(self, turn: Turn, token: str) -> None:
        """The seeds allow directing a ticket to a specific analyst: list the module's specialists."""
        if not self._check_token(turn, token, "confirm"):
            return
        module = turn.state["draft"]["module"]
        analysts = [a for a in self.desk.list_analysts() if a.active]
        analysts.sort(key=lambda a: (module not in a.specialties, a.level, a.name))
        new = _token()
        turn.pressed = t("btn.pick_analyst", turn.locale)
        turn.state = {**turn.state, "step": "pick_analyst", "token": new}
        rows = tuple((Button(f"{a.name} ({a.level})", f"an:{new}:{a.id}"),) for a in analysts[:8])
        turn.say(t("open.pick_analyst", turn.locale), (*rows, (Button(t("btn.any_analyst", turn.locale),
                                                                          f"an:{new}:0"),)))

    def _btn_an(self, turn: Turn, rest: str) -> None:
        token, _, analyst_id = rest.partition(":")
        if not self._check_token(turn, token, "pick_analyst") or not analyst_id.isdigit():
            return
        draft = dict(turn.state["draft"])
        chosen = next((a for a in self.desk.list_analysts() if a.id == int(analyst_id) and a.active), None)
        draft["analyst_id"] = chosen.id if chosen else None
        draft["analyst_name"] = chosen.name if chosen else None
        turn.pressed = chosen.name if chosen else t("btn.any_analyst", turn.locale)
        turn.state = {**turn.state, "draft": draft}
        self._confirm(turn)

    @staticmethod
    def _full_description(draft: dict[str, Any]) -> str:
        question = str(draft.get("question") or "").strip()
        description = str(draft.get("description") or "").strip()
        if question and question not in description:
            return f"{question}\n\n{description}"
        return description

    def _btn_cf(self, turn: Turn, token: str) -> None:
        if not self._check_token(turn, token, "confirm"):
            return
        assert turn.contact_id is not None
        draft = turn.state["draft"]
        description = self._full_description(draft)
        subject = _subject(str(draft.get("question") or draft.get("description") or ""))
        incoming = turn.incoming
        ref = PlatformRef(incoming.platform, incoming.chat_id,
                          f"open:{incoming.update_key or incoming.button_message_id or token}")
        ticket = self.desk.open_ticket(
            contact_id=turn.contact_id, subject=subject, module=draft["module"],
            criticality=draft["criticality"], description=description,
            origin_platform=incoming.platform, origin_chat=incoming.chat_id,
            attachments=[Attachment(**a) for a in draft.get("attachments", [])], ref=ref,
            requested_analyst_id=draft.get("analyst_id"))
        qid = draft.get("qid")
        if qid:
            with self.desk.db.session() as session:
                row = session.get(FaqQuestion, int(qid))
                if row is not None:
                    row.ticket_id = ticket.id
                    session.commit()
        turn.pressed = t("btn.confirm", turn.locale)
        turn.state = {}
        lines = [t("open.done", turn.locale, number=ticket.number)]
        if self.sla_hint is not None:
            hint = self.sla_hint(ticket.number, turn.locale)
            if hint:
                lines.append(hint)
        lines.append(t("open.next", turn.locale, number=ticket.number))
        away = self.after_hours(turn.locale) if self.after_hours else None
        if away:
            lines.append(away)
        turn.say("\n".join(lines))

    def _btn_cc(self, turn: Turn, token: str) -> None:
        if not self._check_token(turn, token, "module", "criticality", "confirm", "describe", "pick_analyst"):
            return
        turn.pressed = t("btn.cancel", turn.locale)
        turn.state = {}
        turn.say(t("cancelled", turn.locale))

    # --- active tickets -------------------------------------------------------------

    def _active_tickets(self, turn: Turn) -> list[TicketView]:
        assert turn.contact_id is not None
        return [tk for tk in self.desk.contact_tickets(turn.contact_id, active_only=True)
                if tk.status in ACTIVE]

    def _relay(self, turn: Turn, number: str, text: str,
               attachments: tuple[Attachment, ...] = ()) -> None:
        assert turn.contact_id is not None
        incoming = turn.incoming
        ref = PlatformRef(incoming.platform, incoming.chat_id,
                          incoming.message_id or incoming.update_key or _token())
        outcome = self.desk.client_message(number, turn.contact_id, text, attachments=attachments,
                                           ref=ref)
        # A repeat here means an earlier attempt stored the message but its turn never committed
        # (this delivery was not marked processed): the client never got the acknowledgement.
        away = self.after_hours(turn.locale) if self.after_hours else None
        text = t("relay.sent", turn.locale, number=outcome.ticket.number)
        turn.say(f"{text}\n{away}" if away else text)

    def _ask_which_ticket(self, turn: Turn, active: list[TicketView], text: str,
                          attachments: tuple[Attachment, ...]) -> None:
        token = _token()
        turn.state = {"step": "pick_ticket", "token": token,
                      "pending": {"text": text[:4000],
                                  "attachments": [a.to_dict() for a in attachments],
                                  "message_id": turn.incoming.message_id}}
        rows = tuple((Button(_clip(f"{tk.number} · {tk.subject}", 60), f"pt:{token}:{tk.number}"),)
                     for tk in active[:6])
        turn.say(t("pick_ticket", turn.locale),
                 (*rows, (Button(t("btn.new_question", turn.locale), f"pn:{token}"),)))

    def _btn_pt(self, turn: Turn, rest: str) -> None:
        token, _, number = rest.partition(":")
        if not self._check_token(turn, token, "pick_ticket"):
            return
        pending = turn.state.get("pending", {})
        turn.pressed = number
        turn.state = {}
        incoming = turn.incoming
        ref = PlatformRef(incoming.platform, incoming.chat_id,
                          str(pending.get("message_id") or f"pick:{token}"))
        outcome = self.desk.client_message(
            number, turn.contact_id or 0, str(pending.get("text", "")),
            attachments=[Attachment(**a) for a in pending.get("attachments", [])], ref=ref)
        if not outcome.duplicate:
            turn.say(t("relay.sent", turn.locale, number=outcome.ticket.number))

    def _btn_pn(self, turn: Turn, token: str) -> None:
        if not self._check_token(turn, token, "pick_ticket"):
            return
        pending = turn.state.get("pending", {})
        turn.pressed = t("btn.new_question", turn.locale)
        turn.state = {}
        text = str(pending.get("text", ""))
        if text:
            self._ask_faq(turn, text)
        else:
            turn.say(t("new_question", turn.locale))

    # --- solution, reopen, rating -------------------------------------------------------

    def _own_ticket(self, turn: Turn, number: str) -> TicketView | None:
        if turn.contact_id is None:
            return None
        try:
            return self.desk.get_ticket(number, Actor.contact(turn.contact_id), with_messages=False)
        except DomainError:
            return None

    def _btn_ok(self, turn: Turn, number: str) -> None:
        ticket = self._own_ticket(turn, number)
        if ticket is None or ticket.status != TicketStatus.ANSWERED:
            self._stale(turn)
            return
        assert turn.contact_id is not None
        self.desk.accept_solution(ticket.number, turn.contact_id)
        turn.pressed = t("btn.solved", turn.locale)
        turn.state = {"step": "rate", "number": ticket.number}
        turn.say(t("solved.closed", turn.locale, number=ticket.number), rating_buttons(
            ticket.number, turn.locale))

    def _btn_nk(self, turn: Turn, number: str) -> None:
        ticket = self._own_ticket(turn, number)
        if ticket is None or ticket.status != TicketStatus.ANSWERED:
            self._stale(turn)
            return
        assert turn.contact_id is not None
        self.desk.reject_solution(ticket.number, turn.contact_id)
        turn.pressed = t("btn.not_yet", turn.locale)
        turn.state = {"step": "reply_to", "number": ticket.number}
        turn.say(t("solved.not_yet", turn.locale, number=ticket.number))

    def _btn_ro(self, turn: Turn, number: str) -> None:
        ticket = self._own_ticket(turn, number)
        if ticket is None or ticket.status != TicketStatus.CLOSED:
            self._stale(turn)
            return
        assert turn.contact_id is not None
        self.desk.reopen(ticket.number, turn.contact_id)
        turn.pressed = t("btn.reopen", turn.locale)
        turn.state = {"step": "reply_to", "number": ticket.number}
        turn.say(t("reopened", turn.locale, number=ticket.number))

    def _btn_rt(self, turn: Turn, rest: str) -> None:
        number, _, score = rest.partition(":")
        ticket = self._own_ticket(turn, number)
        if ticket is None or ticket.status != TicketStatus.CLOSED or not score.isdigit() \
                or ticket.satisfaction is not None:
            self._stale(turn)
            return
        assert turn.contact_id is not None
        self.desk.rate(ticket.number, turn.contact_id, int(score))
        turn.pressed = "★" * int(score)
        turn.state = {"step": "rate_comment", "number": ticket.number, "score": int(score)}
        turn.say(t("rating.thanks", turn.locale))

    def _btn_rs(self, turn: Turn, number: str) -> None:
        if turn.state.get("step") != "rate" or turn.state.get("number") != number:
            self._stale(turn)
            return
        turn.pressed = t("btn.skip", turn.locale)
        turn.state = {}
        turn.say(t("rating.skipped", turn.locale))

    def _btn_ba(self, turn: Turn, number: str) -> None:
        self._decide_billing(turn, number, approve=True)

    def _btn_bd(self, turn: Turn, number: str) -> None:
        self._decide_billing(turn, number, approve=False)

    def _decide_billing(self, turn: Turn, number: str, *, approve: bool) -> None:
        """SaaS: the client approves (or not) billing hours whose cause was on their side."""
        from core.billing import decide_approval

        if turn.contact_id is None or self._own_ticket(turn, number) is None:
            self._stale(turn)
            return
        try:
            decide_approval(self.desk, number, turn.contact_id, approve)
        except DomainError:
            self._stale(turn)
            return
        turn.pressed = t("btn.approve" if approve else "btn.decline", turn.locale)
        turn.say(t("billing.approved" if approve else "billing.declined", turn.locale, number=number))

    def _rate_comment(self, turn: Turn, text: str) -> None:
        number = str(turn.state.get("number"))
        score = int(turn.state.get("score", 0))
        turn.state = {}
        if turn.contact_id is None or not text or not 1 <= score <= 5:
            return
        self.desk.rate(number, turn.contact_id, score, text)
        turn.say(t("rating.comment_saved", turn.locale))


def approval_buttons(number: str, locale: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(t("btn.approve", locale), f"ba:{number}"),
             Button(t("btn.decline", locale), f"bd:{number}")),)


def resolution_buttons(number: str, locale: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(t("btn.solved", locale), f"ok:{number}"),
             Button(t("btn.not_yet", locale), f"nk:{number}")),)


def rating_buttons(number: str, locale: str) -> tuple[tuple[Button, ...], ...]:
    stars = tuple(Button(str(i), f"rt:{number}:{i}") for i in range(1, 6))
    return (stars, (Button(t("btn.skip", locale), f"rs:{number}"),))


def _token() -> str:
    return secrets.token_hex(3)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _subject(text: str) -> str:
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return _clip(first, 80) or "Chamado"
