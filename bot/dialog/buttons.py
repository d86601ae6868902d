"""The button vocabulary: what each button does, and the compact data it carries.

A button's data goes to the chat platform and comes back when the client
presses it, maybe days later (Telegram allows 64 bytes of it). Its wire form is
``code:argument[:argument]``: a two-letter code per action and the arguments
the handler needs (a FAQ question id, a step token, a ticket number, ...). The
codes are the ones buttons already sent to clients carry, so those still work.
Data that does not decode (not ASCII, an unknown code, a missing, empty or
extra argument) is a stale button.
"""

from __future__ import annotations

import secrets
from enum import StrEnum, unique

from bot.messages import MAX_BUTTON_DATA, Button

SEPARATOR = ":"


@unique
class ButtonAction(StrEnum):
    """What a pressed button asks for; the value is its wire code."""

    FAQ_HELPED = "fy"  # question id
    FAQ_DID_NOT_HELP = "fn"  # question id
    FAQ_PICK_SUGGESTION = "fs"  # question id, suggestion index
    FAQ_NONE_FIT = "fx"  # question id
    FAQ_SEE_ALSO = "fa"  # question id, index of the related entry among the entries shown
    FAQ_CONFIRM_YES = "fc"  # question id ("Você quer saber sobre ...?" Sim)
    FAQ_CONFIRM_NO = "fd"  # question id (... Não)
    OFFER_TICKET = "ot"  # token
    DECLINE_TICKET = "on"  # token
    PICK_MODULE = "md"  # token, module index
    PICK_CRITICALITY = "cr"  # token, criticality
    CANCEL_OPENING = "cc"  # token
    CHOOSE_ANALYST = "pa"  # token
    PICK_ANALYST = "an"  # token, analyst id (0: any analyst)
    CONFIRM_OPENING = "cf"  # token
    PICK_TICKET = "pt"  # token, ticket number
    PICK_NEW_QUESTION = "pn"  # token
    SOLVED = "ok"  # ticket number
    NOT_SOLVED = "nk"  # ticket number
    REOPEN = "ro"  # ticket number
    RATE = "rt"  # ticket number, score
    SKIP_RATING = "rs"  # ticket number
    APPROVE_BILLING = "ba"  # ticket number
    DECLINE_BILLING = "bd"  # ticket number

    @property
    def arity(self) -> int:
        """How many arguments its data carries."""
        return 2 if self in _TWO_ARGUMENTS else 1


_TWO_ARGUMENTS = frozenset({
    ButtonAction.FAQ_PICK_SUGGESTION, ButtonAction.FAQ_SEE_ALSO, ButtonAction.PICK_MODULE,
    ButtonAction.PICK_CRITICALITY, ButtonAction.PICK_ANALYST, ButtonAction.PICK_TICKET, ButtonAction.RATE,
})


def encode(action: ButtonAction, *args: str | int) -> str:
    """The data of a button for ``action``; refuses what would not come back intact."""
    parts = tuple(str(arg) for arg in args)
    if len(parts) != action.arity or any(not part or SEPARATOR in part for part in parts):
        raise ValueError(f"{action.name} takes {action.arity} non-empty argument(s) without "
                         f"{SEPARATOR!r}, got {parts!r}")
    data = SEPARATOR.join((action.value, *parts))
    if len(data.encode()) > MAX_BUTTON_DATA:
        raise ValueError(f"button data longer than {MAX_BUTTON_DATA} bytes: {data!r}")
    return data


def decode(data: str) -> tuple[ButtonAction, tuple[str, ...]] | None:
    """The action and arguments of pressed data; None when it is not ours (answer: stale)."""
    # Ours is ASCII; other scripts' digits would pass the handlers' isdigit() and fail int().
    if not data.isascii() or len(data) > MAX_BUTTON_DATA:
        return None
    code, *args = data.split(SEPARATOR)
    try:
        action = ButtonAction(code)
    except ValueError:
        return None
    if len(args) != action.arity or not all(args):
        return None
    return action, tuple(args)


def button(label: str, action: ButtonAction, *args: str | int) -> Button:
    """A button that asks for ``action`` with ``args`` when pressed."""
    return Button(label, encode(action, *args))


def new_token() -> str:
    """A fresh token for a step's buttons: pressing one of an earlier step is then stale."""
    return secrets.token_hex(3)
