"""`FakeTelegram`, assembled from its API areas, and the ``fake_telegram`` pytest fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .chats import _Chats
from .commands import _Commands
from .editing import _Editing
from .files import _Files
from .keyboards import _Keyboards
from .messages import _Messages
from .polling import _Polling
from .recording import _Recording
from .server import _Server
from .topics import _Topics
from .waiting import _Waiting
from .webhook import _Webhooks


class FakeTelegram(
    _Server, _Recording, _Waiting, _Polling, _Webhooks, _Commands, _Chats, _Topics, _Messages,
    _Files, _Keyboards, _Editing,
):
    """A Telegram Bot API server on 127.0.0.1 for tests.

    Known, deliberate differences from Telegram:

    * ``strict_html=True`` rejects a bare '&' in HTML (Telegram keeps it literally,
      although its documentation says it must be escaped).  MarkdownV2 is not parsed.
    * Webhooks may be plain ``http://`` and must point at a loopback address; the fake
      never contacts another host.  A failed delivery stays pending and is retried on
      the next ``queue_update``/``flush_webhook``, not on a timer.
    * Text length is counted in code points; file ids must be known to the fake (sent
      in an incoming update, uploaded by the bot, or added with ``add_file``).
    * A queued update that was never delivered is delivered even if its ``update_id``
      is below the client's ``offset`` - that is what lets a test queue the same update
      twice to simulate Telegram redelivering it.
    * The bot is taken to be an admin everywhere: it may post in closed topics; group
      privacy mode is not simulated (the test decides which updates the bot gets).
    * Callback queries never expire; they can be answered exactly once.
    * ``fail_next``/``rate_limit_next`` without a method spare getUpdates, so a polling
      bot in the background does not swallow the fault meant for its next send.
    """


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram, stopped after the test."""
    with FakeTelegram() as fake:
        yield fake
