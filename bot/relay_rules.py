"""``RelayRules``: which of an analyst's messages in a ticket's thread reach the client.

A message is a public reply (relayed to the client) unless it starts with the
note marker (an internal note); in explicit mode only messages that start with
the reply marker are replies and everything else is a note. Every platform's
analysts' side gets the same rules from the composition root.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class RelayRules:
    """RELAY_MODE, REPLY_MARKER and NOTE_MARKER."""

    explicit: bool  # RELAY_MODE=explicit: only messages starting with reply_marker reach the client
    reply_marker: str  # ">>"
    note_marker: str  # "!nota"
