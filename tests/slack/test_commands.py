"""``/chamado``: the analyst's queue and tickets, answered only to whoever asked."""

from __future__ import annotations

from tests.slack.conftest import ANA, DIEGO, INTRUDER, SlackWorkspace


async def test_fila_lists_my_queue_as_an_ephemeral_answer(slack: SlackWorkspace) -> None:
    first = slack.open_ticket(subject="NF-e rejeitada")
    second = slack.open_ticket(subject="Boleto sem código de barras")
    await slack.settle()
    await slack.press(ANA, slack.card(first), "Assumir")
    await slack.settle()

    answer = await slack.command(ANA, "fila")

    assert first in answer and second in answer
    assert "NF-e rejeitada" in answer and "Ana Souza" in answer
    (ephemeral,) = [e for e in slack.fake.ephemerals if e.user == ANA]
    assert ephemeral.text == answer
    assert not [m for m in slack.fake.messages() if "Sua fila" in m.text]  # nothing public


async def test_fila_of_an_n2_analyst_leaves_out_n1_tickets(slack: SlackWorkspace) -> None:
    slack.open_ticket()
    await slack.settle()

    assert "Fila vazia" in await slack.command(DIEGO, "fila")


async def test_ver_shows_the_ticket_with_its_internal_notes(slack: SlackWorkspace) -> None:
    number = slack.open_ticket(description="Erro 539 ao transmitir a nota.")
    await slack.settle()
    await slack.analyst_says(ANA, number, "!nota certificado vence amanhã")
    await slack.settle()

    answer = await slack.command(ANA, f"ver {number}")

    assert number in answer and "Comercial Prata" in answer
    assert "Erro 539 ao transmitir a nota." in answer
    assert "certificado vence amanhã" in answer and "(nota interna)" in answer


async def test_ver_of_an_unknown_ticket_is_a_polite_error(slack: SlackWorkspace) -> None:
    answer = await slack.command(ANA, "ver 2026-999999")
    assert "2026-999999" in answer and "Traceback" not in answer


async def test_horas_logs_time_on_the_ticket(slack: SlackWorkspace) -> None:

    number = slack.open_ticket()
    assert "1h30 registradas" in await slack.command(ANA, f"horas {number} 1.5 ajuste de certificado")
    assert "Uso:" in await slack.command(ANA, f"horas {number}")
    assert "Traceback" not in await slack.command(ANA, f"horas {number} muitas")
    entries = slack.desk.ticket_hours(number)
    assert [(e.minutes, e.note) for e in entries.entries] == [(90, "ajuste de certificado")]


async def test_escalar_records_the_reason_given(slack: SlackWorkspace) -> None:
    number = slack.open_ticket()
    await slack.settle()

    answer = await slack.command(ANA, f"escalar {number} precisa de acesso ao banco")
    await slack.settle()

    assert "N2" in answer
    assert slack.ticket(number).level == "N2"
    assert "precisa de acesso ao banco" in slack.thread_text(number)


async def test_without_arguments_it_explains_itself(slack: SlackWorkspace) -> None:
    answer = await slack.command(ANA, "")
    assert "/chamado fila" in answer and "!nota" in answer


async def test_non_analyst_is_refused(slack: SlackWorkspace) -> None:
    number = slack.open_ticket()
    await slack.settle()

    answer = await slack.command(INTRUDER, f"ver {number}")

    assert "Só analistas cadastrados" in answer
    assert number not in answer
