"""The composition root: builds the help desk, the dialog and the dispatcher from settings.

Nothing is created at import time; the CLI, ``chamado console``, ``chamado
serve`` and the tests all build their objects here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from chamado.settings import Settings, desks_of, smtp_configured
from core.business_calendar import BusinessCalendar
from core.desk import HelpDesk
from core.outbox import ANALYSTS, Deliverer, OutboxDispatcher, OutboxItem, enqueue
from core.sla import DEFAULT_POLICY, load_policy
from core.sla_service import SlaService
from core.store.db import Database

if TYPE_CHECKING:
    from bot.dialog import Dialog
    from bot.web.context import WebContext
    from bot.web.links import WebLinks

log = logging.getLogger(__name__)


def build_database(settings: Settings) -> Database:
    return Database(settings.database_url)


def build_calendar(settings: Settings) -> BusinessCalendar:
    from datetime import date, time

    return BusinessCalendar(
        tz=settings.business_timezone,
        workdays=frozenset(settings.business_days),
        opens=time.fromisoformat(settings.business_opens),
        closes=time.fromisoformat(settings.business_closes),
        subdivision=settings.holidays_subdivision,
        extra_holidays=[date.fromisoformat(d) for d in settings.extra_holidays],
    )


def build_helpdesk(
    settings: Settings, db: Database | None = None, *, analyst_desks: Sequence[str] | None = None
) -> HelpDesk:
    """The help desk with its policies: SLA clocks (business calendar) and routing."""
    desk = HelpDesk(
        db or build_database(settings),
        reopen_window=timedelta(days=settings.reopen_window_days),
        modules=settings.modules,
        analyst_desks=desks_of(settings) if analyst_desks is None else analyst_desks,
        email_copies=smtp_configured(settings),
    )
    calendar = build_calendar(settings)
    policy = load_policy(settings.sla_policy_file, day_length=calendar.day_length) \
        if settings.sla_policy_file else DEFAULT_POLICY
    SlaService(desk, policy, calendar)
    return desk


def sla_of(desk: HelpDesk) -> SlaService | None:
    return next((h for h in desk.hooks if isinstance(h, SlaService)), None)


def build_dialog(settings: Settings, desk: HelpDesk, *, web: bool | None = None) -> Dialog:
    """The dialog; with the web workspace on (``web``, else WEB_ENABLED) its messages carry web links."""
    from bot.dialog import Dialog
    from bot.scope import ScopeAdvisor
    from knowledge_base.loader import load_knowledge_base

    sla = sla_of(desk)
    kb = load_knowledge_base(settings.knowledge_base_dir)
    dialog = Dialog(
        desk,
        kb,
        flood_max_messages=settings.flood_max_messages,
        flood_window=timedelta(seconds=settings.flood_window_seconds),
        default_locale=settings.locale,
        sla_hint=sla.hint if sla else None,
        after_hours=sla.after_hours if sla else None,
    )
    dialog.scope_hint = ScopeAdvisor(kb, dialog.matcher, settings.out_of_scope_areas or None).hint
    if settings.web_enabled if web is None else web:
        links = build_web_links(settings, desk)
        dialog.ticket_link, dialog.web_sign_in = links.ticket, links.sign_in
    return dialog


def build_web_links(settings: Settings, desk: HelpDesk) -> WebLinks:
    """Links into the web workspace (WEB_PUBLIC_URL) for the chat, the analysts' /painel and e-mails."""
    from bot.web.config import WebConfig
    from bot.web.links import WebLinks

    return WebLinks(desk, WebConfig(public_url=settings.web_public_url, sign_in_minutes=settings.web_sign_in_minutes,
                                    locale=settings.locale))


def build_email_deliverer(settings: Settings, desk: HelpDesk, *, web: bool | None = None) -> Deliverer | None:
    """The SMTP deliverer when e-mail copies are configured (SMTP_URL or SMTP_HOST)."""
    if not smtp_configured(settings):
        return None
    from bot.email import EmailDeliverer, SmtpConfig

    if settings.smtp_url:
        config = SmtpConfig.from_url(settings.smtp_url, settings.smtp_from)
    else:
        assert settings.smtp_host is not None
        config = SmtpConfig(settings.smtp_host, settings.smtp_port, settings.smtp_user,
                            settings.smtp_password, settings.smtp_security, settings.smtp_from)
    on = settings.web_enabled if web is None else web
    return EmailDeliverer(desk, config, ticket_link=build_web_links(settings, desk).ticket if on else None)


def mark_unreachable(desk: HelpDesk) -> object:
    """When a client cannot be reached for good, tell the analysts in the ticket's thread."""

    def on_failed(item: OutboxItem, reason: str) -> None:
        if item.audience == ANALYSTS or item.ticket_id is None:
            return
        with desk.db.session() as session:
            for platform in desk.analyst_desks:
                enqueue(session, key=f"unreachable:{item.id}:{platform}", platform=platform,
                        audience=ANALYSTS, kind="unreachable", ticket_id=item.ticket_id,
                        stream=f"{platform}:ticket:{item.ticket_id}",
                        payload={"number": item.payload.get("number", ""), "reason": reason[:200]},
                        now=desk.clock())
            session.commit()

    return on_failed


def confirm_relay(desk: HelpDesk) -> object:
    """Once an analyst's reply reached the client, confirm it in every desk's thread."""

    def on_delivered(item: OutboxItem) -> None:
        if item.audience == ANALYSTS or item.kind != "analyst_reply" or item.ticket_id is None:
            return
        with desk.db.session() as session:
            for platform in desk.analyst_desks:
                enqueue(session, key=f"relayed:{item.id}:{platform}", platform=platform,
                        audience=ANALYSTS, kind="relayed", ticket_id=item.ticket_id,
                        stream=f"{platform}:ticket:{item.ticket_id}",
                        payload={"number": item.payload.get("number", ""),
                                 "message_id": item.payload.get("message_id"),
                                 "client_platform": item.platform},
                        now=desk.clock())
            session.commit()

    return on_delivered


def build_dispatcher(desk: HelpDesk, deliverers: Mapping[str, Deliverer], **kwargs: object) -> OutboxDispatcher:
    dispatcher = OutboxDispatcher(
        desk.db, deliverers,
        on_failed=mark_unreachable(desk),  # type: ignore[arg-type]
        on_delivered=confirm_relay(desk),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    desk.after_commit = dispatcher.notify
    return dispatcher


def build_web_context(settings: Settings, desk: HelpDesk) -> WebContext:
    """What the web workspace reads: the desk, WebConfig, the FAQ, the SLA service, the forward areas."""
    from bot.web.context import WebContext
    from chamado.adapters import web_config
    from knowledge_base.loader import load_knowledge_base

    return WebContext(desk, web_config(settings), kb=load_knowledge_base(settings.knowledge_base_dir),
                      sla=sla_of(desk), forward_areas=tuple(settings.forward_areas))
