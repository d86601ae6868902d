from tests.slack.conftest import SlackWorkspace, CHANNEL, ANA


async def test_card(slack: SlackWorkspace) -> None:
    number = slack.open_ticket()
    await slack.settle()
    card = slack.card(number)
    print(card.blocks)
    await slack.press(ANA, card, "Assumir")
    await slack.settle()
    print(slack.fake.updates)
    print(slack.thread_text(number))
    said = await slack.analyst_says(ANA, number, "Pode testar de novo?")
    await slack.settle()
    print(slack.dm())
    print(slack.fake.reactions)
    for r in slack.pending_rows(): print(r.kind, r.next_attempt_at, r.last_error, r.attempts)
