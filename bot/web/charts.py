"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, nothing fetched at run time.

Each function returns a ``Chart`` (``Markup``: an ``<svg>`` ready to drop into a template,
with its ``caption``):

- ``bar_chart``: horizontal bars, one per labelled value (backlog by module, CSAT);
- ``grouped_bars``: vertical columns per category, one per series, side by side or
  stacked (opened/closed per day, breaches per plan);
- ``percent_bars``: horizontal 0-100% bars with an optional target line (SLA within target).

Accessibility: every chart is ``role="img"`` with an ``aria-label`` and a
``<title>``/``<desc>`` pair (the desc lists the figures in words); each bar
carries its own ``<title>`` (the value on hover or to a screen reader) and a
``data-value``; values are printed as text where they fit; colours come from
``PALETTE`` (each at least 4.5:1 against white) and series are also told apart
by the legend's text. The table under each chart carries the same figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#1f5fa8", "#a34f00", "#2e6b30", "#6a3d9a", "#b3261e", "#00606b")
TEXT = "#1a1a1a"
GRID = "#767676"
FONT = "font-family=\"system-ui, sans-serif\" font-size=\"12\""
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One named row of values (one per category) and its colour."""

    name: str
    values: Sequence[float]
    color: str = ""


def number(value: float, locale: str = "pt-BR") -> str:
    """A figure as people read it: integers plain, others to one decimal ("1.234,5"; English "1,234.5")."""
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    if locale.lower().startswith("en"):
        return text
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


class Chart(Markup):
    """An ``<svg>`` chart (``Markup``) that also knows its title, for a visible caption."""

    caption: str


def _svg(title: str, desc: str, width: int, height: int, body: str) -> Chart:
    uid = f"chart-{next(_ids)}"
    chart = Chart(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
        f'aria-describedby="{uid}-desc" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" style="max-width:{width}px">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
        f'{body}</svg>'
    )
    chart.caption = title
    return chart


def _text(x: float, y: float, content: str, *, anchor: str = "start", weight: str = "normal",
          fill: str = TEXT) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" {FONT} text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{escape(content)}</text>')


def _rect(x: float, y: float, w: float, h: float, color: str, tooltip: str, value: float, css: str) -> str:
    return (f'<rect class="{css}" x="{x:.2f}" y="{y:.2f}" width="{max(w, 0):.2f}" height="{max(h, 0):.2f}" '
            f'fill="{color}" data-value="{value:g}"><title>{escape(tooltip)}</title></rect>')


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, fmt: Callable[[float], str] = number,
              width: int = 640, color: str = PALETTE[0], empty: str = "—") -> Chart:
    """Horizontal bars, one per ``(label, value)``, lengths proportional to the largest value."""
    label_w, row_h, value_w = min(220, 16 + 7 * max((len(lb) for lb, _ in items), default=4)), 26, 60
    plot_w = width - label_w - value_w
    height = max(1, len(items)) * row_h + 8
    top = max((v for _, v in items), default=0) or 1
    parts = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        w = plot_w * value / top
        parts.append(_text(label_w - 8, y + 17, label, anchor="end"))
        parts.append(_rect(label_w, y + 4, w, row_h - 8, color, f"{label}: {fmt(value)}", value, "bar"))
        parts.append(_text(label_w + w + 6, y + 17, fmt(value)))
    if not items:
        parts.append(_text(width / 2, 20, empty, anchor="middle"))
    desc = "; ".join(f"{label}: {fmt(value)}" for label, value in items) or empty
    return _svg(title, desc, width, height, "".join(parts))


def percent_bars(title: str, items: Sequence[tuple[str, float | None]], *, target: float | None = None,
                 target_label: str = "", fmt: Callable[[float], str] = number, width: int = 640,
                 empty: str = "—") -> Chart:
    """Horizontal 0-100% bars (``None``: nothing measured, drawn as "—"), with an optional target line."""
    label_w, row_h, value_w = min(220, 16 + 7 * max((len(lb) for lb, _ in items), default=4)), 26, 60
    plot_w = width - label_w - value_w
    height = max(1, len(items)) * row_h + 24
    parts = [f'<rect x="{label_w}" y="4" width="{plot_w}" height="{height - 24}" fill="none" stroke="{GRID}"/>']
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        shown = empty if value is None else f"{fmt(value)}%"
        parts.append(_text(label_w - 8, y + 17, label, anchor="end"))
        w = plot_w * min(max(value or 0, 0), 100) / 100
        parts.append(_rect(label_w, y + 4, w, row_h - 8, PALETTE[0] if value is None or target is None
                           or value >= target else PALETTE[4], f"{label}: {shown}", value or 0, "bar"))
        parts.append(_text(label_w + plot_w + 6, y + 17, shown))
    for tick in (0, 50, 100):
        parts.append(_text(label_w + plot_w * tick / 100, height - 6, f"{tick}%", anchor="middle"))
    if target is not None:
        x = label_w + plot_w * target / 100
        parts.append(f'<line class="target" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" stroke="{TEXT}" '
                     f'stroke-dasharray="4 3"><title>{escape(target_label)}</title></line>')
    desc = "; ".join(f"{label}: {empty if v is None else fmt(v) + '%'}" for label, v in items) or empty
    return _svg(title, desc, width, height, "".join(parts))


def grouped_bars(title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool = False,
                 fmt: Callable[[float], str] = number, width: int = 720, height: int = 260,
                 label_every: int = 1, empty: str = "—") -> Chart:
    """Vertical columns per category, one per series (side by side, or stacked), with axis and legend."""
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    left, right, top_pad, bottom = 44, 8, 28, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    sums = [sum(s.values[c] for s in series) for c in range(len(categories))]
    peak = (max(sums, default=0) if stacked else max((v for s in series for v in s.values), default=0)) or 1
    slot = plot_w / max(1, len(categories))
    bar_w = slot * 0.8 / (1 if stacked else max(1, len(series)))
    parts = [f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
             f'stroke="{GRID}"/>']
    for tick in (0, peak / 2, peak):
        y = top_pad + plot_h - plot_h * tick / peak
        parts.append(_text(left - 6, y + 4, fmt(round(tick, 1)), anchor="end"))
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-opacity="0.3"/>')
    for c, category in enumerate(categories):
        x0 = left + c * slot + slot * 0.1
        base = 0.0
        for s_index, s in enumerate(series):
            value = s.values[c]
            h = plot_h * value / peak
            x = x0 if stacked else x0 + s_index * bar_w
            y = top_pad + plot_h - h - (plot_h * base / peak if stacked else 0)
            parts.append(_rect(x, y, bar_w, h, colors[s_index], f"{category} — {s.name}: {fmt(value)}", value,
                               f"bar series-{s_index}"))
            if stacked:
                base += value
        if c % label_every == 0:
            parts.append(_text(x0 + slot * 0.4, top_pad + plot_h + 16, category, anchor="middle"))
    x = left
    for s_index, s in enumerate(series):  # legend: a swatch and the series' name
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colors[s_index]}"/>')
        parts.append(_text(x + 16, 16, s.name))
        x += 28 + 7 * len(s.name)
    if not categories:
        parts.append(_text(width / 2, height / 2, empty, anchor="middle"))
    desc = "; ".join(f"{s.name}: " + ", ".join(f"{c} {fmt(v)}" for c, v in zip(categories, s.values, strict=True))
                     for s in series) or empty
    return _svg(title, desc, width, height, "".join(parts))
