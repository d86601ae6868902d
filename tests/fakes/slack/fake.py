"""`FakeSlack`, assembled from its API areas, with the table of Web API methods it serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .auth import _Auth
from .chat import _Chat
from .conversations import _Conversations
from .files import _Files
from .recording import _Recording
from .responses import _Responses
from .server import _Server
from .users import _Users
from .waiting import _Waiting


class FakeSlack(_Server, _Recording, _Waiting, _Auth, _Users, _Conversations, _Chat, _Files, _Responses):
    """A local fake of the Slack Web API (see the ``tests.fakes.slack`` docstring)."""

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "api.test": lambda args: {"args": args},
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.replies": self._conversations_replies,
            "files.info": self._files_info,
        }
