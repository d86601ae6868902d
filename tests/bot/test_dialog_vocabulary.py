"""The dialog's vocabulary: button data on the wire, and one handler for every button and command."""

from __future__ import annotations

import pytest

from bot.dialog import COMMANDS, HANDLERS, ButtonAction, Step
from bot.dialog.buttons import decode, encode
from bot.dialog.flow import Flow, Handlers
from bot.dialog.turn import Turn

# The codes buttons already sent to clients carry: changing one strands those buttons.
WIRE_CODES = {
    "FAQ_HELPED": "fy", "FAQ_DID_NOT_HELP": "fn", "FAQ_PICK_SUGGESTION": "fs", "FAQ_NONE_FIT": "fx",
    "FAQ_SEE_ALSO": "fa", "FAQ_CONFIRM_YES": "fc", "FAQ_CONFIRM_NO": "fd",
    "OFFER_TICKET": "ot", "DECLINE_TICKET": "on", "PICK_MODULE": "md", "PICK_CRITICALITY": "cr",
    "CANCEL_OPENING": "cc", "CHOOSE_ANALYST": "pa", "PICK_ANALYST": "an", "CONFIRM_OPENING": "cf",
    "PICK_TICKET": "pt", "PICK_NEW_QUESTION": "pn", "SOLVED": "ok", "NOT_SOLVED": "nk", "REOPEN": "ro",
    "RATE": "rt", "SKIP_RATING": "rs", "APPROVE_BILLING": "ba", "DECLINE_BILLING": "bd",
}


class TestRegistration:
    def test_every_button_action_has_exactly_one_handler(self) -> None:
        assert set(HANDLERS.buttons) == set(ButtonAction)

    def test_every_command_resolves_to_one_handler(self) -> None:
        assert set(COMMANDS.values()) == set(HANDLERS.commands)

    def test_text_outside_any_step_has_a_handler(self) -> None:
        assert Step.IDLE in HANDLERS.steps

    def test_a_button_claimed_by_two_flows_is_refused(self) -> None:
        first, second = Flow("first"), Flow("second")

        @first.button(ButtonAction.SOLVED)
        def one(turn: Turn, number: str) -> None: ...

        @second.button(ButtonAction.SOLVED)
        def other(turn: Turn, number: str) -> None: ...

        with pytest.raises(ValueError, match="already goes to"):
            Handlers.merge(first, second)

    def test_a_command_registered_twice_in_one_flow_is_refused(self) -> None:
        flow = Flow("twice")
        flow.command("help")(lambda turn, arg: None)
        with pytest.raises(ValueError, match="already goes to"):
            flow.command("help")(lambda turn, arg: None)

    def test_a_button_handler_must_take_the_arguments_its_data_carries(self) -> None:
        with pytest.raises(TypeError, match="RATE carries 2"):
            @Flow("wrong").button(ButtonAction.RATE)
            def rate(turn: Turn, number: str) -> None: ...


class TestWireFormat:
    def test_the_codes_are_the_ones_already_sent_to_clients(self) -> None:
        assert {action.name: action.value for action in ButtonAction} == WIRE_CODES

    @pytest.mark.parametrize(("data", "expected"), [
        ("fy:123", (ButtonAction.FAQ_HELPED, ("123",))),
        ("ok:2026-000001", (ButtonAction.SOLVED, ("2026-000001",))),
        ("rt:2026-000001:5", (ButtonAction.RATE, ("2026-000001", "5"))),
        ("md:a1b2c3:4", (ButtonAction.PICK_MODULE, ("a1b2c3", "4"))),
        ("an:a1b2c3:0", (ButtonAction.PICK_ANALYST, ("a1b2c3", "0"))),
    ])
    def test_data_of_buttons_already_sent_decodes(self, data: str,
                                                  expected: tuple[ButtonAction, tuple[str, ...]]) -> None:
        assert decode(data) == expected

    @pytest.mark.parametrize("data", ["garbage", "", "fy", "fy:", "fy:1:2", "zz:1", "md:a1b2c3",
                                      "rt:2026-000001:", "ok:" + "9" * 70, "fy:²"])
    def test_unknown_or_malformed_data_does_not_decode(self, data: str) -> None:
        assert decode(data) is None

    def test_encode_round_trips(self) -> None:
        for action in ButtonAction:
            args = ("abc123", "7")[: action.arity]
            assert decode(encode(action, *args)) == (action, args)

    def test_encode_refuses_what_would_not_come_back(self) -> None:
        with pytest.raises(ValueError, match="64 bytes"):
            encode(ButtonAction.PICK_TICKET, "a1b2c3", "x" * 60)
        with pytest.raises(ValueError, match="takes 1"):
            encode(ButtonAction.SOLVED, "2026-000001", "extra")
        with pytest.raises(ValueError):
            encode(ButtonAction.SOLVED, "a:b")
        with pytest.raises(ValueError):
            encode(ButtonAction.SOLVED, "")
