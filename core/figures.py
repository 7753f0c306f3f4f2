"""Plotly figures built from plain arrays (the pages only display them)."""

from __future__ import annotations

import copy
import functools
import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np

# plotly imports pandas lazily on a figure's first trace; two sessions doing that at once saw a half-imported
# module under load (tests/bench), so it is imported here, once.
import pandas  # noqa: F401
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.bn_lab import HISTOGRAM_RUNS, LayerHistogram, RunningTrace
from core.init_demo import LayerActivations
from core.mc_dropout import RotationScatter

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


TAIL_HOVER = "%{y:.3f} of the values lie beyond this end of the axis (clipped tail)<extra></extra>"
BIN_HOVER = "%{y:.3f} of the values near %{x:.2f}<extra>%{fullData.name}</extra>"


def histogram_figure(histograms: Sequence[LayerHistogram]) -> go.Figure:
    """One row per layer, one column per model, sharing each row's x axis."""
    labels = list(histograms[0].fractions)
    titles = [
        f"{label} · {h.layer}<br>mean {h.mean[label]:+.2f}, std {h.std[label]:.2f}"  # two lines: no overlap
        for h in histograms
        for label in labels
    ]
    figure = make_subplots(
        rows=len(histograms), cols=len(labels), shared_xaxes="rows", subplot_titles=titles, vertical_spacing=0.06
    )
    traces, rows, cols = [], [], []  # added in one call: plotly validates each add_trace(row=, col=) separately
    for row, histogram in enumerate(histograms, start=1):
        centres = (histogram.edges[:-1] + histogram.edges[1:]) / 2
        # The end bins also count every value beyond them (core.bn_lab clips the tails): hatched, and said so.
        # One trace per cell, the end bins last (the legend draws a trace's first bar): half the traces of a
        # separate tails trace.
        order = np.r_[1 : len(centres) - 1, 0, len(centres) - 1]
        tail = order % (len(centres) - 1) == 0
        for col, label in enumerate(labels, start=1):
            traces.append(
                go.Bar(
                    x=centres[order],
                    y=histogram.fractions[label][order],
                    width=histogram.edges[1] - histogram.edges[0],
                    marker=dict(
                        # each network its own colour, also when the other one diverged and is not drawn
                        color=colour(list(HISTOGRAM_RUNS).index(label) if label in HISTOGRAM_RUNS else col - 1),
                        pattern=dict(shape=np.where(tail, "/", ""), fgcolor=colour(7)),
                    ),
                    name=label,
                    legendgroup=label,
                    showlegend=row == 1,
                    hovertemplate=np.where(tail, TAIL_HOVER, BIN_HOVER),
                )
            )
            rows.append(row)
            cols.append(col)
    figure.add_traces(traces, rows=rows, cols=cols)
    figure.update_annotations(font_size=12)
    figure.update_yaxes(title="fraction")
    figure.update_xaxes(title="pre-activation<br>(hatched: clipped tails)", row=len(histograms))
    sized(figure, height=170 * len(histograms) + 110)
    return figure.update_layout(margin=dict(t=80, b=70))  # room for two-line subplot and axis titles


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


def loss_figure(curves: Mapping[str, object]) -> go.Figure:
    """Smoothed training loss of each network so far (``curves``: label -> core.train.Curves), on a log axis.

    Where a run diverged, a marked line says so, and its curve leaves the plot at the top: the y axis ends at 10x
    the highest loss of the other runs (or of any run's start), so a loss of 1e16 does not flatten them.
    """
    losses, ceiling = {}, 0.0
    for label, c in curves.items():
        finite = np.asarray(c.train_loss, dtype=float)
        finite = finite[: np.argmax(~np.isfinite(finite))] if c.diverged else finite
        losses[label] = (range(1, len(finite) + 1), smooth(finite))
        if len(finite):
            ceiling = max(ceiling, 10 * float(finite[0] if c.diverged else losses[label][1].max()))
    steps = max((len(x) for x, _ in losses.values()), default=1)
    figure = lines_figure(losses, "step", "training loss (smoothed, log scale)", log_y=True)
    shown = [float(v) for _, y in losses.values() for v in y if 0 < v <= ceiling]
    if shown and any(c.diverged for c in curves.values()):
        figure.update_yaxes(range=[math.log10(min(shown)) - 0.1, math.log10(ceiling)], **log_ticks([*shown, ceiling]))
    figure.update_xaxes(range=[0, steps + 1])  # fixed: an annotation never widens it (projected, it began at -20)
    for index, (label, c) in enumerate(curves.items()):
        if c.diverged:
            figure.add_vline(
                x=c.step,
                line=dict(color=colour(index), dash="dot"),
                annotation_text=f"{label} diverged at step {c.step}",
                annotation_position="top right" if c.step < steps / 2 else "top left",
            )
    return figure


def layer_std_figure(records: Mapping[str, dict]) -> go.Figure:
    """Std of each layer's pre-activations over training: one colour and dash per network, one marker per layer."""
    figure, stds = go.Figure(), []
    for model, (label, record) in enumerate(records.items()):
        steps = sorted(int(step) for step in record["layer_stats"])
        for index, layer in enumerate(record["layer_stats"]["0"]):
            std = [record["layer_stats"][str(step)][layer]["std"] for step in steps]
            stds += std
            figure.add_scatter(
                x=steps,
                y=std,
                mode="lines+markers",
                name=f"{label} · {layer}",
                legendgroup=label,
                line=dict(color=colour(model), dash=DASHES[model % len(DASHES)]),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=8),
            )
    figure.update_xaxes(title="training step")
    figure.update_yaxes(title="std of pre-activations", type="log", **log_ticks(stds))
    return sized(figure, 380, "Recorded during training")


def smooth(values: Sequence[float], window: int = 10) -> np.ndarray:
    """Trailing moving average (NaN and inf kept visible as gaps)."""
    values = np.asarray(values, dtype=float)
    if len(values) < window:
        return values
    kernel = np.ones(window) / window
    head = np.cumsum(values[: window - 1]) / np.arange(1, window)
    return np.concatenate([head, np.convolve(values, kernel, mode="valid")])


def running_stats_figure(trace: RunningTrace) -> go.Figure:
    figure = make_subplots(rows=1, cols=2, subplot_titles=("mean of the channel", "variance of the channel"))
    for col, (batch, running, population) in enumerate(
        [
            (trace.batch_mean, trace.running_mean, trace.population_mean),
            (trace.batch_var, trace.running_var, trace.population_var),
        ],
        start=1,
    ):
        first = col == 1
        figure.add_scatter(
            x=trace.steps,
            y=batch,
            mode="markers",
            marker=dict(size=4, color=colour(5)),
            name="this batch (μ_B, σ_B²)",
            showlegend=first,
            row=1,
            col=col,
        )
        figure.add_scatter(
            x=trace.steps,
            y=running,
            mode="lines",
            line=dict(color=colour(0), width=3),
            name="running estimate",
            showlegend=first,
            row=1,
            col=col,
        )
        figure.add_scatter(
            x=[trace.steps[0], trace.steps[-1]],
            y=[population, population],
            mode="lines",
            line=dict(color=colour(1), dash="dash"),
            name="population value",
            showlegend=first,
            row=1,
            col=col,
        )
    figure.update_xaxes(title="training step")
    figure.update_yaxes(title="mean", col=1)
    figure.update_yaxes(title="variance", col=2)
    return sized(figure, 360)


def depth_heatmap(layers: Sequence[LayerActivations], activation: str, bins: int = 50) -> go.Figure:
    """Distribution of activations (colour = fraction of values) for each layer, left to right."""
    bounded = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
    low, high = bounded.get(activation, (0.0, max(1e-6, 4 * max(layer.std for layer in layers))))
    edges = np.linspace(low, high, bins + 1)
    fractions = np.stack([np.histogram(np.clip(a.values, low, high), edges)[0] / len(a.values) for a in layers], 1)
    figure = go.Figure(
        go.Heatmap(
            z=fractions,
            x=[a.layer for a in layers],
            y=(edges[:-1] + edges[1:]) / 2,
            colorscale="Cividis",
            colorbar=dict(title="fraction"),
        )
    )
    figure.update_xaxes(title="layer", dtick=1)
    figure.update_yaxes(title="activation value")
    return sized(figure, 340)


def class_distribution_figure(samples: np.ndarray, deterministic: np.ndarray, classes: Sequence[str]) -> go.Figure:
    """Per class: the T softmax probabilities (box with points), their MC mean and the dropout-off value."""
    passes = len(samples)
    # One box trace for all classes (a box per x category), not ten: a tenth of the objects to build and send.
    passes_box = dict(
        type="box",
        x=np.repeat(np.asarray(classes, dtype=object), passes),
        y=samples.T.ravel(),  # class by class, each class's T passes
        boxpoints="all",
        jitter=0.5,
        pointpos=0,
        marker=dict(size=3, color=colour(5)),
        line=dict(color=colour(5)),
        showlegend=False,
        name="passes",
    )
    shown = [(samples.mean(0), "MC mean", "diamond"), (deterministic, "dropout off (weight scaling)", "x")]
    markers = [
        dict(type="scatter", x=list(classes), y=y, mode="markers", name=name,
             marker=dict(symbol=symbol, size=12, color=colour(index)))
        for index, (y, name, symbol) in enumerate(shown)
    ]  # fmt: skip
    layout = dict(xaxis=axis("class"), yaxis=axis("softmax probability", range=[-0.02, 1.02]), **house_layout(380))
    return go.Figure(data=[passes_box, *markers], layout=layout)


def votes_figure(counts: np.ndarray, classes: Sequence[str]) -> go.Figure:
    bars = dict(type="bar", x=list(classes), y=counts, marker=dict(color=colour(0)))
    # The y title is short: a projected or narrow figure cut a longer one.
    return go.Figure(data=[bars], layout=dict(xaxis=axis("class"), yaxis=axis("votes (passes)"), **house_layout(280)))


def convergence_figure(running: np.ndarray, samples: np.ndarray, label: str) -> go.Figure:
    """The MC estimate of one class's probability as passes accumulate, with ± one standard error."""
    t = np.arange(1, len(running) + 1)
    # The standard deviation of the first k passes for every k at once, from running sums of x and x².
    variance = np.cumsum(samples**2) / t - (np.cumsum(samples) / t) ** 2
    spread = np.sqrt(np.clip(variance, 0, None) / t)
    band = dict(
        type="scatter",
        x=np.concatenate([t, t[::-1]]),
        y=np.concatenate([running + spread, (running - spread)[::-1]]),
        fill="toself",
        line=dict(width=0),
        fillcolor="rgba(0,114,178,0.2)",
        name="± 1 s.e.",
    )
    estimate = dict(
        type="scatter", x=t, y=running, mode="lines", line=dict(color=colour(0)), name=f"MC estimate of P({label})"
    )
    layout = dict(xaxis=axis("passes T"), yaxis=axis("probability"), **house_layout(300))
    return go.Figure(data=[band, estimate], layout=layout)


def rotation_scatter_figure(scatter: RotationScatter, classes: Sequence[str]) -> go.Figure:
    """Every pass's softmax input and output at each rotation, for the classes that lead at some angle.

    The layout of Gal & Ghahramani (2016), Fig. 4; the points are spread a little sideways to show their density.
    """
    titles = ("softmax input (logit)", "softmax output (probability)")
    layout = copy.deepcopy(subplot_grid(2, 1, titles, shared_xaxes=True, vertical_spacing=0.08))
    layout["xaxis2"].update(axis("rotation (degrees)", tickvals=scatter.angles))
    layout["yaxis"].update(axis("logit"))
    layout["yaxis2"].update(axis("probability", range=[0, 1.02]))
    passes = scatter.logits.shape[0]
    jitter = np.random.default_rng(0).uniform(-3.0, 3.0, (passes, len(scatter.angles)))  # fixed: same picture
    # float32 throughout: the same points to well under a pixel, and half the bytes of a ~300 KB figure.
    x = (scatter.angles[None, :] + jitter).ravel().astype(np.float32)
    data = []
    for label in scatter.classes:
        shade, name = CLASS_PALETTE[label], classes[label]  # by class, so a class keeps its colour from item to item
        # The legend's marker, solid and large: the points' own are faint (they overlap) and vanish on dark.
        data.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=name, legendgroup=name,
                         marker=dict(size=10, color=shade), xaxis="x", yaxis="y"))  # fmt: skip
        for row, values in enumerate((scatter.logits, scatter.probs), start=1):
            data.append(
                dict(
                    type="scatter",
                    x=x,
                    y=values[:, :, label].ravel().astype(np.float32),
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    marker=dict(size=4, color=shade, opacity=0.35),
                    showlegend=False,
                    xaxis="x" if row == 1 else "x2",
                    yaxis="y" if row == 1 else "y2",
                )
            )
    return go.Figure(data=data, layout={**layout, **house_layout(560)})


def reliability_figure(curves: Mapping[str, object]) -> go.Figure:
    """Reliability diagrams (accuracy per confidence bin) with the diagonal, and the confidence histograms."""
    figure = make_subplots(rows=2, cols=1, row_heights=[0.7, 0.3], shared_xaxes=True, vertical_spacing=0.05)
    figure.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="grey"), name="perfect", row=1, col=1
    )
    for index, (name, curve) in enumerate(curves.items()):
        centres = (curve.edges[:-1] + curve.edges[1:]) / 2
        figure.add_scatter(
            x=centres,
            y=curve.accuracy,
            mode="lines+markers",
            line_color=colour(index),
            name=f"{name} (ECE {curve.ece:.1%})",
            row=1,
            col=1,
        )
        figure.add_bar(
            x=centres,
            y=curve.counts / curve.counts.sum(),
            marker_color=colour(index),
            opacity=0.6,
            name=f"{name}: share of predictions",
            row=2,
            col=1,
            showlegend=False,
        )
    figure.update_yaxes(title="accuracy", range=[0, 1], row=1, col=1)
    figure.update_yaxes(title="share", row=2, col=1)
    figure.update_xaxes(title="confidence", range=[0, 1], row=2, col=1)
    figure.update_layout(barmode="group")
    return sized(figure, 480)


def groups_figure(groups: Mapping[str, np.ndarray], y_title: str, x_title: str = "inputs") -> go.Figure:
    """One box (with points) per group, e.g. mutual information for in- and out-of-distribution inputs."""
    figure = go.Figure()
    for index, (name, values) in enumerate(groups.items()):
        figure.add_box(
            y=values,
            name=name,
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker=dict(size=4, color=colour(index)),
            line_color=colour(index),
            showlegend=False,
        )
    figure.update_xaxes(title=x_title)
    figure.update_yaxes(title=y_title)
    return sized(figure, 340)


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


def invariance_figure(
    series: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]], x_titles: Mapping[str, str]
) -> go.Figure:
    """Accuracy against transformation strength, one subplot per transformation: ``series`` maps a training
    choice to {transformation: (strengths, mean, std)}; each choice keeps one colour, dash and marker, with a
    ±1 std band. Every subplot has the same accuracy range, so the panels compare at a glance."""
    families = list(x_titles)
    figure = make_subplots(rows=1, cols=len(families), subplot_titles=families, horizontal_spacing=0.04)
    low = min(float(np.min(mean - std)) for by_family in series.values() for _, mean, std in by_family.values())
    for index, (label, by_family) in enumerate(series.items()):
        for column, family in enumerate(families, start=1):
            x, mean, std = by_family[family]
            x = list(x)
            figure.add_trace(band(x, mean, std, colour(index), label, 0.2), row=1, col=column)
            figure.add_scatter(
                x=x,
                y=mean,
                mode="lines+markers",
                line=dict(color=colour(index), dash=DASHES[index % len(DASHES)]),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=8),
                name=label,
                legendgroup=label,
                showlegend=column == 1,
                hovertemplate=f"{label}<br>%{{x}}: %{{y:.1%}}<extra></extra>",
                row=1,
                col=column,
            )
            figure.update_xaxes(title=x_titles[family], tickvals=x, row=1, col=column)
    # One range for all: only the first panel needs tick labels (a phone's stacked panels get theirs back).
    figure.update_yaxes(range=[max(0.0, low - 0.03), 1.0], tickformat=".0%", showticklabels=False)
    figure.update_yaxes(title="test accuracy", showticklabels=True, row=1, col=1)
    return sized(figure, 400)


def paths_figure(
    w1: np.ndarray, w2: np.ndarray, loss: np.ndarray, paths: Mapping[str, np.ndarray], dashed: Sequence[str] = ()
) -> go.Figure:
    """Loss contours with optimizer trajectories from the same start (``dashed`` ones drawn on top, dashed)."""
    figure = go.Figure(
        go.Contour(
            x=w1,
            y=w2,
            z=np.log1p(loss - loss.min()).astype(np.float32),  # to the eye the same lines; half the bytes
            colorscale="Greys",
            reversescale=True,
            showscale=False,
            contours=dict(coloring="lines"),
            hoverinfo="skip",
        )
    )
    for index, (label, path) in enumerate(paths.items()):
        line = dict(color=colour(index), width=2, dash="dash" if label in dashed else "solid")
        figure.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines", line=line, name=label)
        figure.add_scatter(
            x=path[-1:, 0],
            y=path[-1:, 1],
            mode="markers",
            marker=dict(size=10, color=colour(index)),
            showlegend=False,
            hoverinfo="skip",
        )
    start = next(iter(paths.values()))[0]
    star = dict(size=16, symbol="star", color=colour(4), line=dict(width=1.5, color=colour(7)))  # both themes
    figure.add_scatter(x=[start[0]], y=[start[1]], mode="markers", marker=star, name="start")
    figure.update_xaxes(title="w₁", range=[w1[0], w1[-1]])
    figure.update_yaxes(title="w₂", range=[w2[0], w2[-1]], scaleanchor="x")
    return sized(figure, 520)


def early_stopping_figure(epochs: np.ndarray, losses: Mapping[str, np.ndarray], stop: int, best: int) -> go.Figure:
    """Loss curves over epochs with the epoch early stopping keeps and the one at which it stops."""
    figure = lines_figure({label: (epochs, values) for label, values in losses.items()}, "epoch", "cross-entropy")
    figure.add_vline(
        x=epochs[best],
        line=dict(color=colour(2), dash="dash"),
        annotation_text=f"best: epoch {epochs[best]}",
        annotation_position="top left",
    )
    figure.add_vline(
        x=epochs[stop],
        line=dict(color=colour(1), dash="dot"),
        annotation_text=f"stop: epoch {epochs[stop]}",
        annotation_position="top right",
    )
    return figure


def disagreement_figure(matrix: np.ndarray) -> go.Figure:
    labels = [f"member {i + 1}" for i in range(len(matrix))]
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            colorscale="Cividis",
            zmin=0,
            colorbar=dict(title="disagree"),
            text=np.round(matrix, 3),
            texttemplate="%{text}",
        )
    )
    figure.update_xaxes(title="network")
    figure.update_yaxes(title="network", autorange="reversed")
    return sized(figure, 360)


class FrozenFigure(go.Figure):
    """A built figure reduced to its dict form, made once (see ``freeze``): read-only, cheap to keep."""

    _as_dict: dict

    def to_dict(self) -> dict:
        return self._as_dict


def freeze(figure: go.Figure) -> FrozenFigure:
    """A read-only stand-in for ``figure`` that holds only its dict form, made here once.

    ``st.plotly_chart`` calls ``to_dict()`` on every rerun that shows a figure (plotly 7 then encodes every
    array as base64 again: 1.4 ms for a contour figure with six paths, 10 % of the server's GIL time under the load
    mix), and reads nothing else of it. plotly's objects behind a figure are many Python containers that every
    full garbage collection scans as long as a cache keeps them (3,093 for the rotated-item scatter; its dict:
    146). Lay out a new build for another screen
    (``adapted``), never a frozen figure.
    """
    frozen = FrozenFigure(layout={"template": "none"})  # "none": no copy of the default template's objects
    frozen._as_dict = figure.to_dict()
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
            if trace.line.width != 0:  # (0: a filled band's outline stays invisible)
                trace.line.width = 4
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
