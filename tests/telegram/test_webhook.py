"""Updates by webhook: the secret token guards the endpoint; 200 only once the update is handled."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.store.orm import Conversation, ProcessedUpdate
from tests.fakes.telegram import updates as u
from tests.telegram.conftest import PAULA, Harness, HarnessFactory


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
