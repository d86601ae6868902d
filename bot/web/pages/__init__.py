"""The page modules of the web workspace, added to the application in this order.

Each module exposes ``routes = web.RouteTableDef()`` with named routes. To add
a page area, write ``bot/web/pages/<area>.py`` and add its dotted name below
(one line; keep the others as they are).
"""

from __future__ import annotations

PAGE_MODULES: tuple[str, ...] = (
    "bot.web.pages.sign_in",
    "bot.web.pages.queue",
    "bot.web.pages.tickets",
    "bot.web.pages.client",
    "bot.web.pages.dashboard", "bot.web.pages.billing", "bot.web.pages.faq_gaps",
    "bot.web.pages.admin", "bot.web.pages.imports",
)
