"""Files and media in the fake Telegram: send* of photos, documents, voice, video, audio.

`_Files` resolves what the bot sends (an uploaded file, a URL, or a known
``file_id`` of the right type), registers files (``add_file`` for tests), and
serves ``getFile``; the download itself is in server.py.
"""

from __future__ import annotations

import re
from typing import Any

from . import updates
from .records import JSON, UploadedFile
from .state import _api, _FileRecord, _State
from .validation import _check_text_length, _Params, bad_request

_MEDIA_KINDS = ("photo", "document", "voice", "video", "video_note", "audio")
_FILE_PREFIX = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "video": "BAAC",
                "video_note": "DQAC", "audio": "CQAC"}


class _Files(_State):
    def add_file(
        self, kind: str, content: bytes = b"", file_id: str | None = None, **meta: Any
    ) -> str:
        """Make a file known (e.g. one a user sent earlier); returns its file_id."""
        with self._lock:
            return self._register_file(kind, file_id, content, meta).file_id

    def _send_media(self, p: _Params, token: str, kind: str, method: str) -> JSON:
        chat = self._chat(p, sending=True)
        source = p.required(kind)
        record = self._resolve_file(source, kind, p)
        raw = p.text("caption")
        caption: str | None = None
        entities: list[JSON] = []
        if raw is not None and kind != "video_note":
            caption, entities = self._format(raw, p.text("parse_mode"), p.obj("caption_entities"))
            _check_text_length(caption, 1024, None, "message caption is too long")
        markup = self._reply_markup(p)
        thread_id = self._thread_of(chat, p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        return self._store_bot_message(
            chat, token, method, kind=kind, caption=caption or None, raw=raw,
            parse_mode=p.text("parse_mode"), entities=entities, markup=markup,
            thread_id=thread_id, reply_to=reply_to, file=record,
        )

    @_api("sendPhoto")
    def _send_photo(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "photo", "sendPhoto")

    @_api("sendDocument")
    def _send_document(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "document", "sendDocument")

    @_api("sendVoice")
    def _send_voice(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "voice", "sendVoice")

    @_api("sendVideo")
    def _send_video(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "video", "sendVideo")

    @_api("sendVideoNote")
    def _send_video_note(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "video_note", "sendVideoNote")

    @_api("sendAudio")
    def _send_audio(self, p: _Params, token: str) -> JSON:
        return self._send_media(p, token, "audio", "sendAudio")

    def _resolve_file(self, source: Any, kind: str, p: _Params) -> _FileRecord:
        if isinstance(source, str) and source.startswith("attach://"):
            source = p.values.get(source.removeprefix("attach://"))
        if isinstance(source, UploadedFile):
            meta: JSON = {}
            if kind == "document":
                meta = {"file_name": source.filename or "file",
                        "mime_type": source.content_type or "application/octet-stream"}
            return self._register_file(kind, None, source.data, meta)
        if not isinstance(source, str) or not source:
            raise bad_request(f'parameter "{kind}" is required')
        if re.match(r"^https?://", source):
            return self._register_file(kind, None, b"", {})
        record = self._files.get(source)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.kind != kind:
            raise bad_request(
                f"can't use file of type {_type_name(record.kind)} as {_type_name(kind)}")
        return record

    def _register_file(
        self, kind: str, file_id: str | None, content: bytes, meta: JSON
    ) -> _FileRecord:
        number = next(self._ids)
        file_id = file_id or f"{_FILE_PREFIX.get(kind, 'BQAC')}-fake-{kind}-{number:06d}"
        unique = f"AQAD-{kind}-{number:06d}"
        extension = {"photo": "jpg", "voice": "oga", "video": "mp4", "video_note": "mp4",
                     "audio": "mp3"}.get(kind, "bin")
        obj = updates.media_object(kind, file_id, unique_id=unique, size=len(content), **meta)
        record = _FileRecord(kind, file_id, unique, obj, content,
                             f"{kind}s/file_{number}.{extension}")
        self._files[file_id] = record
        return record

    @_api("getFile")
    def _get_file(self, p: _Params, token: str) -> JSON:
        file_id = p.text("file_id", required=True) or ""
        record = self._files.get(file_id)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.file_path is None:
            number = next(self._ids)
            record.file_path = f"{record.kind}s/file_{number}"
        return {"file_id": record.file_id, "file_unique_id": record.file_unique_id,
                "file_size": len(record.content), "file_path": record.file_path}


def _type_name(kind: str) -> str:
    return {"video_note": "VideoNote"}.get(kind, kind.capitalize())


def _media_object(record: _FileRecord) -> Any:
    return [dict(record.meta)] if record.kind == "photo" else dict(record.meta)


def _file_id_of(message: JSON, kind: str) -> str | None:
    media = message.get(kind)
    if isinstance(media, list) and media:
        return str(media[-1].get("file_id"))
    if isinstance(media, dict):
        return str(media.get("file_id"))
    return None
