"""The analysts' side on Slack: replies and notes in ticket threads, the card's buttons, ``/chamado``.

Only Slack accounts linked to an active analyst are obeyed; anyone else gets
an ephemeral refusal and nothing changes. In a ticket's thread a message is a
public reply (relayed to the client) unless it starts with the note marker
(``!nota``); with ``RELAY_MODE=explicit`` only messages starting with the
reply marker (``>>``) are relayed and everything else is a note. Domain
errors come back as ephemeral messages in pt-BR.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete

from bot.slack.blocks import CLAIM, CLOSE, ESCALATE, FORWARD, attachment_line
from bot.slack.config import SlackConfig
from bot.slack.inbound import PLATFORM, action_channel, action_value, attachments_of, plain_text
from bot.slack.mrkdwn import clip, escape
from bot.slack.texts import FORWARD_AREAS, st
from bot.slack.users import Users
from bot.texts import t
from core import model
from core.desk import HelpDesk
from core.errors import DomainError
from core.model import Actor, PlatformRef
from core.store.orm import ProcessedUpdate
from core.threads import mark_processed, ticket_for_thread
from core.views import TicketView

log = logging.getLogger(__name__)

LOCALE = "pt-BR"
NOTE_REACTION = "memo"
Respond = Callable[..., Awaitable[Any]]


class AnalystDesk:
    """Turns what analysts do on Slack into help-desk use cases."""

    def __init__(self, config: SlackConfig, desk: HelpDesk, client: AsyncWebClient, users: Users) -> None:
        self.desk = desk
        self.client = client
        self.users = users
        self.channel = config.analysts_channel
        self.explicit = config.relay.explicit
        self.reply_marker = config.relay.reply_marker
        self.note_marker = config.relay.note_marker
        self.web_sign_in = config.web_sign_in

    async def analyst_id(self, user_id: str) -> int | None:
        identity = await asyncio.to_thread(self.desk.identity, PLATFORM, user_id)
        return identity.analyst_id if identity is not None and identity.analyst_id else None

    # --- thread messages ----------------------------------------------------------------

    async def on_thread_message(self, event: dict[str, Any], event_id: str | None) -> None:
        channel, thread_ts = str(event["channel"]), str(event["thread_ts"])
        thread = await asyncio.to_thread(ticket_for_thread, self.desk.db, PLATFORM, channel, thread_ts)
        if thread is None:
            return  # a conversation that is not about a ticket
        if event_id and not await asyncio.to_thread(mark_processed, self.desk.db, PLATFORM, event_id):
            return  # Slack delivered this event again
        try:
            await self._thread_message(event, thread.number)
        except Exception:
            if event_id:  # let Slack's next retry try again
                await asyncio.to_thread(forget_processed, self.desk, event_id)
            raise

    async def _thread_message(self, event: dict[str, Any], number: str) -> None:
        channel, user, ts = str(event["channel"]), str(event["user"]), str(event["ts"])
        thread_ts = str(event["thread_ts"])
        analyst = await self.analyst_id(user)
        if analyst is None:
            await self.ephemeral(channel, user, st("not_analyst", user=user), thread_ts)
            return
        public, body = self.classify(await plain_text(event, self.users))
        files = attachments_of(event)
        ref = PlatformRef(PLATFORM, channel, ts)
        try:
            if public:
                await asyncio.to_thread(self.desk.analyst_reply, number, analyst, body,
                                        attachments=files, ref=ref)
                return
            note = "\n".join(part for part in (body, attachment_line(files)) if part)
            outcome = await asyncio.to_thread(self.desk.internal_note, number, analyst, note, ref=ref)
        except DomainError as exc:
            await self.ephemeral(channel, user, escape(exc.render(LOCALE)), thread_ts)
            return
        if not outcome.duplicate:
            await self._react(channel, ts, NOTE_REACTION)

    def classify(self, text: str) -> tuple[bool, str]:
        """(relay to the client?, the text without its marker)."""
        stripped = text.strip()
        if _starts_with(stripped, self.note_marker):
            return False, stripped[len(self.note_marker):].strip()
        if _starts_with(stripped, self.reply_marker):
            return True, stripped[len(self.reply_marker):].strip()
        return not self.explicit, stripped

    # --- buttons on the card ----------------------------------------------------------------

    async def on_action(self, body: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        channel = action_channel(body)
        action = body["actions"][0]
        value = action_value(action)
        number, _, area = value.partition("|")
        analyst = await self.analyst_id(user)
        if analyst is None:
            await self.ephemeral(channel, user, st("not_analyst", user=user))
            return
        verb = action["action_id"]
        try:
            if verb == CLAIM:
                await asyncio.to_thread(self.desk.claim, number, analyst)
            elif verb == ESCALATE:
                await asyncio.to_thread(self.desk.escalate, number, analyst, st("escalate.reason"))
                await self.ephemeral(channel, user, st("escalate.done", number=number, note=self.note_marker))
            elif verb == FORWARD:
                await asyncio.to_thread(self.desk.forward, number, analyst, area)
            elif verb == CLOSE:
                await asyncio.to_thread(self.desk.close_by_analyst, number, analyst)
        except DomainError as exc:
            await self.ephemeral(channel, user, escape(exc.render(LOCALE)))

    # --- /chamado -------------------------------------------------------------------------

    async def on_command(self, command: dict[str, Any], respond: Respond) -> None:
        user = str(command.get("user_id") or "")
        text = str(command.get("text") or "").strip()
        analyst = await self.analyst_id(user)
        if analyst is None:
            answer = st("not_analyst", user=user)
        else:
            try:
                answer = await asyncio.to_thread(self._command, analyst, text)
            except DomainError as exc:
                answer = escape(exc.render(LOCALE))
        await respond(text=answer, response_type="ephemeral")

    def _hours(self, analyst: int, text: str) -> str:
        """``horas NUMERO 1.5 [cliente] [nota]``: log time; "cliente" marks the cause as the client's."""
        from core.billing import format_minutes

        words = text.split(None, 3)
        if len(words) < 3:
            return st("usage.hours")
        number, amount = words[1], words[2]
        rest = words[3] if len(words) > 3 else ""
        client_cause = False
        first, _, after = rest.partition(" ")
        if first.lower() in {"cliente", "client"}:
            client_cause, rest = True, after
        entry = self.desk.log_hours(number, analyst, amount, rest.strip() or None, client_cause)
        return st("done.hours", number=entry.number, hours=format_minutes(entry.minutes))

    def _command(self, analyst: int, text: str) -> str:
        words = text.split()
        verb = words[0].lower() if words else ""
        args = words[1:]
        rest = text.split(None, 2)[2] if len(words) > 2 else ""
        if verb in {"fila", "queue"}:
            return self._queue(analyst)
        if verb in {"painel", "panel"}:  # answered as an ephemeral: only this analyst sees the link
            if self.web_sign_in is None:
                return escape(t("web.chat.web_off", LOCALE))
            return escape(t("web.chat.sign_in_link", LOCALE, url=self.web_sign_in("analyst", analyst)))
        if verb in {"horas", "hours"}:
            return self._hours(analyst, text)
        if verb in {"ver", "show", "assumir", "claim", "fechar", "close", "escalar", "escalate",
                    "encaminhar", "forward"} and not args:
            return st("usage.number", command=verb)
        if verb in {"ver", "show"}:
            return self._show(self.desk.get_ticket(args[0], Actor.analyst(analyst)))
        if verb in {"assumir", "claim"}:
            return st("done.claim", number=self.desk.claim(args[0], analyst).number)
        if verb in {"fechar", "close"}:
            return st("done.close", number=self.desk.close_by_analyst(args[0], analyst).number)
        if verb in {"escalar", "escalate"}:
            if not rest:
                return st("usage.escalate")
            return st("done.escalate", number=self.desk.escalate(args[0], analyst, rest).number)
        if verb in {"encaminhar", "forward"}:
            if not rest:
                return st("usage.forward", areas=", ".join(FORWARD_AREAS))
            ticket = self.desk.forward(args[0], analyst, rest)
            return escape(st("done.forward", number=ticket.number, area=ticket.forwarded_area or rest))
        explicit = st("help.explicit", reply=self.reply_marker) if self.explicit else ""
        return st("help", note=self.note_marker, explicit=explicit)

    def _queue(self, analyst: int) -> str:
        rows = self.desk.analyst_queue(analyst, limit=30)
        if not rows:
            return st("queue.empty")
        lines = [st("queue.header")]
        for tk in rows:
            lines.append(st("queue.line", number=tk.number, status=model.status_label(tk.status, LOCALE),
                            level=tk.level, criticality=t(f"criticality.{tk.criticality}", LOCALE),
                            org=escape(tk.organization_name), assignee=escape(tk.assignee_name or "—"),
                            subject=escape(clip(tk.subject, 80))))
        return "\n".join(lines)

    def _show(self, ticket: TicketView) -> str:
        from bot.notifications import ticket_summary

        lines = [f"*{escape(ticket.subject)}*"]
        lines += [f"*{escape(label)}:* {escape(value)}" for label, value in ticket_summary(ticket, LOCALE)]
        if ticket.messages:
            lines.append(st("show.messages"))
        for m in ticket.messages[-10:]:
            internal = st("show.internal") if m.visibility == "INTERNAL" else ""
            lines.append(st("show.message", author=escape(m.author_name or m.author_kind.lower()),
                            internal=internal, body=escape(clip(m.body.replace("\n", " "), 300))))
        return "\n".join(lines)

    # --- answering one person -------------------------------------------------------------

    async def ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """Say something only ``user`` sees (already-escaped mrkdwn)."""
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
        except SlackApiError as exc:
            log.warning("ephemeral not sent", extra={"error": str(exc.response.get("error"))})

    async def _react(self, channel: str, ts: str, name: str) -> None:
        try:
            await self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            log.info("reaction not added", extra={"error": str(exc.response.get("error"))})


def forget_processed(desk: HelpDesk, key: str) -> None:
    """Undo ``mark_processed`` after a failure, so that Slack's retry of the event is handled."""
    with desk.db.session() as session:
        session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.platform == PLATFORM,
                                                      ProcessedUpdate.update_key == key))
        session.commit()


def _starts_with(text: str, marker: str) -> bool:
    return bool(marker) and text[: len(marker)].casefold() == marker.casefold()
