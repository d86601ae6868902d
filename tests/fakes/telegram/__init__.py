"""A fake Telegram Bot API server: validates requests the way Telegram does and records them.

`FakeTelegram` is a real HTTP server (aiohttp) running on 127.0.0.1, port 0, in a
background thread with its own event loop.  Point python-telegram-bot at it with
``ApplicationBuilder().token(fake.token).base_url(fake.base_url)
.base_file_url(fake.base_file_url)``; the bot under test may live in the test's
event loop, in another thread, or in a subprocess.

What "behaves" means here:

* required parameters and their types are checked and answered with Telegram's
  own error descriptions (``400 Bad Request: ...``, ``403 Forbidden: ...``);
* HTML captions and texts are parsed with a port of TDLib's HTML parser
  (stricter about a bare ``&``, see ``strict_html``), lengths are measured on
  the text without tags, inline keyboards are checked (``BUTTON_DATA_INVALID``);
* messages get per-chat ``message_id``s, replies carry ``reply_to_message``,
  messages in forum topics carry ``message_thread_id``/``is_topic_message``;
* ``getUpdates`` long-polls, confirms by ``offset`` and answers ``409`` while a
  webhook is set; with a webhook, queued updates are POSTed to it;
* a callback query can be answered once; editing with identical content fails
  with "message is not modified"; editing without ``reply_markup`` removes the
  inline keyboard, like Telegram.

Test-facing controls: chat registry (``add_private_chat``/``add_group``), fault
injection (``fail_next``, ``rate_limit_next``, ``block_user``, ``go_down``/
``come_back``), recordings (``calls``, ``sent_messages``, ``edits``, ...), and
waiting helpers (``wait_for`` for sync code, ``await_for`` for async code).
`updates` builds the updates a test queues (``updates.text_message(...)``).

Deliberate differences from Telegram are listed on `FakeTelegram`.

One module per part: fake (the class and the ``fake_telegram`` fixture; list
``tests.fakes.telegram`` in ``pytest_plugins`` to share it), server (HTTP,
lifecycle, faults), recording, waiting, validation (errors,
typed parameters), state, records, html_parser, chats, topics, messages,
editing, files, keyboards (markup, button presses, callback queries,
reactions), polling (queued updates, getUpdates), webhook, commands (getMe,
*MyCommands), updates (update builders).
"""

from . import updates
from .fake import FakeTelegram, fake_telegram
from .html_parser import HtmlParseError, parse_html
from .records import (
    JSON,
    AnsweredCallback,
    Call,
    Edit,
    FakeTelegramTimeout,
    Reaction,
    SentMessage,
    Topic,
    UploadedFile,
    WebhookDelivery,
)
from .state import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN
from .validation import BotApiError

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "JSON",
    "AnsweredCallback",
    "BotApiError",
    "Call",
    "Edit",
    "FakeTelegram",
    "FakeTelegramTimeout",
    "HtmlParseError",
    "Reaction",
    "SentMessage",
    "Topic",
    "UploadedFile",
    "WebhookDelivery",
    "fake_telegram",
    "parse_html",
    "updates",
]
