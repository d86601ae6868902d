"""Self-tests: the fake Telegram server behaves like the Bot API for python-telegram-bot.

One module per behaviour (messages, faults, polling, webhook, topics, files,
raw HTTP and sync use, update builders); conftest.py holds the fixtures
(``offline`` is autouse: no test may reach a non-loopback address), helpers.py
the chat ids and PTB helpers.
"""
