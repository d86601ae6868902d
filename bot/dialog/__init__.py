"""The conversation engine and its flows; see ``bot.dialog.engine``.

What the rest of the bot imports: ``Dialog`` (the engine), ``COMMANDS`` (what a
client may type after "/"), and the buttons that other messages carry
(under an analyst's answer, a closed ticket, a billing approval request).
"""

from bot.dialog.billing import approval_buttons
from bot.dialog.buttons import ButtonAction
from bot.dialog.engine import COMMANDS, HANDLERS, Dialog
from bot.dialog.following import resolution_buttons
from bot.dialog.rating import rating_buttons
from bot.dialog.turn import Step

__all__ = ["COMMANDS", "HANDLERS", "ButtonAction", "Dialog", "Step", "approval_buttons", "rating_buttons",
           "resolution_buttons"]
