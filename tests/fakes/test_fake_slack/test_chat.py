"""Self-tests of the fake Slack: chat.*, reactions.add and threads with the sync WebClient."""

from __future__ import annotations

import json
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack
from tests.fakes.test_fake_slack.helpers import RESOLVEU, error_of, section

# ------------------------------------------------------------------ sync WebClient


class TestMessagesWithSyncClient:
    def test_posted_message_keeps_text_and_buttons(self, fake: FakeSlack, client: WebClient) -> None:
        resp = client.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU, unfurl_links=False)

        assert resp["channel"] == "C1"
        assert resp["ts"] == "1700000000.000100"
        assert resp["message"]["bot_id"] == fake.bot_id
        msg = fake.last_message("C1")
        assert msg is not None and msg.text == "Resolveu?"
        assert [b.action_id for b in msg.buttons] == ["resolveu_sim", "resolveu_nao"]
        assert fake.calls_to("chat.postMessage")[0]["unfurl_links"] is False

    def test_ts_values_increase(self, fake: FakeSlack, client: WebClient) -> None:
        first = client.chat_postMessage(channel="C1", text="um")["ts"]
        second = client.chat_postMessage(channel="C1", text="dois", thread_ts=first)["ts"]

        assert float(second) > float(first)
        assert [m.text for m in fake.messages("C1", thread_ts=first)] == ["dois"]

    def test_form_encoded_call_with_token_param_is_accepted(self, fake: FakeSlack) -> None:
        body = f"token={fake.token}&channel=C1&text=ol%C3%A1".encode()
        req = urllib.request.Request(
            fake.base_url + "chat.postMessage",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(req) as resp:
            assert json.loads(resp.read())["ok"] is True
        assert fake.last_message("C1").text == "olá"  # type: ignore[union-attr]

    def test_update_replaces_text_and_drops_blocks_when_only_text_is_sent(
        self, fake: FakeSlack, client: WebClient
    ) -> None:
        ts = client.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU)["ts"]

        resp = client.chat_update(channel="C1", ts=ts, text="Obrigado!")

        assert resp["text"] == "Obrigado!"
        assert fake.message("C1", ts).blocks is None  # type: ignore[union-attr]
        assert [(u.ts, u.text) for u in fake.updates] == [(ts, "Obrigado!")]

    @pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
    def test_update_with_only_blocks_keeps_text(self, fake: FakeSlack, client: WebClient) -> None:
        ts = client.chat_postMessage(channel="C1", text="Resolveu?", blocks=RESOLVEU)["ts"]

        client.chat_update(channel="C1", ts=ts, blocks=[section("Respondida")])

        msg = fake.message("C1", ts)
        assert msg is not None and msg.text == "Resolveu?" and "Respondida" in msg.all_text

    def test_update_of_unknown_ts_is_message_not_found(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_update(channel="C1", ts="1.000000", text="x")
        assert error_of(exc) == "message_not_found"

    def test_update_of_a_users_message_is_refused(self, fake: FakeSlack, client: WebClient) -> None:
        user_msg = fake.add_message("C1", "meu chamado", user="U1")
        with pytest.raises(SlackApiError) as exc:
            client.chat_update(channel="C1", ts=user_msg.ts, text="x")
        assert error_of(exc) == "cant_update_message"

    def test_ephemeral_goes_to_one_user(self, fake: FakeSlack, client: WebClient) -> None:
        resp = client.chat_postEphemeral(channel="C1", user="U1", text="só você vê", blocks=RESOLVEU)

        (eph,) = fake.ephemerals
        assert (eph.channel, eph.user, eph.text, eph.message_ts) == ("C1", "U1", "só você vê", resp["message_ts"])
        assert fake.messages() == []

    def test_ephemeral_to_unknown_user_is_refused(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postEphemeral(channel="C1", user="U404", text="x")
        assert error_of(exc) == "user_not_in_channel"

    def test_reaction_twice_is_already_reacted(self, fake: FakeSlack, client: WebClient) -> None:
        msg = fake.add_message("C1", "socorro", user="U1")
        client.reactions_add(channel="C1", timestamp=msg.ts, name="eyes")

        with pytest.raises(SlackApiError) as exc:
            client.reactions_add(channel="C1", timestamp=msg.ts, name="eyes")

        assert error_of(exc) == "already_reacted"
        assert [(r.timestamp, r.name) for r in fake.reactions] == [(msg.ts, "eyes")]

    def test_reaction_on_unknown_message(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.reactions_add(channel="C1", timestamp="1.000001", name="eyes")
        assert error_of(exc) == "message_not_found"

    def test_permalink_of_a_thread_reply(self, fake: FakeSlack, client: WebClient) -> None:
        parent = fake.add_message("C1", "pergunta", user="U1")
        reply = client.chat_postMessage(channel="C1", text="resposta", thread_ts=parent.ts)

        link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]

        assert link.startswith("https://chamado-test.slack.com/archives/C1/p")
        assert f"thread_ts={parent.ts}" in link

    def test_replies_list_the_thread(self, fake: FakeSlack, client: WebClient) -> None:
        parent = fake.add_message("C1", "pergunta", user="U1")
        client.chat_postMessage(channel="C1", text="resposta", thread_ts=parent.ts)
        fake.add_message("C1", "valeu", user="U1", thread_ts=parent.ts)

        msgs = client.conversations_replies(channel="C1", ts=parent.ts)["messages"]

        assert [m["text"] for m in msgs] == ["pergunta", "resposta", "valeu"]
        assert msgs[0]["reply_count"] == 2
        assert msgs[1]["parent_user_id"] == "U1"
