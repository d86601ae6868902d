"""Slack text at the edges: escaping, reading Slack's markup back, splitting within limits."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import escape, escaped_chunks, quoted_chunks, to_plain, unescape


def test_escape_neutralises_mentions_and_links() -> None:
    assert escape("<!channel> & <https://x|y>") == "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
    assert unescape(escape("a < b & c > d")) == "a < b & c > d"


@pytest.mark.parametrize(("slack", "plain"), [
    ("veja <https://ajuda.example|o manual>", "veja o manual (https://ajuda.example)"),
    ("veja <https://ajuda.example>", "veja https://ajuda.example"),
    ("fale com <@U1>", "fale com @Ana"),
    ("fale com <@U9>", "fale com @U9"),
    ("no <#C1|suporte>", "no #suporte"),
    ("<!here> atenção", "@here atenção"),
    ("<mailto:a@b.example|a@b.example>", "a@b.example"),
    ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
])
def test_slack_markup_becomes_plain_text(slack: str, plain: str) -> None:
    assert to_plain(slack, {"U1": "Ana"}) == plain


def test_long_text_is_cut_at_word_boundaries_within_the_limit() -> None:
    text = "palavra " * 1000
    chunks = escaped_chunks(text, 3000)
    assert len(chunks) == 3
    assert all(len(c) <= 3000 for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_cuts_never_split_an_escape_sequence() -> None:
    chunks = escaped_chunks("&" * 1000, 3000)
    assert all(len(c) <= 3000 and c.count("&amp;") * 5 == len(c) for c in chunks)
    assert sum(c.count("&amp;") for c in chunks) == 1000


def test_quotes_stay_within_the_limit_even_with_short_lines() -> None:
    chunks = quoted_chunks("a\n" * 5000, 3000)
    assert all(len(c) <= 3000 for c in chunks)
    assert all(line.startswith(">") for c in chunks for line in c.splitlines())
