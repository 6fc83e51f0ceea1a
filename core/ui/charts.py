"""An inline-SVG bar chart (grouped or stacked), drawn on the server: no script and no
external asset, so it prints, works on a phone and passes the pages' content security policy.
The collections dashboard and the resident's charges chart draw with it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.money import format_amount

PALETTE = ("#1f6fb2", "#e8833a", "#3a9e5b", "#c2413b", "#7b5ea7", "#8c8c8c", "#d4a72c")


@dataclass(frozen=True)
class Series:
    """A chart's data: categories along the axis, one list of values per series; `money`:
    the values are amounts in minor units. A series is keyed by a name the code reads
    ("Billed"); `labels` gives the text a reader sees for it (a lazy translation), else the
    key itself (a supplier's name)."""

    title: str
    categories: list[str]
    series: dict[str, list[int]]
    money: bool = True
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return str(self.labels.get(name, name))


def _nice_step(top: float, ticks: int = 5) -> float:
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _axis_label(value: float, money: bool, view) -> str:
    if not money:
        return str(int(value))
    return format_amount(int(round(value)), view).rsplit(",", 1)[0].rsplit(".", 1)[0]


@dataclass(frozen=True)
class _Plot:
    """The chart's geometry: the plot area inside the margins and the value at its top."""

    width: int
    left: int
    right: int
    top: int
    plot_w: int
    plot_h: int
    axis_top: float
    rotate: bool  # category labels slanted, for many or long categories

    def y(self, value: float) -> float:
        return self.top + self.plot_h - self.plot_h * value / self.axis_top


def bar_chart(
    chart: Series,
    *,
    view,
    stacked: bool = False,
    width: int = 760,
    height: int = 300,
) -> SafeString:
    """Grouped (or stacked) vertical bars with a y axis, category labels, a legend and a <title>
    per bar; amounts in minor units are labelled in major units without decimals."""
    names = list(chart.series)
    categories = chart.categories
    values = {n: (chart.series[n] or [0] * len(categories)) for n in names}
    plot, step = _plot(chart, values, stacked=stacked, width=width, height=height)

    title = escape(chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{title}" width="100%">',
        f"<title>{title}</title>",
    ]
    _draw_grid(parts, plot, step, chart.money, view)
    _draw_bars(parts, plot, chart, values, stacked=stacked, view=view)
    _draw_legend(parts, plot, [chart.label(name) for name in names])
    if not categories or all(not any(values[n]) for n in names):
        parts.append(
            f'<text x="{plot.left + plot.plot_w / 2:.0f}" y="{plot.top + plot.plot_h / 2:.0f}" '
            f'text-anchor="middle" class="chart-empty">{escape(gettext("No data"))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text inside went through escape()


def _plot(
    chart: Series, values: dict[str, list[int]], *, stacked: bool, width: int, height: int
) -> tuple[_Plot, float]:
    """The geometry, and the step between the y axis's ticks: a round number, whole for
    counts, with the axis topped at the first tick above the highest bar."""
    names, categories = list(chart.series), chart.categories
    rotate = len(categories) > 6 or (len(categories) > 3 and width < 600)
    left, right, top, bottom = 78, 12, 34, 58 if rotate else 36
    if stacked:
        peak = max((sum(values[n][i] for n in names) for i in range(len(categories))), default=0)
    else:
        peak = max((v for n in names for v in values[n]), default=0)
    peak = peak if peak > 0 else (100 if chart.money else 1)
    step = _nice_step(peak)
    if not chart.money:
        step = max(1, math.ceil(step))
    axis_top = step * math.ceil(peak / step)
    plot_w, plot_h = width - left - right, height - top - bottom
    return _Plot(width, left, right, top, plot_w, plot_h, axis_top, rotate), step


def _draw_grid(parts: list[str], plot: _Plot, step: float, money: bool, view) -> None:
    """A horizontal line and a y-axis label per tick, from zero up to the axis top."""
    tick = 0.0
    while tick <= plot.axis_top + 1e-9:
        ty = plot.y(tick)
        parts.append(
            f'<line x1="{plot.left}" x2="{plot.width - plot.right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{"#8a94a0" if tick == 0 else "#e3e7ec"}" stroke-width="1"/>'
        )
        label = escape(_axis_label(tick, money, view))
        parts.append(
            f'<text x="{plot.left - 6}" y="{ty + 4:.1f}" text-anchor="end" class="chart-axis">'
            f"{label}</text>"
        )
        tick += step


def _draw_bars(
    parts: list[str], plot: _Plot, chart: Series, values, *, stacked: bool, view
) -> None:
    """Each category's slot: its bars (side by side, or stacked), each with a <title>, and the
    category's label below."""
    names, categories = list(chart.series), chart.categories
    y, top, plot_h = plot.y, plot.top, plot.plot_h
    slot = plot.plot_w / max(len(categories), 1)
    bars_in_slot = 1 if stacked else max(len(names), 1)
    bar_w = min(44.0, slot * 0.72 / bars_in_slot)
    for index, category in enumerate(categories):
        x0 = plot.left + slot * index + (slot - bar_w * bars_in_slot) / 2
        base = 0
        for position, name in enumerate(names):
            value = values[name][index]
            if value <= 0:
                continue
            color = PALETTE[position % len(PALETTE)]
            if stacked:
                y_top, y_bottom, x = y(base + value), y(base), x0
                base += value
            else:
                y_top, y_bottom, x = y(value), y(0), x0 + bar_w * position
            shown = format_amount(value, view) if chart.money else str(value)
            series_name = chart.label(name)
            parts.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{color}">'
                f"<title>{escape(category)} · {escape(series_name)}: {escape(shown)}</title></rect>"
            )
        cx = plot.left + slot * index + slot / 2
        label = escape(category if len(category) <= 18 else category[:17] + "…")
        if plot.rotate:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="end" '
                f'transform="rotate(-35 {cx:.1f} {top + plot_h + 14})" class="chart-axis">'
                f"{label}</text>"
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                f'class="chart-axis">{label}</text>'
            )


def _draw_legend(parts: list[str], plot: _Plot, names: list[str]) -> None:
    """A colour swatch and the name of each series, in a row above the plot."""
    x = plot.left
    for position, name in enumerate(names):
        color = PALETTE[position % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 17}" y="18" class="chart-legend">{escape(name)}</text>')
        x += 17 + 7.5 * len(name) + 22
