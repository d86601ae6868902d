"""Loggers handed to chat SDKs (Bolt, slack_sdk) so they never log what people wrote.

Bolt logs whole request bodies (``Invalid request signature detected (... body: ...)``
at INFO, ``Unhandled request ({...})`` at WARNING) and slack_sdk logs every API
call's parameters at DEBUG. Given ``library_logger(...)``, Bolt copies its level
and filters to each logger it creates, and ``NoBodies`` cuts every record to its
first words: nothing after the first ``(``, ``:``, ``{`` or line break, no
arguments, and of an exception only its class name.
"""

from __future__ import annotations

import logging
import re

_CUT = re.compile(r"[(:{\[\n]")
MAX_HEAD = 120


class NoBodies(logging.Filter):
    """Rewrites a record to its head: the library's words, never the request's."""

    def filter(self, record: logging.LogRecord) -> bool:
        head = _CUT.split(str(record.msg), maxsplit=1)[0].strip()[:MAX_HEAD] or "(library message)"
        if record.exc_info and record.exc_info[0] is not None:
            head = f"{head} [{record.exc_info[0].__name__}]"
        record.msg, record.args = head, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def library_logger(name: str, level: int = logging.WARNING) -> logging.Logger:
    """The logger ``name`` at ``level`` (WARNING: no INFO/DEBUG chatter), with ``NoBodies``."""
    logger = logging.getLogger(name)
    logger.setLevel(level)
    if not any(isinstance(f, NoBodies) for f in logger.filters):
        logger.addFilter(NoBodies())
    return logger
