"""Messages in the fake Slack: chat.postMessage/update/delete/postEphemeral/getPermalink.

`_Chat` posts, updates and deletes messages the way Slack does (only the bot's
own; blocks dropped when an update sends only text), keeps the message history
(``add_message`` for messages people wrote) and adds reactions
(``reactions.add``, ``already_reacted``).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from .records import Ephemeral, Message, Reaction, Update
from .state import _State
from .validation import _check_content, _SlackError


class _Chat(_State):
    def add_message(
        self,
        channel: str,
        text: str,
        user: str,
        *,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Message:
        """Put a message someone (not the bot) wrote into the history, so that
        reactions.add, conversations.replies and chat.getPermalink can find it. Use its
        ``ts`` in the event you then send to the bot. Not listed by ``messages()``."""
        with self._lock:
            if channel not in self._channels:
                raise ValueError(f"unknown channel {channel!r}; add_channel() it first")
            ts = ts or self._next_ts()
            parent = self._history.get((channel, thread_ts)) if thread_ts else None
            msg = Message(
                channel=channel,
                ts=ts,
                text=text,
                blocks=copy.deepcopy(blocks),
                thread_ts=thread_ts,
                user=user,
                files=copy.deepcopy(files),
                team=self.team_id,
                parent_user_id=parent.user if parent else None,
            )
            self._history[(channel, ts)] = msg
            self._notify()
            return msg

    def _require_message(self, channel: str, ts: Any) -> Message:
        msg = self._history.get((channel, ts)) if isinstance(ts, str) else None
        if msg is None:
            raise _SlackError("message_not_found")
        return msg

    def _post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None, thread_ts: str | None) -> Message:
        parent = self._history.get((channel, thread_ts)) if thread_ts else None
        msg = Message(
            channel=channel,
            ts=self._next_ts(),
            text=text,
            blocks=blocks,
            thread_ts=thread_ts or None,
            user=self.bot_user_id,
            bot_id=self.bot_id,
            team=self.team_id,
            parent_user_id=parent.user if parent else None,
        )
        self._history[(channel, msg.ts)] = msg
        self._posted.append((channel, msg.ts))
        return msg

    def _apply_update(
        self, msg: Message, text: str | None, blocks: list[dict[str, Any]] | None, has_blocks: bool
    ) -> Message:
        # Slack: blocks omitted + text given -> blocks removed; blocks given + text
        # omitted -> previous text kept.
        new = replace(
            msg,
            text=text if text is not None else msg.text,
            blocks=blocks if has_blocks else (None if text is not None else msg.blocks),
        )
        self._history[(msg.channel, msg.ts)] = new
        self._updates.append(Update(new.channel, new.ts, new.text, copy.deepcopy(new.blocks)))
        return new

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"), allow_user=True)
        text, blocks = _check_content(args)
        msg = self._post(channel, text, blocks, args.get("thread_ts") or None)
        return {"channel": channel, "ts": msg.ts, "message": msg.to_dict()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("ts"))
        if msg.user != self.bot_user_id:
            raise _SlackError("cant_update_message")
        text, blocks = _check_content(args)
        new = self._apply_update(msg, text if args.get("text") is not None else None, blocks, "blocks" in args)
        return {"channel": channel, "ts": new.ts, "text": new.text, "message": new.to_dict()}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("ts"))
        if msg.user != self.bot_user_id:
            raise _SlackError("cant_delete_message")
        del self._history[(channel, msg.ts)]
        return {"channel": channel, "ts": msg.ts}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        user = args.get("user")
        if not isinstance(user, str) or user not in self._users:
            raise _SlackError("user_not_in_channel")
        text, blocks = _check_content(args)
        ts = self._next_ts()
        self._ephemerals.append(Ephemeral(channel, user, text, blocks, args.get("thread_ts") or None, ts))
        return {"message_ts": ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("message_ts"))
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{msg.ts.replace('.', '')}"
        if msg.thread_ts and msg.thread_ts != msg.ts:
            link += f"?thread_ts={msg.thread_ts}&cid={channel}"
        return {"channel": channel, "permalink": link}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("name")
        if not isinstance(name, str) or not name.strip(":"):
            raise _SlackError("invalid_name")
        name = name.strip(":")
        if not args.get("channel") or not args.get("timestamp"):
            raise _SlackError("no_item_specified")
        channel = self._resolve_channel(args.get("channel"))
        msg = self._require_message(channel, args.get("timestamp"))
        key = (channel, msg.ts, name, self.bot_user_id)
        if key in self._reaction_keys:
            raise _SlackError("already_reacted")
        self._reaction_keys.add(key)
        self._reactions.append(Reaction(channel, msg.ts, name, self.bot_user_id))
        return {}
