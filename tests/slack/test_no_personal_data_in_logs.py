"""A whole conversation with logging at DEBUG: no client text, name or e-mail reaches the log.

Every record is formatted the way production writes it (``chamado.logs.JsonFormatter``,
extras included), so a body hidden in an ``extra`` field counts too.
"""

from __future__ import annotations

import logging

import pytest

from chamado.logs import JsonFormatter
from tests.fakes.slack import event_body, message_event, signed_headers, wrong_secret_headers
from tests.slack.conftest import ANA, PAULA, PAULA_EMAIL, SECRET, SlackWorkspace

QUESTION = "esqueci minha senha"
SUBJECT = "Nota da Pindamonhangaba rejeitada"
DESCRIPTION = "Zebra azul transmitida com erro na filial Xique-Xique."
FOLLOW_UP = "Segue o print da tela amarela do Quixeramobim."
ANSWER = "Ajustei o cadastro do Quixadá; tente de novo."
FORGED = "Mensagem forjada sobre o Jacarepaguá"
MALFORMED = '{"type": "event_callback", "event": {"type": "message", "text": "Itaquaquecetuba'
SECRETS = [QUESTION, "Pindamonhangaba", "Zebra azul", "Xique-Xique", "Quixeramobim", "Quixadá", "Jacarepaguá",
           "Itaquaquecetuba", PAULA_EMAIL, "Paula Prado", "tela_amarela.png"]


async def test_a_whole_conversation_logs_no_personal_data(slack: SlackWorkspace,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG: everything any library logs is captured
    dm = slack.link_client()

    # The FAQ answers (and helps), then a ticket opened by /abrir, its description typed in.
    for says, value in (("text", QUESTION), ("press", "Sim"), ("text", f"/abrir {SUBJECT}"), ("press", "Financeiro"),
                        ("press", "Alta"), ("text", DESCRIPTION), ("press", "Confirmar")):
        await (slack.client_says(PAULA, value) if says == "text" else slack.client_presses(PAULA, value))
        await slack.settle()
    number = slack.last_dm().text.split("Chamado ")[1].split(" ")[0]
    upload = slack.fake.add_file("F9", "tela_amarela.png", content=b"png", mimetype="image/png", user=PAULA)
    await slack.client_says(PAULA, FOLLOW_UP, files=[upload])
    await slack.settle()
    await slack.analyst_says(ANA, number, ANSWER)
    await slack.settle()
    forged = event_body(message_event(PAULA, dm, FORGED, channel_type="im"))
    assert await slack.post_with(forged, wrong_secret_headers(forged)) == 401
    assert await slack.post_with(MALFORMED, signed_headers(MALFORMED, SECRET)) == 400
    await slack.settle()

    assert ANSWER in slack.last_dm().all_text and slack.ticket(number).messages[-2].body == FOLLOW_UP
    formatter = JsonFormatter()
    written = "\n".join(formatter.format(record) for record in caplog.records)
    assert [r.getMessage() for r in caplog.records].count("request refused") == 2  # the log was captured
    leaked = [s for s in SECRETS if s.lower() in written.lower()]
    assert leaked == [], written
