"""Files in the fake Slack: ``add_file``, ``files.info`` and ``url_private`` downloads."""

from __future__ import annotations

import copy
import time
from typing import Any

from aiohttp import web

from .state import _State
from .validation import _SlackError


class _Files(_State):
    def add_file(
        self,
        file_id: str,
        name: str,
        *,
        content: bytes = b"",
        mimetype: str = "text/plain",
        filetype: str | None = None,
        user: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """Register a file; returns the file object (as in files.info and message
        events). Its ``url_private`` serves ``content`` when asked with the bot token."""
        path = f"/files-pri/{self.team_id}-{file_id}/{name}"
        file_obj = {
            "id": file_id,
            "created": int(time.time()),
            "timestamp": int(time.time()),
            "name": name,
            "title": title or name,
            "mimetype": mimetype,
            "filetype": filetype or (name.rsplit(".", 1)[-1] if "." in name else "text"),
            "pretty_type": mimetype,
            "user": user,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "size": len(content),
            "url_private": f"{self.root_url}{path}",
            "url_private_download": f"{self.root_url}{path}?download=1",
        }
        with self._lock:
            self._files[file_id] = file_obj
            self._file_contents[path] = content
        return copy.deepcopy(file_obj)

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file_obj = self._files.get(args.get("file") or "")
        if file_obj is None:
            raise _SlackError("file_not_found")
        return {"file": copy.deepcopy(file_obj), "comments": [], "response_metadata": {"next_cursor": ""}}

    def _file_download(self, request: web.Request, path: str) -> web.StreamResponse:
        with self._lock:
            content = self._file_contents.get(path)
        if content is None:
            return web.Response(status=404, text="file_not_found")
        if self._bearer(request) != self.token:
            # Like Slack: without the token you get redirected to the sign-in page (HTML, 200)
            raise web.HTTPFound(location="/")
        return web.Response(body=content, content_type="application/octet-stream")
