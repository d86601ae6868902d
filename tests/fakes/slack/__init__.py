"""A fake Slack Web API that behaves: it validates, records and can misbehave on purpose.

`FakeSlack` is a small aiohttp server on 127.0.0.1, port 0, running in its own thread
with its own event loop, so sync tests, async tests and a bot in a subprocess can all
point a real slack_sdk client at it::

    with FakeSlack() as fake:
        fake.add_user("U1", "ana", locale="pt-BR")
        fake.add_channel("C1", "suporte")
        client = WebClient(token=fake.token, base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="Olá")
        assert fake.messages("C1")[0].text == "Olá"

What it serves:

- ``/api/<method>``: the Web API methods a help-desk bot uses, with Slack's argument
  rules and error codes (``channel_not_found``, ``no_text``, ``invalid_blocks``,
  ``msg_too_long``, ``message_not_found``, ``cant_update_message``, ``already_reacted``,
  ``user_not_found``, ``not_authed``/``invalid_auth``, ``unknown_method`` ...). Like Slack,
  errors are HTTP 200 with ``{"ok": false, "error": ...}``; only rate limits (429) and
  injected faults use other statuses.
- response URLs (``fake.response_url(...)``) that record what Bolt's ``respond()`` posts
  and apply it (ephemeral, in_channel, replace_original, delete_original).
- ``url_private`` downloads for files registered with ``add_file``.

Everything it receives is recorded (``calls``, ``messages()``, ``updates``,
``ephemerals``, ``reactions``, ``response_url_posts()``) and can be awaited with
``wait_for`` (threads) or ``await_for`` (coroutines).

The other direction, requests as Slack sends them to a Bolt app, is built by
`requests` (event, interaction and slash-command bodies) and signed and posted
by `signing`; both are re-exported here.

One module per part: fake (the class and its method table), server (HTTP,
lifecycle, faults), recording, waiting, validation (errors, Block
Kit, message content), state, records, auth (auth.test), users (users.*),
conversations (conversations.*), chat (chat.*, reactions.add), files (files.*),
responses (response URLs), requests and signing.
"""

from .fake import FakeSlack
from .records import ApiCall, Button, Ephemeral, Message, Reaction, ResponseUrlPost, Update, WaitTimeout
from .requests import (
    OFFLINE_RESPONSE_URL,
    app_mention_event,
    block_actions_body,
    event_body,
    message_event,
    slash_command_body,
    ssl_check_body,
    url_verification_body,
    view_submission_body,
)
from .signing import (
    apost,
    apost_signed,
    post,
    post_signed,
    retry_headers,
    sign,
    signed_headers,
    stale_headers,
    unsigned_headers,
    wrong_secret_headers,
)
from .validation import block_kit_errors

__all__ = [
    "OFFLINE_RESPONSE_URL",
    "ApiCall",
    "Button",
    "Ephemeral",
    "FakeSlack",
    "Message",
    "Reaction",
    "ResponseUrlPost",
    "Update",
    "WaitTimeout",
    "apost",
    "apost_signed",
    "app_mention_event",
    "block_actions_body",
    "block_kit_errors",
    "event_body",
    "message_event",
    "post",
    "post_signed",
    "retry_headers",
    "sign",
    "signed_headers",
    "slash_command_body",
    "ssl_check_body",
    "stale_headers",
    "unsigned_headers",
    "url_verification_body",
    "view_submission_body",
    "wrong_secret_headers",
]
