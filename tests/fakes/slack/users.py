"""Users in the fake Slack: the workspace members (``add_user``) and ``users.info``."""

from __future__ import annotations

import copy
import time
from typing import Any

from .state import _State
from .validation import _SlackError, _truthy

_TZ_BY_LOCALE = {
    "pt-BR": ("America/Sao_Paulo", "Brasilia Standard Time", -10_800),
    "en-US": ("America/New_York", "Eastern Standard Time", -18_000),
}
_DEFAULT_TZ = ("America/Sao_Paulo", "Brasilia Standard Time", -10_800)


class _Users(_State):
    def add_user(
        self,
        user_id: str,
        name: str,
        email: str | None = None,
        locale: str = "pt-BR",
        is_bot: bool = False,
        *,
        real_name: str | None = None,
        tz: str | None = None,
    ) -> dict[str, Any]:
        """Register a workspace member; returns the ``users.info`` user object."""
        tz_name, tz_label, tz_offset = _TZ_BY_LOCALE.get(locale, _DEFAULT_TZ)
        if tz is not None:
            tz_name = tz
        real = real_name or name.replace(".", " ").title()
        first, _, last = real.partition(" ")
        profile: dict[str, Any] = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": name,
            "display_name_normalized": name,
            "first_name": first,
            "last_name": last,
            "team": self.team_id,
            "image_48": f"https://avatars.example.invalid/{user_id}_48.png",
        }
        if email:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else f"B{user_id}"
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": tz_name,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "locale": locale,
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "profile": profile,
        }
        with self._lock:
            self._users[user_id] = user
        return copy.deepcopy(user)

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(args.get("user") or "")
        if user is None:
            raise _SlackError("user_not_found")
        user = copy.deepcopy(user)
        if not _truthy(args.get("include_locale")):
            # Slack only sends the locale when asked with include_locale=true
            user.pop("locale", None)
        return {"user": user}
