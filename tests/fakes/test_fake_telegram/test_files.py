"""Self-tests of the fake Telegram: media, files, copies, reactions, chats and commands."""

from __future__ import annotations

from typing import Any

import pytest
import telegram
from telegram.error import BadRequest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as u
from tests.fakes.test_fake_telegram.helpers import ANA, BRUNO, HELPDESK


class TestFilesAndOtherMethods:
    async def test_media_is_sent_by_known_file_id_and_can_be_downloaded(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        fake.queue_update(u.photo_message(ANA, caption="erro na tela"))
        [update] = await bot.get_updates()
        assert update.message is not None
        photo_id = update.message.photo[-1].file_id
        forwarded = await bot.send_photo(HELPDESK, photo_id, caption="<i>print</i>",
                                         parse_mode="HTML")
        assert forwarded.caption == "print"
        assert fake.last_message(HELPDESK).kind == "photo"  # type: ignore[union-attr]

        uploaded = await bot.send_document(ANA, b"conteudo", filename="log.txt")
        file = await bot.get_file(uploaded.document.file_id)  # type: ignore[union-attr]
        assert bytes(await file.download_as_bytearray()) == b"conteudo"

        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await bot.send_photo(ANA, "no-such-file")
        with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as document"):
            await bot.send_document(ANA, photo_id)

    @pytest.mark.parametrize(
        ("build", "send"),
        [
            (u.document_message, "send_document"),
            (u.voice_message, "send_voice"),
            (u.video_message, "send_video"),
            (u.video_note_message, "send_video_note"),
        ],
    )
    async def test_every_media_kind_is_resent_by_file_id(
        self, fake: FakeTelegram, bot: telegram.Bot, build: Any, send: str
    ) -> None:
        fake.queue_update(build(ANA))
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.effective_attachment is not None
        file_id = update.message.effective_attachment.file_id  # type: ignore[union-attr]
        await getattr(bot, send)(BRUNO, file_id)
        sent = fake.last_message(BRUNO)
        assert sent is not None and sent.file_id == file_id
        assert sent.kind == build.__name__.removesuffix("_message")

    async def test_copy_message_reaction_and_get_chat(
        self, fake: FakeTelegram, bot: telegram.Bot
    ) -> None:
        fake.queue_update(u.voice_message(ANA))
        [update] = await bot.get_updates()
        assert update.message is not None
        copied = await bot.copy_message(HELPDESK, ANA, update.message.message_id)
        assert fake.message(HELPDESK, copied.message_id)["voice"]["file_id"] == (  # type: ignore[index]
            update.message.voice.file_id)  # type: ignore[union-attr]
        await bot.set_message_reaction(ANA, update.message.message_id, "👍")
        assert fake.reactions[0].reaction == [{"type": "emoji", "emoji": "👍"}]
        with pytest.raises(BadRequest, match=r"(?i)REACTION_INVALID"):
            await bot.set_message_reaction(ANA, update.message.message_id, "🦖")
        chat = await bot.get_chat(HELPDESK)
        assert chat.is_forum and chat.title == "Suporte N1"

    async def test_commands_round_trip_per_language(self, bot: telegram.Bot) -> None:
        await bot.set_my_commands([("start", "Começar"), ("ajuda", "Ajuda")], language_code="pt")
        assert [c.command for c in await bot.get_my_commands(language_code="pt")] == [
            "start", "ajuda"]
        assert await bot.get_my_commands() == ()
        with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
            await bot.set_my_commands([("start", "Começar")], language_code="pt-br")
        await bot.delete_my_commands(language_code="pt")
        assert await bot.get_my_commands(language_code="pt") == ()
