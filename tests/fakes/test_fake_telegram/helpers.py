"""What the fake Telegram's self-tests share: chat ids, PTB helpers and handlers."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from tests.fakes.telegram import FakeTelegram

ANA = 1001
BRUNO = 1002
HELPDESK = -1001234567890  # a forum supergroup where analysts work
PLAIN_GROUP = -4001


def build_app(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with app:
        await app.start()
        await app.updater.start_polling()  # type: ignore[union-attr]
        try:
            yield app
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows])


def http(fake: FakeTelegram, method: str, *, token: str | None = None, json_body: Any = None,
         form: dict[str, str] | None = None, query: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, Any]]:
    """A raw request with the standard library, as a non-PTB client would send it."""
    url = fake.method_url(method, token)
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data, headers = None, {}
    if json_body is not None:
        data, headers = json.dumps(json_body).encode(), {"Content-Type": "application/json"}
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# -- handlers of an Application polling the fake ---------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"start {' '.join(context.args or [])}",
                                    reply_markup=keyboard([("Resolveu?", "solved")]))


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"eco: {update.message.text}")


async def solved(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Obrigado!")
    await query.edit_message_text(f"você clicou {query.data}")
