"""How a flow registers its handlers, and how the engine merges them into one table.

Each flow module makes one ``Flow`` and decorates its handlers with what they
answer: a button action (``@flow.button``: called with the turn and the
button's arguments), a conversation step waiting for text (``@flow.step``) or a
command (``@flow.command``, by its canonical name). ``Handlers.merge`` joins the
flows; a key claimed twice, or a button handler whose parameters do not match
its action's arguments, is refused when the table is built (at import).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from bot.dialog.buttons import ButtonAction
from bot.dialog.turn import Step, Turn

ButtonHandler = Callable[..., None]  # (turn, *arguments of the button data)
TextHandler = Callable[[Turn, str], None]  # (turn, text or command argument)
K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Flow:
    """One flow's handlers, registered by the decorators in its module."""

    name: str
    buttons: dict[ButtonAction, ButtonHandler] = field(default_factory=dict)
    steps: dict[Step, TextHandler] = field(default_factory=dict)
    commands: dict[str, TextHandler] = field(default_factory=dict)

    def button(self, action: ButtonAction) -> Callable[[ButtonHandler], ButtonHandler]:
        def register(handler: ButtonHandler) -> ButtonHandler:
            arguments = len(inspect.signature(handler).parameters) - 1
            if arguments != action.arity:
                raise TypeError(f"{handler.__name__} takes {arguments} button argument(s); "
                                f"{action.name} carries {action.arity}")
            _claim(self.buttons, action, handler, self.name)
            return handler
        return register

    def step(self, step: Step) -> Callable[[TextHandler], TextHandler]:
        def register(handler: TextHandler) -> TextHandler:
            _claim(self.steps, step, handler, self.name)
            return handler
        return register

    def command(self, name: str) -> Callable[[TextHandler], TextHandler]:
        def register(handler: TextHandler) -> TextHandler:
            _claim(self.commands, name, handler, self.name)
            return handler
        return register


@dataclass(frozen=True)
class Handlers:
    """Every flow's handlers in one table: the engine routes through it."""

    buttons: Mapping[ButtonAction, ButtonHandler]
    steps: Mapping[Step, TextHandler]
    commands: Mapping[str, TextHandler]

    @classmethod
    def merge(cls, *flows: Flow) -> Handlers:
        buttons: dict[ButtonAction, ButtonHandler] = {}
        steps: dict[Step, TextHandler] = {}
        commands: dict[str, TextHandler] = {}
        for flow in flows:
            for action, button in flow.buttons.items():
                _claim(buttons, action, button, flow.name)
            for step, on_text in flow.steps.items():
                _claim(steps, step, on_text, flow.name)
            for name, command in flow.commands.items():
                _claim(commands, name, command, flow.name)
        return cls(buttons, steps, commands)


def _claim(table: dict[K, V], key: K, handler: V, flow: str) -> None:
    if key in table:
        taken = getattr(table[key], "__qualname__", table[key])
        raise ValueError(f"{key!r} of flow {flow!r} already goes to {taken}")
    table[key] = handler
