"""Splitting and escaping texts for Telegram's HTML mode (no bot, no database)."""

from __future__ import annotations

from bot.telegram.formatting import MAX_TEXT, escape, html_parts, split_text, units, visible_units, with_header
from bot.telegram.incoming import command_of, strip_bot_name


class TestSplitting:
    def test_a_short_text_is_one_part(self) -> None:
        assert split_text("oi") == ["oi"]

    def test_a_long_text_is_cut_between_paragraphs_first(self) -> None:
        first, second = "a" * 3000, "b" * 3000
        assert split_text(f"{first}\n\n{second}") == [first, second]

    def test_then_between_lines_then_words_then_anywhere(self) -> None:
        lines = "\n".join(["x" * 99] * 60)  # 5,999 characters, no blank line
        parts = split_text(lines)
        assert all(units(p) <= MAX_TEXT for p in parts) and "".join(parts).count("x") == 99 * 60
        assert all(p.endswith("x" * 99) for p in parts)
        words = " ".join(["palavra"] * 1000)
        assert all(not p.startswith(" ") and p.endswith("palavra") for p in split_text(words))
        assert [len(p) for p in split_text("y" * 5000)] == [4096, 904]

    def test_emoji_count_twice_toward_the_limit(self) -> None:
        parts = split_text("😀" * 3000)
        assert [units(p) for p in parts] == [4096, 1904]

    def test_escaping_keeps_the_visible_text_and_the_limit(self) -> None:
        parts = html_parts("<b>&</b> " * 1000)  # 9,000 visible characters
        assert len(parts) == 3 and all(visible_units(p) <= MAX_TEXT < units(p) for p in parts[:2])
        assert all(p.count("&lt;") == p.count("&gt;") for p in parts)
        assert "<b>" not in "".join(parts) and "&amp;" in parts[0]

    def test_the_header_goes_on_the_first_part_and_the_footer_on_the_last(self) -> None:
        parts = with_header("<b>Título</b>", "corpo " * 1500, "<i>rodapé</i>")
        assert parts[0].startswith("<b>Título</b>\n\ncorpo") and parts[-1].endswith("<i>rodapé</i>")
        assert len(parts) == 3


class TestCommands:
    def test_the_bot_name_is_dropped_from_its_own_commands_only(self) -> None:
        assert strip_bot_name("/nota@chamado_bot texto", "chamado_bot") == "/nota texto"
        assert strip_bot_name("/nota@outro_bot texto", "chamado_bot") == "/nota@outro_bot texto"
        assert command_of("/Nota  cliente ligou ") == ("nota", "cliente ligou")
        assert command_of("/nota@outro_bot x") is None and command_of("texto") is None

    def test_escape_leaves_quotes_alone(self) -> None:
        assert escape('"a" < b & c') == '"a" &lt; b &amp; c'
