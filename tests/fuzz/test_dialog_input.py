"""Random text and button data into ``Dialog.handle``: it answers or refuses, it never raises.

Each example is a short conversation: a linked project manager, a contact who may
not open tickets and a stranger type random text or commands, press buttons the
bot really sent (to get deep into the flows) or send button data nobody sent.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.bot.conftest import Harness
from tests.fuzz.conftest import fuzz_conversations

COMMANDS = ["/abrir", "/chamados", "/status", "/novo", "/cancelar", "/vincular", "/idioma", "/ajuda", "/pular",
            "/open", "/status 2026-000001", "/idioma en", "/abrir NF-e rejeitada"]
texts = st.one_of(st.text(max_size=80), st.sampled_from(COMMANDS),
                  st.tuples(st.sampled_from(COMMANDS), st.text(max_size=30)).map(" ".join),
                  st.sampled_from(["esqueci minha senha", "1", "5", "Sim", "Não", "", " ", "2026-000001"]))
steps = st.lists(st.tuples(st.sampled_from(["pm", "other", "stranger"]),
                           st.sampled_from(["text", "text", "real button", "real button", "forged button"]),
                           texts, st.integers(0, 20)), min_size=1, max_size=8)


@fuzz_conversations
@given(conversation=steps)
def test_no_input_makes_the_dialog_raise(harness: Harness, conversation: list[tuple[str, str, str, int]]) -> None:
    chats = {"pm": harness.client("paula@prata.example", user_id="fz-pm"),
             "other": harness.client("pedro@prata.example", user_id="fz-other"),
             "stranger": harness.client(user_id="fz-stranger")}
    for who, kind, text, pick in conversation:
        chat = chats[who]
        buttons = [b for r in chat.replies[-3:] for row in r.buttons for b in row]
        if kind == "real button" and buttons:
            chat.press_data(buttons[pick % len(buttons)].data)
        elif kind == "forged button":
            chat.press_data(text)
        else:
            chat.send(text)
