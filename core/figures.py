"""The house style every lab's figures share (palette, layout, axes, the builders several labs use) and the one
place that fits a built figure to a phone or a projector. Each lab's own figures live next to its computation."""

from __future__ import annotations

import functools
import json
import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np

# plotly imports pandas lazily on a figure's first trace; two sessions doing that at once saw a half-imported
# module under load (tests/bench), so it is imported here, once.
import pandas  # noqa: F401
import plotly.graph_objects as go
import plotly.io
from plotly.subplots import make_subplots

# Okabe-Ito: distinguishable with every common colour-vision deficiency, and on a projector.
# Its black is replaced by grey: black vanishes on the dark theme's background.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#999999")
# One colour per Fashion-MNIST class (by class index), for figures that may show all ten: Okabe-Ito's eight
# and two more that stay apart from them (wine, brown).
CLASS_PALETTE = (*PALETTE, "#882255", "#8C564B")
DASHES = ("solid", "dash", "dot", "dashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross")
PROJECTOR_FONT = 22  # px for every text of a projected figure: read from the back row at 1280x720
PROJECTED_MAX_HEIGHT = 400  # px: what a key figure may take below a projected page's header at 1280x720
PHONE_TEXT = 12  # px: the smallest number a phone shows in a figure's cells
PHONE_PLOT_SIDE = 330  # px: a phone's plot area is about this wide, so equal-aspect plots get this height
PHONE_CELL = 150  # px of height per subplot when a grid of subplots is stacked into one column
PHONE_CELL_GAP = 80  # px between stacked subplots: room for an axis title and the next subplot title
LEGEND_ENTRY = 21  # px per line of a vertical legend at Streamlit's chart font
LEGEND_LINE_CHARS = 20  # characters per legend line on a phone: about 130 px at Streamlit's chart font


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def log_ticks(values: Sequence[float], most: int = 8) -> dict:
    """Ticks at 1, 2 and 5 times the powers of ten spanning ``values``, written out in full; over a wider span
    only powers of ten, every k-th, so there are at most ``most`` labels.

    plotly's own log ticks label the minor ticks "2" and "5" only, which reads as "2, 1, 5, 2, 0.1, 5".
    """
    positive = [float(v) for v in values if v > 0 and math.isfinite(v)]
    if not positive:
        return {}
    low, high = min(positive), max(positive)
    first, last = math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1
    candidates = [m * 10.0**e for e in range(first, last + 1) for m in (1, 2, 5)]
    if sum(low <= t <= high for t in candidates) > most:  # a diverging run spans many decades: powers of ten
        step = math.ceil((last - first + 1) / most)
        candidates = [10.0**e for e in range(first, last + 1) if e % step == 0]
    inside = [t for t in candidates if low <= t <= high]
    below, above = [t for t in candidates if t < low], [t for t in candidates if t > high]
    ticks = ([below[-1]] if len(inside) < 2 and below else []) + inside + ([above[0]] if len(inside) < 2 else [])
    return dict(tickmode="array", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])


def house_layout(height: int, title: str | None = None) -> dict:
    """The house layout every core figure has: its height, an optional title, compact margins."""
    return dict(
        height=height,
        title=dict(text=title) if title else {},
        margin=dict(l=50, r=20, t=60 if title else 40, b=40),
        bargap=0,
    )


def sized(figure: go.Figure, height: int, title: str | None = None) -> go.Figure:
    """``figure`` with the house layout (the figures built update by update end with it)."""
    figure.update_layout(house_layout(height, title))
    return figure


def axis(title: str, **options: object) -> dict:
    """An axis's layout dict: its title and ``options`` (type, range, ticks)."""
    return dict(title=dict(text=title), **options)


# The figures a new seed or setting rebuilds for every student are made in one go.Figure(data, layout) call
# with nested dicts: plotly validates the same properties, but without its per-update path machinery
# (update_xaxes, add_scatter and make_subplots each walk the property tree again): 3-10x faster to build.


@functools.cache
def subplot_grid(rows: int, cols: int, titles: tuple[str, ...], **options: object) -> dict:
    """make_subplots' axes, domains and subplot titles for one grid, as a plain layout dict made once per process
    (make_subplots builds a whole figure, template included, on every call: about 8 ms). Copy before changing."""
    layout = make_subplots(rows=rows, cols=cols, subplot_titles=titles, **options).layout.to_plotly_json()
    layout.pop("template", None)  # go.Figure puts the default one back
    return layout


def lines_figure(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    x_title: str,
    y_title: str,
    title: str | None = None,
    log_x: bool = False,
    log_y: bool = False,
    height: int = 340,
    points: Sequence[str] = (),
) -> go.Figure:
    """Named (x, y) series as lines, one colour each; the series named in ``points`` as unconnected dots."""
    data = [
        dict(
            type="scatter",
            x=list(x),
            y=list(y),
            mode="markers" if name in points else "lines+markers" if len(x) < 30 else "lines",
            name=name,
            line=dict(color=colour(index)),
        )
        for index, (name, (x, y)) in enumerate(series.items())
    ]
    x_axis, y_axis = axis(x_title), axis(y_title)
    if log_x:  # on a log axis, label exactly the values that were measured (plotly's minor ticks clutter it)
        x_axis.update(type="log", tickvals=sorted({float(v) for x, _ in series.values() for v in x}))
    if log_y:
        y_axis.update(type="log", **log_ticks([float(v) for _, y in series.values() for v in y]))
    return go.Figure(data=data, layout=dict(xaxis=x_axis, yaxis=y_axis, **house_layout(height, title)))


def band(x: list, mean: np.ndarray, std: np.ndarray, color: str, group: str, opacity: float) -> go.Scatter:
    """The filled ±1 std band around a mean line, grouped with that line's legend entry."""
    return go.Scatter(
        x=x + x[::-1],
        y=np.concatenate([mean + std, (mean - std)[::-1]]),
        fill="toself",
        fillcolor=color,
        opacity=opacity,
        line_width=0,
        hoverinfo="skip",
        showlegend=False,
        legendgroup=group,
    )


def seed_band_figure(
    series: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    x_title: str,
    y_title: str,
    dashed: Sequence[str] = (),
    height: int = 420,
    log_x: bool = False,
) -> go.Figure:
    """Mean over seeds as a line with a ±1 std band: ``series`` maps a label to (x, mean, std).

    Series named in ``dashed`` share the colour of the solid series before them (e.g. train vs validation).
    """
    figure, index = go.Figure(), -1
    for label, (x, mean, std) in series.items():
        index += label not in dashed
        x = list(x)
        figure.add_trace(band(x, mean, std, colour(index), label, 0.15))
        line = dict(color=colour(index), dash="dash" if label in dashed else "solid")
        mode = "lines+markers" if len(x) < 30 else "lines"
        figure.add_scatter(x=x, y=mean, mode=mode, line=line, name=label, legendgroup=label)
    ticks = dict(tickvals=sorted({float(v) for x, _, _ in series.values() for v in x})) if log_x else {}
    figure.update_xaxes(title=x_title, type="log" if log_x else None, **ticks)
    figure.update_yaxes(title=y_title)
    return sized(figure, height)


class FrozenFigure(go.Figure):
    """A built figure reduced to its dict form, made once (see ``freeze``): read-only, cheap to keep."""

    _as_dict: dict

    def to_dict(self) -> dict:
        return self._as_dict


def freeze(figure: go.Figure) -> FrozenFigure:
    """A read-only stand-in for ``figure`` that holds only its dict form, made here once, as plain JSON values.

    ``st.plotly_chart`` calls ``to_dict()`` on every rerun that shows a figure (plotly 7 then encodes every
    array as base64 again: 1.4 ms for a contour figure with six paths, 10 % of the server's GIL time under the load
    mix), and reads nothing else of it. plotly's objects behind a figure are many Python containers that every
    full garbage collection scans as long as a cache keeps them (3,093 for the rotated-item scatter; its dict:
    146). Plain JSON values (no numpy arrays of text, as plotly's dict holds), so that each rerun's encoding is
    orjson's one C call, not plotly's Python clean-up pass first (MC class distribution: 0.62 -> 0.03 ms; plotly's
    JSON encoding was 4 % of the server's GIL time at 160 students, tests/bench/performance.md). Lay out a new
    build for another screen (``adapted``), never a frozen figure.
    """
    frozen = FrozenFigure(layout={"template": "none"})  # "none": no copy of the default template's objects
    frozen._as_dict = json.loads(plotly.io.to_json(figure, validate=False))
    return frozen


def adapted(figure: go.Figure, narrow: bool = False, projector: bool = False) -> go.Figure:
    """A private copy of a shared figure, laid out for a phone (``narrow``) and/or a projector.

    The one place that fits a figure to the screen: pages and figure builders never do.
    """
    figure = go.Figure(figure)
    if narrow:
        figure.update_traces(textfont_size=PHONE_TEXT, selector=dict(type="heatmap"))  # numbers in the cells
        _one_column(figure)
        _every_category_label(figure)
        _legend_below(figure)
        if figure.layout.yaxis.scaleanchor:  # equal axes: as tall as the phone's plot area is wide
            margin = figure.layout.margin
            figure.update_layout(height=PHONE_PLOT_SIDE + (margin.t or 0) + (margin.b or 0))
    if projector:
        _enlarge(figure)
    return figure


def projected_height(height: int) -> int:
    """A figure's height when projected: 1.3x for the larger text, but a one-panel figure no taller than
    PROJECTED_MAX_HEIGHT, so it fits the first screen at 1280x720 (a taller one is never shrunk)."""
    return max(height, min(int(height * 1.3), PROJECTED_MAX_HEIGHT))


def _enlarge(figure: go.Figure, size: int = PROJECTOR_FONT) -> None:
    """Every text at ``size`` px, lines and markers thicker, the figure taller.

    Streamlit's chart theme sets tick, legend, axis-title and hover fonts one by one, so the global font size
    alone leaves them at ~11 px: each is set here.
    """
    figure.update_layout(
        font_size=size,
        legend=dict(font_size=size, title_font_size=size),
        hoverlabel_font_size=size,
        title_font_size=size + 4,
        height=projected_height(figure.layout.height or 400),
    )
    figure.update_xaxes(tickfont_size=size, title_font_size=size)
    figure.update_yaxes(tickfont_size=size, title_font_size=size)
    figure.update_annotations(font_size=size)
    for trace in figure.data:
        if trace.type in ("heatmap", "contour"):
            trace.update(colorbar=dict(tickfont_size=size, title_font_size=size))
            if trace.type == "heatmap":
                trace.update(textfont_size=size)
        elif trace.type == "scatter":
            if trace.line.width is None:
                trace.line.width = 4
            elif trace.line.width >= 1:  # widths chosen apart stay apart; a width below 1 (a band's invisible
                trace.line.width = max(4, trace.line.width * 1.4)  # outline, a cube's cell edges) stays as drawn
            if isinstance(trace.marker.size, (int, float)):
                trace.marker.size = trace.marker.size * 1.5


def _one_column(figure: go.Figure) -> None:
    """A grid of subplots restacked into one column, row by row (a phone is too narrow for two)."""
    cells = {}  # (x domain, y domain) -> (x axis name, y axis name) of every subplot that has a trace
    for trace in figure.data:
        axes = ("xaxis" + (trace.xaxis or "x")[1:], "yaxis" + (trace.yaxis or "y")[1:])
        cells[(tuple(figure.layout[axes[0]].domain or (0, 1)), tuple(figure.layout[axes[1]].domain or (0, 1)))] = axes
    columns = sorted({x for x, _ in cells})
    if len(columns) < 2:
        return
    rows = sorted({y for _, y in cells}, key=lambda domain: -domain[1])
    order = sorted(cells, key=lambda cell: (rows.index(cell[1]), columns.index(cell[0])))
    plot_height = len(order) * PHONE_CELL + (len(order) - 1) * PHONE_CELL_GAP
    cell, gap = PHONE_CELL / plot_height, PHONE_CELL_GAP / plot_height
    titles = {(round((x[0] + x[1]) / 2, 6), round(y[1], 6)): (x, y) for x, y in cells}
    moved = {}
    for index, (x, y) in enumerate(order):
        top = 1 - index * (cell + gap)
        x_axis, y_axis = cells[(x, y)]
        figure.layout[x_axis].domain, figure.layout[y_axis].domain = (0, 1), (max(0.0, top - cell), top)
        figure.layout[y_axis].showticklabels = None  # a panel on its own shows its scale (plotly's default)
        moved[(x, y)] = top
    for annotation in figure.layout.annotations:  # subplot titles sit centred on their subplot's top
        place = titles.get((round(annotation.x or 0, 6), round(annotation.y or 0, 6)))
        if place is not None and annotation.xref == "paper" and annotation.yref == "paper":
            annotation.update(x=0.5, y=moved[place])
    margin = figure.layout.margin
    figure.update_layout(height=plot_height + (margin.t or 0) + (margin.b or 0))


def _every_category_label(figure: go.Figure) -> None:
    """Category axes label every category, turned upright when there are many (plotly drops some otherwise)."""
    categories: dict[str, set] = {}  # x axis name -> the categories on it
    for trace in figure.data:
        axis = "xaxis" + (trace.xaxis or "x")[1:]
        if trace.type == "box" and trace.x is None:  # each box sits at its name
            categories.setdefault(axis, set()).add(trace.name)
        elif trace.type != "heatmap" and trace.x is not None and len(trace.x) and isinstance(trace.x[0], str):
            categories.setdefault(axis, set()).update(trace.x)
    for axis, names in categories.items():
        figure.layout[axis].update(tickmode="linear", dtick=1, tickangle=-90 if len(names) > 4 else 0)


def _legend_below(figure: go.Figure) -> None:
    """The legend under the figure, one entry a line, instead of beside it taking half a phone's width."""
    listed = [
        trace for trace in figure.data if trace.showlegend is not False and trace.type not in ("heatmap", "contour")
    ]
    if len(listed) < 2 and figure.layout.showlegend is not True:
        return
    lines = 0
    for trace in listed:  # long names on several lines: the legend stays under half a phone's width
        trace.name = "<br>".join(textwrap.wrap(trace.name or "", LEGEND_LINE_CHARS)) or trace.name
        lines += trace.name.count("<br>") + 1
    below = LEGEND_ENTRY * lines + 10
    margin = figure.layout.margin
    figure.update_layout(
        legend=dict(orientation="v", yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
        margin=dict(b=(margin.b or 40) + below, l=10, r=10),
        height=(figure.layout.height or 400) + below,
    )
