"""Bot identity and commands in the fake Telegram: getMe, logOut, close, *MyCommands.

`_Commands` answers who the bot is and keeps the command lists per scope and
language (``setMyCommands``/``getMyCommands``/``deleteMyCommands``, validated
like Telegram); tests read them back with ``commands()``.
"""

from __future__ import annotations

import copy
import json
import re

from .records import JSON
from .state import _api, _State
from .validation import _Params, bad_request

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class _Commands(_State):
    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        with self._lock:
            return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    @_api("getMe")
    def _get_me(self, p: _Params, token: str) -> JSON:
        return self.bot_user(token) | {
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("logOut")
    def _log_out(self, p: _Params, token: str) -> bool:
        return True

    @_api("close")
    def _close(self, p: _Params, token: str) -> bool:
        return True

    @_api("setMyCommands")
    def _set_my_commands(self, p: _Params, token: str) -> bool:
        commands = p.obj("commands", required=True)
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: object expected")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND.match(name.removeprefix("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("command description must be non-empty")
        key = (_scope_key(self._scope(p)), self._language(p))
        self._commands[key] = [{"command": c["command"].removeprefix("/"),
                                "description": c["description"]} for c in commands]
        return True

    @_api("deleteMyCommands")
    def _delete_my_commands(self, p: _Params, token: str) -> bool:
        self._commands.pop((_scope_key(self._scope(p)), self._language(p)), None)
        return True

    @_api("getMyCommands")
    def _get_my_commands(self, p: _Params, token: str) -> list[JSON]:
        return copy.deepcopy(
            self._commands.get((_scope_key(self._scope(p)), self._language(p)), []))

    def _scope(self, p: _Params) -> JSON | None:
        scope = p.obj("scope")
        if scope is None:
            return None
        if not isinstance(scope, dict) or scope.get("type") not in (
            "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
            "chat", "chat_administrators", "chat_member",
        ):
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"].startswith("chat"):
            self._known_chat(scope.get("chat_id"))
        return scope

    @staticmethod
    def _language(p: _Params) -> str:
        language = p.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return language


def _scope_key(scope: JSON | None) -> str:
    if not scope or scope.get("type") == "default":
        return "default"
    return json.dumps(scope, sort_keys=True)
