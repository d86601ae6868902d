"""Updates by webhook: the secret token guards the endpoint; 200 only once the update is handled."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from core.store.orm import Conversation, ProcessedUpdate
from tests.fakes.telegram import updates as u
from tests.telegram.conftest import PAULA, WEBHOOK_SECRET, Harness, HarnessFactory


@pytest.fixture
async def hooked(make_harness: HarnessFactory) -> Harness:
    return await make_harness(mode="webhook")


def processed(tg: Harness) -> int:
    with tg.desk.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0) + int(
            session.scalar(select(func.count()).select_from(Conversation)) or 0)


async def test_a_webhook_call_without_the_right_secret_is_refused_and_changes_nothing(hooked: Harness) -> None:
    tg = hooked
    wrong = await tg.fake.post_to_webhook_async(u.text_message(PAULA, "esqueci minha senha"), secret="wrong")
    missing = await tg.fake.post_to_webhook_async(u.text_message(PAULA, "esqueci minha senha"), secret=None)
    assert (wrong, missing) == (403, 403)
    assert processed(tg) == 0 and not tg.handled
    assert await tg.deliver() == 0


async def test_a_webhook_call_with_the_right_secret_is_handled_before_it_is_answered(hooked: Harness) -> None:
    tg = hooked
    assert tg.fake.webhook_info["url"] == tg.webhook_url
    status = await tg.fake.post_to_webhook_async(u.text_message(PAULA, "esqueci minha senha"))
    assert status == 200
    assert processed(tg) > 0  # answered only after the dialog committed
    await tg.deliver()
    assert tg.last_message(PAULA).button_texts == ["Sim", "Não"]


async def test_queued_updates_reach_the_webhook_and_buttons_work(hooked: Harness) -> None:
    tg = hooked
    await tg.client_says(PAULA, "esqueci minha senha")
    await tg.deliver()
    await tg.press(PAULA, "Sim")
    await tg.deliver()
    assert "Que bom que resolveu" in tg.last_text(PAULA)
    assert {d.status for d in tg.fake.deliveries} == {200}


async def test_a_failing_update_answers_500_so_telegram_sends_it_again(
    hooked: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = hooked
    real = tg.dialog.handle
    calls = []

    def flaky(incoming):  # type: ignore[no-untyped-def]
        calls.append(incoming)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(incoming)

    monkeypatch.setattr(tg.dialog, "handle", flaky)
    update = u.text_message(PAULA, "esqueci minha senha")
    assert await tg.fake.post_to_webhook_async(update) == 500
    assert await tg.fake.post_to_webhook_async(update) == 200
    await tg.deliver()
    assert len(tg.texts(PAULA)) == 1


# --- the door: each refusal a 4xx, no body, one WARNING line, nothing handled ----------------------------

async def raw_post(tg: Harness, body: bytes, *, secret: str | None = WEBHOOK_SECRET,
                   content_type: str = "application/json", method: str = "POST") -> tuple[int, bytes]:
    import aiohttp

    assert tg.webhook_url is not None
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with aiohttp.ClientSession() as session, session.request(method, tg.webhook_url, data=body,
                                                                    headers=headers) as resp:
        return resp.status, await resp.read()


def _update(text: str = "minha senha é 1234") -> bytes:
    return json.dumps(u.text_message(PAULA, text)).encode()


@pytest.mark.parametrize(
    ("body", "options", "status"),
    [
        pytest.param(b'{"update_id": 1, "message": {"text": "minha senha', {}, 400, id="malformed JSON"),
        pytest.param(b'{"update_id": 1, "message": {"text": "minha senha', {"secret": "x"}, 403,
                     id="forged and malformed: the secret first"),
        pytest.param(b'{"update_id": 1, "message": {"text": "minha senha', {"secret": None}, 403,
                     id="no secret and malformed"),
        pytest.param(b"[1, 2, 3]", {}, 400, id="JSON that is not an object"),
        pytest.param(b'{"message": {}}', {}, 400, id="no update_id"),
        pytest.param(b'{"update_id": "1"}', {}, 400, id="update_id not an integer"),
        pytest.param(b'{"update_id": 7, "message": {"chat": 5}}', {}, 400, id="fields PTB cannot read"),
        pytest.param(b'{"update_id": 1, "x": "\xff"}', {}, 400, id="not UTF-8"),
        pytest.param(_update(), {"content_type": "text/plain"}, 415, id="wrong content type"),
        pytest.param(_update(), {"method": "GET"}, 405, id="GET"),
        pytest.param(_update(), {"method": "PUT"}, 405, id="PUT"),
    ],
)
async def test_a_webhook_request_the_bot_cannot_take_gets_a_4xx_with_no_body(
    hooked: Harness, caplog: pytest.LogCaptureFixture, body: bytes, options: dict[str, Any], status: int
) -> None:
    caplog.set_level(logging.DEBUG)

    got = await raw_post(hooked, body, **options)

    assert got == (status, b"")
    assert processed(hooked) == 0 and not hooked.handled
    refusals = [r for r in caplog.records if r.getMessage() == "request refused"]
    assert [r.levelno for r in refusals] == [logging.WARNING]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "1234" not in caplog.text


async def test_an_oversized_webhook_body_gets_413(hooked: Harness) -> None:
    from bot.telegram.webhook import MAX_BODY_BYTES

    assert await raw_post(hooked, _update("x" * MAX_BODY_BYTES)) == (413, b"")
    assert processed(hooked) == 0
