"""Self-tests of the fake Slack: users.*, conversations.* and files.*."""

from __future__ import annotations

import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import FakeSlack
from tests.fakes.test_fake_slack.helpers import error_of


class TestUsersAndConversations:
    def test_users_info_gives_locale_only_with_include_locale(self, client: WebClient) -> None:
        plain = client.users_info(user="U1")["user"]
        with_locale = client.users_info(user="U1", include_locale=True)["user"]

        assert "locale" not in plain
        assert with_locale["locale"] == "pt-BR"
        assert with_locale["profile"]["email"] == "ana@example.com"
        assert with_locale["tz"] == "America/Sao_Paulo"

    def test_english_user(self, client: WebClient) -> None:
        user = client.users_info(user="U2", include_locale=True)["user"]
        assert (user["name"], user["locale"]) == ("bob", "en-US")

    def test_unknown_user(self, client: WebClient) -> None:
        with pytest.raises(SlackApiError) as exc:
            client.users_info(user="U404")
        assert error_of(exc) == "user_not_found"

    def test_opened_dm_is_a_known_channel(self, fake: FakeSlack, client: WebClient) -> None:
        first = client.conversations_open(users="U1")
        again = client.conversations_open(users=["U1"])

        dm = first["channel"]["id"]
        assert dm.startswith("D") and again["channel"]["id"] == dm and again["already_open"]
        client.chat_postMessage(channel=dm, text="oi")
        assert client.conversations_info(channel=dm)["channel"]["is_im"] is True
        assert fake.last_message(dm).text == "oi"  # type: ignore[union-attr]

    def test_posting_to_a_user_id_lands_in_the_dm(self, fake: FakeSlack, client: WebClient) -> None:
        resp = client.chat_postMessage(channel="U1", text="oi")
        assert resp["channel"] == fake.dm_channel("U1")

    def test_channel_info_by_id(self, client: WebClient) -> None:
        info = client.conversations_info(channel="C1")["channel"]
        assert (info["name"], info["is_channel"]) == ("suporte", True)

    def test_file_info_and_private_download(self, fake: FakeSlack, client: WebClient) -> None:
        f = fake.add_file("F1", "erro.log", content=b"boom", user="U1")

        assert client.files_info(file="F1")["file"]["name"] == "erro.log"
        req = urllib.request.Request(f["url_private"], headers={"Authorization": f"Bearer {fake.token}"})
        with urllib.request.urlopen(req) as resp:
            assert resp.read() == b"boom"
        with urllib.request.urlopen(f["url_private"]) as resp:  # no token: the sign-in page
            assert b"Sign in" in resp.read()
