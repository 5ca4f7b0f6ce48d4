"""Line and bar charts as inline SVG, drawn on the server.

No chart library and no script: control-room networks are closed and the pages run under
a strict Content-Security-Policy. Colours come from CSS classes (static/css/dashboards.css),
geometry from SVG presentation attributes, so no ``style`` attribute is ever written.
Each chart has a <title> and <desc> for screen readers; its numbers sit in a table beside it.
"""

import math
from collections.abc import Sequence
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 44
_ids = count(1)


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above ``value`` (an axis that reads well)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value - 1e-9:
            return top
    return 10 ** (exponent + 1)  # pragma: no cover - the loop always returns


def _fmt(value: float, unit: str) -> str:
    """A data value: percentages to one decimal place, counts as integers."""
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _tick(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return text + unit


def _tick_count(top: float) -> int:
    """Gridlines that land on round numbers: 25 in fives, 10 in 2.5s, 4 in ones."""
    mantissa = top / 10 ** math.floor(math.log10(top))
    if top <= 5 and float(top).is_integer():
        return int(top)
    return 5 if mantissa in (2.5, 5) else 4


def _label_every(n: int, room: int) -> int:
    return max(1, math.ceil(n / room))


# Category labels (agencies, strands, rule titles) are words, some long: the label column
# widens to the longest, up to a limit past which a label is shortened (whole in its tooltip).
CHAR_W = 6  # px per character of an 11px label, a little generous
LABEL_MAX = 340


def _label_width(labels: Sequence[str], least: int) -> int:
    longest = max((len(label) for label in labels), default=0)
    return int(min(max(least, longest * CHAR_W + 12), LABEL_MAX))


def _fit(label: str, width: int) -> str:
    room = (width - 12) // CHAR_W
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def _frame(chart_id, title, desc, body, legend, width, height) -> SafeString:
    items = "".join(
        f'<li><span class="swatch s{i}" aria-hidden="true"></span>{escape(name)}</li>'
        for i, name in enumerate(legend)
    )
    legend_html = f'<ul class="chart-legend">{items}</ul>' if len(legend) > 1 else ""
    svg = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>{body}</svg>'
    )
    return mark_safe(f'<figure class="chart-figure">{svg}{legend_html}</figure>')  # noqa: S308


def _no_data(chart_id, title, width, height) -> SafeString:
    return _frame(
        chart_id, title, "No data in this period.", _empty(width, height), [], width, height
    )


def _plotted(series) -> list[float]:
    """Every value the series plot (None is a gap, not a value)."""
    return [v for _, vs in series for v in vs if v is not None]


def _top(values, unit) -> float:
    """The value axis's top: 100 for a percentage that passes 50, else a round number."""
    return 100 if unit == "%" and max(values) > 50 else nice_max(max(values))


def _y_axis(top_value, unit, plot_w, plot_h) -> list[str]:
    parts = []
    ticks = _tick_count(top_value)
    for i in range(ticks + 1):
        value = top_value * i / ticks
        y = TOP + plot_h - plot_h * i / ticks
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_tick(value, unit))}</text>"
        )
    return parts


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """One line per series over ``labels`` (days or weeks); None leaves a gap."""
    chart_id = f"chart{next(_ids)}"
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    values = _plotted(series)
    if not labels or not values:
        return _no_data(chart_id, title, width, height)
    top_value = _top(values, unit)
    n = len(labels)

    def x(i):
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v):
        return TOP + plot_h - plot_h * v / top_value

    body = _y_axis(top_value, unit, plot_w, plot_h)
    every = _label_every(n, 10)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text class="tick" x="{x(i):.1f}" y="{TOP + plot_h + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for s, (name, vs) in enumerate(series):
        runs, run = [], []
        for i, v in enumerate(vs):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{x(i):.1f},{y(v):.1f}")
        if run:
            runs.append(run)
        for points in runs:
            body.append(f'<polyline class="line s{s}" points="{" ".join(points)}"/>')
        if n <= 62:
            for i, v in enumerate(vs):
                if v is not None:
                    body.append(
                        f'<circle class="dot s{s}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5">'
                        f"<title>{escape(name)}, {escape(labels[i])}: {escape(_fmt(v, unit))}"
                        "</title></circle>"
                    )
    desc = _describe(labels, series, unit)
    return _frame(chart_id, title, desc, "".join(body), [n for n, _ in series], width, height)


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Vertical bars, grouped by label, one bar per series (hours, weeks)."""
    chart_id = f"chart{next(_ids)}"
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    values = _plotted(series)
    if not labels or not values or max(values) <= 0:
        return _no_data(chart_id, title, width, height)
    top_value = nice_max(max(values))
    n, k = len(labels), len(series)
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.8 / k)
    body = _y_axis(top_value, unit, plot_w, plot_h)
    every = _label_every(n, 14)
    for i, label in enumerate(labels):
        x0 = LEFT + slot * i + slot * 0.1
        for s, (name, vs) in enumerate(series):
            v = vs[i] or 0
            h = plot_h * v / top_value
            body.append(
                f'<rect class="bar s{s}" x="{x0 + bar_w * s:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(name)}, {escape(label)}: '
                f"{escape(_fmt(v, unit))}</title></rect>"
            )
        if i % every == 0:
            body.append(
                f'<text class="tick" x="{LEFT + slot * (i + 0.5):.1f}" y="{TOP + plot_h + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    body.append(
        f'<line class="axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    desc = _describe(labels, series, unit)
    return _frame(chart_id, title, desc, "".join(body), [n for n, _ in series], width, height)


def hbar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
    width: int = WIDTH,
    label_width: int = 190,
) -> SafeString:
    """Horizontal bars for categories with long names (strands, agencies, rules), in the
    order given; ``label_width`` is the least room for the names."""
    chart_id = f"chart{next(_ids)}"
    label_width = _label_width(labels, label_width)
    values = _plotted(series)
    k = len(series)
    row_h = 8 + 14 * k
    height = TOP + row_h * max(len(labels), 1) + 28
    if not labels or not values or max(values) <= 0:
        return _no_data(chart_id, title, width, 80)
    top_value = _top(values, unit)
    plot_w = width - label_width - RIGHT - 48
    body = []
    for i, label in enumerate(labels):
        y0 = TOP + row_h * i
        shown = _fit(label, label_width)
        whole = f"<title>{escape(label)}</title>" if shown != label else ""
        body.append(
            f'<text class="cat" x="{label_width - 6}" y="{y0 + row_h / 2 + 4:.1f}" '
            f'text-anchor="end">{whole}{escape(shown)}</text>'
        )
        for s, (name, vs) in enumerate(series):
            v = vs[i]
            w = plot_w * (v or 0) / top_value
            yb = y0 + 4 + 14 * s
            body.append(
                f'<rect class="bar s{s}" x="{label_width}" y="{yb:.1f}" width="{w:.1f}" '
                f'height="12"><title>{escape(name)}, {escape(label)}: '
                f"{escape(_fmt(v or 0, unit))}</title></rect>"
                f'<text class="val" x="{label_width + w + 4:.1f}" y="{yb + 10:.1f}">'
                f"{escape('–' if v is None else _fmt(v, unit))}</text>"
            )
    axis_y = TOP + row_h * len(labels)
    body.append(
        f'<line class="axis" x1="{label_width}" x2="{label_width}" y1="{TOP}" y2="{axis_y}"/>'
    )
    desc = _describe(labels, series, unit)
    return _frame(chart_id, title, desc, "".join(body), [n for n, _ in series], width, height)


def _empty(width, height) -> str:
    return (
        f'<text class="empty" x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">'
        "No data in this period.</text>"
    )


def _describe(labels, series, unit) -> str:
    """A one-sentence summary for screen readers: the range and each series' peak."""
    parts = [f"{len(labels)} points from {labels[0]} to {labels[-1]}."]
    for name, vs in series:
        known = [(v, i) for i, v in enumerate(vs) if v is not None]
        if known:
            peak, at = max(known)
            parts.append(f"{name}: highest {_fmt(peak, unit)} at {labels[at]}.")
    return " ".join(parts)
