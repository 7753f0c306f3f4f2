"""The BatchNorm Lab's *Deep networks* and *Non-linearities*, from the recap MLP's records (core.mlp): plain and
BatchNorm networks of growing depth at their chosen rates, and each non-linearity's saturated and dead units and
gradients, at initialization and after training."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core.figures import DASHES, colour, lines_figure, log_ticks, sized
from core.mlp import DEPTHS, PROBE, chosen
from core.models import LEAKY_SLOPE, NUM_CLASSES, make_activation
from core.stats import mean_std

# --- deep networks, plain and BatchNorm ---------------------------------------------------------------------


def depth_arms(records: list[dict]) -> dict[tuple[str, int], list[dict]]:
    """(norm, depth) -> per seed, the record at its chosen rate."""
    return {
        (norm, depth): chosen(records, model_norm=norm, model_depth=depth)
        for norm in ("none", "batch")
        for depth in DEPTHS
    }


NORM_LABELS = {"none": "plain", "batch": "BatchNorm"}


STALLED = 0.9 * math.log(NUM_CLASSES)  # a final training loss above this is still near chance (ln 10 = 2.30)


def stalled_depth(arms: dict[tuple[str, int], list[dict]], norm: str) -> int | None:
    """The smallest depth at which every seed's training loss ends near chance, or None if none does."""
    for depth in DEPTHS:
        if all(r["train_loss"][-1] is None or r["train_loss"][-1] > STALLED for r in arms[(norm, depth)]):
            return depth
    return None


def depth_accuracy_figure(arms: dict[tuple[str, int], list[dict]]) -> go.Figure:
    """Test accuracy against depth, plain and BatchNorm, mean ± std over seeds."""
    figure = go.Figure()
    for index, (norm, label) in enumerate(NORM_LABELS.items()):
        stats = [mean_std([100 * r["test_accuracy"] for r in arms[(norm, d)]]) for d in DEPTHS]
        figure.add_scatter(
            x=list(DEPTHS),
            y=[m for m, _ in stats],
            error_y=dict(type="data", array=[s for _, s in stats]),
            mode="lines+markers",
            name=label,
            line=dict(color=colour(index), dash=DASHES[index]),
        )
    figure.add_hline(y=10, line=dict(color="#999999", dash="dot"), annotation_text="chance (10 %)")
    figure.update_xaxes(title="hidden layers", tickvals=list(DEPTHS))
    figure.update_yaxes(title="test accuracy (%)", range=[0, 100])
    return sized(figure, 340)


def gradient_figure(arms: dict[tuple[str, int], list[dict]], depth: int) -> go.Figure:
    """‖∂L/∂W‖ of each linear layer at initialization (mean over seeds), first layer at the left."""
    series = {}
    for norm, label in NORM_LABELS.items():
        gradients = np.array([r["init"]["gradients"] for r in arms[(norm, depth)]]).mean(0)
        series[label] = (list(range(1, len(gradients) + 1)), list(gradients))
    return lines_figure(series, "layer (1 = first, last = output)", "‖∂L/∂W‖ at initialization", log_y=True)


# --- non-linearities ----------------------------------------------------------------------------------------


ACTIVATION_LABELS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": f"Leaky ReLU ({LEAKY_SLOPE:g})",
}


def activation_curves(low: float = -6.0, high: float = 6.0, points: int = 241) -> dict[str, tuple[np.ndarray, ...]]:
    """Each non-linearity and its derivative on a grid, the derivative by autograd (what backprop multiplies by)."""
    curves = {}
    for name, label in ACTIVATION_LABELS.items():
        z = torch.linspace(low, high, points, dtype=torch.float64, requires_grad=True)
        out = make_activation(name)(z)
        (gradient,) = torch.autograd.grad(out.sum(), z)
        curves[label] = (z.detach().numpy(), out.detach().numpy(), gradient.numpy())
    return curves


def activation_figure(curves: dict[str, tuple[np.ndarray, ...]]) -> go.Figure:
    """Left: the non-linearities; right: their derivatives (flat tails: no gradient passes)."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=["f(z)", "f′(z): what backprop multiplies by"])
    for index, (label, (z, out, gradient)) in enumerate(curves.items()):
        # Each curve wider than the next one drawn over it: where two coincide (ReLU and Leaky ReLU for z > 0,
        # their derivatives at 1), the one below still shows on both sides of the one on top.
        width = 2.5 + len(curves) - 1 - index
        line = dict(color=colour(index), dash=DASHES[index % len(DASHES)], width=width)
        figure.add_scatter(x=z, y=out, mode="lines", line=line, name=label, legendgroup=label, row=1, col=1)
        figure.add_scatter(
            x=z, y=gradient, mode="lines", line=line, name=label, legendgroup=label, showlegend=False, row=1, col=2
        )
    figure.update_xaxes(title="z (what enters the unit)")
    figure.update_yaxes(range=[-1.1, 1.6], row=1, col=1)
    figure.update_yaxes(range=[-0.05, 1.1], row=1, col=2)
    return sized(figure, 330)


def activation_rows(records: list[dict], lr: float) -> list[dict[str, object]]:
    """Per non-linearity at rate ``lr``: saturated and dead units, first-layer gradient, before and after training
    (after: over the seeds whose run did not diverge). Saturation applies to sigmoid and tanh (their flat
    tails), death to ReLU and Leaky ReLU (their zero side); the other cell says "–"."""
    rows = []
    for name, label in ACTIVATION_LABELS.items():
        found = [r for r in records if r["model"]["activation"] == name and r["lr"] == lr]
        finished = [r for r in found if not r["diverged"]]

        def share(stage: str, key: str) -> str:
            runs = found if stage == "init" else finished
            squashing = name in ("sigmoid", "tanh")  # flat tails, but no zero side
            if not runs or (key == "dead") == squashing:
                return "–"
            return f"{100 * np.mean([np.mean(r[stage][key]) for r in runs]):.0f} %"

        def first(stage: str) -> str:
            runs = found if stage == "init" else finished
            return f"{np.mean([r[stage]['gradients'][0] for r in runs]):.2g}" if runs else "–"

        accuracy, spread = mean_std([100 * r["test_accuracy"] for r in found])
        rows.append(
            {
                "non-linearity": label,
                "saturated: init → trained": f"{share('init', 'saturated')} → {share('trained', 'saturated')}",
                "dead units: init → trained": f"{share('init', 'dead')} → {share('trained', 'dead')}",
                "‖∂L/∂W₁‖: init → trained": f"{first('init')} → {first('trained')}",
                "test accuracy": f"{accuracy:.1f} ± {spread:.1f} %",
                "diverged": f"{len(found) - len(finished)} of {len(found)} seeds",
            }
        )
    return rows


def layer_gradient_figure(records: list[dict], lr: float) -> go.Figure:
    """‖∂L/∂W‖ per linear layer for each non-linearity (mean over seeds): at initialization solid, trained dashed."""
    figure = go.Figure()
    for index, (name, label) in enumerate(ACTIVATION_LABELS.items()):
        found = [r for r in records if r["model"]["activation"] == name and r["lr"] == lr]
        for stage, dash in (("init", "solid"), ("trained", "dash")):
            runs = found if stage == "init" else [r for r in found if not r["diverged"]]
            if not runs:
                continue  # every seed diverged: no trained gradients to show
            gradients = np.array([r[stage]["gradients"] for r in runs]).mean(0)
            figure.add_scatter(
                x=list(range(1, len(gradients) + 1)),
                y=gradients,
                mode="lines+markers",
                line=dict(color=colour(index), dash=dash),
                name=label,
                legendgroup=label,
                showlegend=stage == "init",
            )
    values = [v for trace in figure.data for v in trace.y]
    for stage, dash in (("at initialization", "solid"), ("trained", "dash")):  # the line styles' own entries
        figure.add_scatter(x=[None], y=[None], mode="lines", line=dict(color="#999999", dash=dash), name=stage)
    figure.update_xaxes(title="layer (1 = first: the slide's ∂L/∂w)")
    figure.update_yaxes(title=f"‖∂L/∂W‖ on {PROBE} images", type="log", **log_ticks(values))
    return sized(figure, 380)
