"""Self-tests of the fake Slack: Block Kit and argument validation, authentication, recording."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack, block_kit_errors
from tests.fakes.test_fake_slack.helpers import RESOLVEU, buttons, error_of, section


class TestValidation:
    @pytest.mark.parametrize(
        "blocks",
        [
            pytest.param([{"type": "carousel"}], id="unknown type"),
            pytest.param(["section"], id="not an object"),
            pytest.param([section("x" * 3001)], id="section text over 3000"),
            pytest.param([{"type": "section"}], id="section without text"),
            pytest.param(
                [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Ok"}}]}],
                id="button without action_id",
            ),
            pytest.param([buttons(("a", "x" * 76))], id="button text over 75"),
            pytest.param(
                [
                    {
                        "type": "actions",
                        "elements": [{"type": "button", "action_id": "a", "text": {"type": "mrkdwn", "text": "*Ok*"}}],
                    }
                ],
                id="button text mrkdwn",
            ),
            pytest.param(
                [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "action_id": "a",
                                "text": {"type": "plain_text", "text": "Ok"},
                                "value": "v" * 2001,
                            }
                        ],
                    }
                ],
                id="button value over 2000",
            ),
            pytest.param([buttons(*[(f"b{i}", "Ok") for i in range(26)])], id="26 elements in actions"),
            pytest.param([section("x")] * 51, id="51 blocks"),
            pytest.param([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], id="header over 150"),
        ],
    )
    def test_malformed_blocks_are_invalid_blocks(self, client: WebClient, blocks: list[Any]) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
        assert error_of(exc) == "invalid_blocks"
        assert "json-pointer:/blocks" in exc.value.response["errors"][0]

    def test_every_known_block_type_is_accepted(self) -> None:
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": "Chamado #42"}},
            section("*Status:* Respondida"),
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "aberto ontem"}]},
            {"type": "image", "image_url": "https://example.invalid/a.png", "alt_text": "print"},
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "oi"}]}],
            },
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Descreva"},
                "element": {"type": "plain_text_input", "action_id": "desc"},
            },
            buttons(*[(f"b{i}", "Ok") for i in range(25)]),
        ]
        assert block_kit_errors(blocks) == []

    @pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
    def test_neither_text_nor_blocks_is_no_text(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="")
        assert error_of(exc) == "no_text"

    def test_text_over_40000_chars_is_msg_too_long(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="x" * 40_001)
        assert error_of(exc) == "msg_too_long"

    def test_unknown_channel(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C404", text="x")
        assert error_of(exc) == "channel_not_found"

    def test_wrong_token_is_invalid_auth(self, fake: FakeSlack) -> None:
        with pytest.raises(SlackApiError) as exc:
            WebClient(token="xoxb-wrong", base_url=fake.base_url).auth_test()
        assert exc.value.response.status_code == 200
        assert error_of(exc) == "invalid_auth"

    def test_missing_token_is_not_authed(self, fake: FakeSlack) -> None:
        with pytest.raises(SlackApiError) as exc:
            WebClient(base_url=fake.base_url).chat_postMessage(channel="C1", text="x")
        assert error_of(exc) == "not_authed"

    def test_token_inside_a_json_body_is_ignored_like_slack(self, fake: FakeSlack) -> None:
        req = urllib.request.Request(
            fake.base_url + "chat.postMessage",
            data=json.dumps({"token": fake.token, "channel": "C1", "text": "x"}).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        with urllib.request.urlopen(req) as resp:
            assert json.loads(resp.read())["error"] == "not_authed"

    def test_unknown_method(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.api_call("chat.sendCarrierPigeon", json={"channel": "C1"})
        assert error_of(exc) == "unknown_method"

    def test_every_call_is_recorded_with_blocks_decoded(self, fake: FakeSlack) -> None:
        # form-encoded blocks arrive as a JSON string and are recorded decoded
        WebClient(token=fake.token, base_url=fake.base_url).api_call(
            "chat.postMessage", data={"channel": "C1", "text": "t", "blocks": json.dumps(RESOLVEU)}
        )
        (call,) = fake.calls
        assert call.method == "chat.postMessage" and call.args["blocks"] == RESOLVEU
        assert "token" not in call.args
