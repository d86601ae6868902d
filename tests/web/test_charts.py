"""The server-drawn SVG charts: values appear, bars are proportional, the SVG is accessible and escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from bot.web.charts import PALETTE, Series, bar_chart, grouped_bars, number, percent_bars

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]


def test_bar_chart_values_appear_and_lengths_are_proportional() -> None:
    svg = str(bar_chart("Backlog por módulo", [("Fiscal", 8), ("Estoque", 2), ("CRM", 0)]))
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Backlog por módulo"
    assert root.find(f"{SVG}title").text == "Backlog por módulo"
    assert root.find(f"{SVG}desc").text == "Fiscal: 8; Estoque: 2; CRM: 0"
    bars = _bars(svg)
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == 4 * widths[1] and widths[2] == 0
    assert [b.get("data-value") for b in bars] == ["8", "2", "0"]
    assert [b.find(f"{SVG}title").text for b in bars] == ["Fiscal: 8", "Estoque: 2", "CRM: 0"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Fiscal", "Estoque", "CRM", "8", "2", "0"} <= set(texts)


def test_grouped_and_stacked_bars() -> None:
    series = [Series("abertos", [4, 2]), Series("fechados", [1, 3])]
    grouped = _bars(str(grouped_bars("Por dia", ["01", "02"], series)))
    heights = [float(b.get("height")) for b in grouped]
    assert heights[0] == 4 * heights[1] and heights[2] == 2 * heights[1]  # 4, 1, 2, 3 over a peak of 4
    assert heights[3] == 3 * heights[1]
    assert grouped[0].get("fill") == PALETTE[0] and grouped[1].get("fill") == PALETTE[1]
    stacked = _bars(str(grouped_bars("Por plano", ["PRATA", "VIP"], series, stacked=True)))
    first, second = stacked[0], stacked[1]  # PRATA: 4 then 1 on top of it
    assert float(second.get("y")) + float(second.get("height")) == float(first.get("y"))
    assert float(first.get("height")) == 4 * float(second.get("height"))
    assert float(stacked[0].get("height")) + float(stacked[1].get("height")) == \
        float(stacked[2].get("height")) + float(stacked[3].get("height"))  # both columns sum to 5


def test_percent_bars_scale_to_100_and_show_nothing_measured_as_a_dash() -> None:
    svg = str(percent_bars("No prazo", [("Prata", 50.0), ("Ouro", 100), ("VIP", None)], target=90))
    bars = _bars(svg)
    assert float(bars[1].get("width")) == 2 * float(bars[0].get("width")) and float(bars[2].get("width")) == 0
    assert bars[0].get("fill") == PALETTE[4] and bars[1].get("fill") == PALETTE[0]  # under target: red
    assert "50%" in svg and "100%" in svg and "VIP: —" in svg and 'class="target"' in svg


def test_labels_are_escaped_and_numbers_follow_the_locale() -> None:
    svg = str(bar_chart("<b>", [("a & b <script>", 1234.5)]))
    assert "<script>" not in svg and "a &amp; b &lt;script&gt;" in svg
    ET.fromstring(svg)
    assert "1.234,5" in svg
    assert number(1234.5, "en") == "1,234.5" and number(3) == "3" and number(1000) == "1.000"
    empty = str(bar_chart("Vazio", [], empty="Nada"))
    assert "Nada" in empty and not _bars(empty)
    assert re.search(r'viewBox="0 0 \d+ \d+"', empty)
