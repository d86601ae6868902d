"""``auth.test`` in the fake Slack: who the bot is, and the scopes its token has."""

from __future__ import annotations

from typing import Any

from .state import _State


class _Auth(_State):
    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _scopes(self) -> str:
        return ",".join(
            [
                "chat:write",
                "commands",
                "reactions:write",
                "users:read",
                "users:read.email",
                "im:write",
                "im:history",
                "channels:read",
                "channels:history",
                "files:read",
            ]
        )
