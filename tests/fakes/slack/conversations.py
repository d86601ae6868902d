"""Conversations in the fake Slack: channels, DMs and conversations.open/info/replies.

`_Conversations` registers channels (``add_channel``), opens DMs
(``dm_channel``, ``conversations.open``, posting to a user id), resolves a
``channel`` argument by id or name (``channel_not_found``) and lists threads.
"""

from __future__ import annotations

from typing import Any

from .state import _Channel, _State
from .validation import _SlackError, _truthy


class _Conversations(_State):
    def add_channel(self, channel_id: str, name: str, *, is_private: bool = False) -> None:
        """Register a channel the bot is a member of."""
        with self._lock:
            self._channels[channel_id] = _Channel(id=channel_id, name=name, is_private=is_private)

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id between the bot and ``user_id`` (opened if needed), as
        conversations.open would return it; use it as ``channel`` of an ``im`` event."""
        with self._lock:
            if user_id not in self._users:
                raise ValueError(f"unknown user {user_id!r}; add_user() it first")
            return self._open_dm(user_id)[0]

    def _open_dm(self, user_id: str) -> tuple[str, bool]:
        """(DM channel id, whether it already existed)."""
        existing = self._dms.get(user_id)
        if existing:
            return existing, True
        dm_id = f"D{next(self._id_seq):08d}"
        self._channels[dm_id] = _Channel(id=dm_id, name=dm_id, is_im=True, user=user_id)
        self._dms[user_id] = dm_id
        return dm_id, False

    def _resolve_channel(self, value: Any, *, allow_user: bool = False) -> str:
        if not isinstance(value, str) or not value:
            raise _SlackError("channel_not_found")
        if value in self._channels:
            return value
        name = value.lstrip("#")
        for ch in self._channels.values():
            if not ch.is_im and ch.name == name:
                return ch.id
        if allow_user and value in self._users:
            # chat.postMessage to a user id posts in the bot's DM with that user
            return self._open_dm(value)[0]
        raise _SlackError("channel_not_found")

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = args.get("users")
        if isinstance(users, str):
            user_ids = [u.strip() for u in users.split(",") if u.strip()]
        elif isinstance(users, list):
            user_ids = [str(u) for u in users]
        else:
            user_ids = []
        if not user_ids:
            if args.get("channel"):
                channel_id = self._resolve_channel(args["channel"])
                return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
            raise _SlackError("users_list_not_supplied")
        for uid in user_ids:
            if uid not in self._users:
                raise _SlackError("user_not_found")
        if len(user_ids) == 1:
            channel_id, existed = self._open_dm(user_ids[0])
        else:
            channel_id, existed = f"G{next(self._id_seq):08d}", False
            self._channels[channel_id] = _Channel(
                id=channel_id,
                name=f"mpdm-{'--'.join(user_ids)}-1",
                is_mpim=True,
                is_private=True,
                members=tuple(user_ids),
            )
        result: dict[str, Any] = {"channel": {"id": channel_id}}
        if existed:
            result.update(no_op=True, already_open=True)
        if _truthy(args.get("return_im")):
            result["channel"] = self._channel_object(self._channels[channel_id])
        return result

    def _channel_object(self, ch: _Channel) -> dict[str, Any]:
        if ch.is_im:
            return {
                "id": ch.id,
                "created": ch.created,
                "is_im": True,
                "is_org_shared": False,
                "user": ch.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": ch.id,
            "name": ch.name,
            "name_normalized": ch.name,
            "created": ch.created,
            "is_channel": not ch.is_private and not ch.is_mpim,
            "is_group": ch.is_private and not ch.is_mpim,
            "is_im": False,
            "is_mpim": ch.is_mpim,
            "is_private": ch.is_private,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        return {"channel": self._channel_object(self._channels[channel])}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        parent = self._history.get((channel, ts)) if isinstance(ts, str) else None
        if parent is None:
            raise _SlackError("thread_not_found")
        if parent.thread_ts and parent.thread_ts != parent.ts:
            return {"messages": [parent.to_dict()], "has_more": False}
        replies = sorted(
            (m for (ch, _), m in self._history.items() if ch == channel and m.thread_ts == ts and m.ts != ts),
            key=lambda m: float(m.ts),
        )
        head = parent.to_dict()
        if replies:
            head.update(
                thread_ts=parent.ts,
                reply_count=len(replies),
                reply_users=sorted({m.user for m in replies if m.user}),
                latest_reply=replies[-1].ts,
            )
        return {
            "messages": [head, *(m.to_dict() for m in replies)],
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }
