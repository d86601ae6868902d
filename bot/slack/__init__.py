"""The Slack adapter (slack-bolt, HTTP mode with a signing secret; Socket Mode optional).

    app.py        SlackBot: the Bolt app, its listeners, the HTTP handler, Socket Mode
    config.py     SlackConfig: tokens, API, the analysts' channel, relay options (handed in)
    clients.py    clients in DMs -> the dialog
    analysts.py   analysts in the channel: thread replies and notes, card buttons, /chamado
    delivery.py   SlackDeliverer: outbox rows -> DMs, the ticket card and its thread
    blocks.py     Block Kit layouts (card, client messages)
    mrkdwn.py     escaping, reading Slack text back, splitting long texts
    inbound.py    reading events and actions
    api.py        Web API failures -> RetryLater / Undeliverable
    users.py      users.info cache (locale, name)
    tasks.py      work done after the ack, trackable
    texts.py      what the adapter itself says
"""

from __future__ import annotations

from bot.slack.app import SlackBot
from bot.slack.config import SlackConfig
from bot.slack.delivery import SlackDeliverer

__all__ = ["SlackBot", "SlackConfig", "SlackDeliverer"]
