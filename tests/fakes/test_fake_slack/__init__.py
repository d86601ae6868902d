"""Self-tests: the fake Slack behaves for the real slack_sdk clients and a real Bolt app.

One module per behaviour (chat.*, users/conversations/files, validation,
faults, the async client and waiting, Bolt); conftest.py holds the fixtures
(``_no_slack_env`` is autouse), helpers.py the blocks and ``error_of``.
"""
