"""The Regularization Lab's *Weight decay vs L2*: L2 in the loss against decoupled weight decay, and the decay
dose of the recorded CNN runs.

Optimizer paths are made by the real ``torch.optim`` classes on a 2-D loss surface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch

from core.figures import colour, sized


def _quadratic(w: torch.Tensor) -> torch.Tensor:
    # Ill-conditioned (curvatures 1 and 20) with its minimum away from the origin, so decay visibly pulls.
    return 0.5 * ((w[..., 0] - 2.0) ** 2 + 20.0 * (w[..., 1] - 1.0) ** 2)


def _two_valleys(w: torch.Tensor) -> torch.Tensor:
    # A tilted double well in w1: two minima near w1 = ±1, the left one lower.
    return (w[..., 0] ** 2 - 1.0) ** 2 + 0.3 * w[..., 0] + 2.0 * (w[..., 1] - 0.5 * w[..., 0]) ** 2


@dataclass(frozen=True)
class Surface:
    function: Callable[[torch.Tensor], torch.Tensor]  # (..., 2) -> (...)
    start: tuple[float, float]
    extent: tuple[float, float, float, float]  # w1 min, w1 max, w2 min, w2 max for the contour plot


SURFACES = {
    "ill-conditioned quadratic": Surface(_quadratic, (-2.5, -1.5), (-3.0, 3.5, -2.0, 2.5)),
    "two valleys (non-convex)": Surface(_two_valleys, (1.8, 2.2), (-2.2, 2.2, -2.0, 2.5)),
}


@dataclass(frozen=True)
class Rule:
    """One way to apply λ: by an optimizer's own ``weight_decay`` or written out around a ``torch.optim`` step."""

    optimizer: type[torch.optim.Optimizer]
    momentum: float | None  # SGD's momentum (None: not SGD)
    decay: str  # "loss": λ/2·‖w‖² added to the loss; "decoupled": w ← (1 − αλ)·w before the step; "builtin"


OPTIMIZERS: dict[str, Rule] = {
    "SGD + L2 in the loss": Rule(torch.optim.SGD, 0.0, "loss"),
    "SGD, decoupled: (1 − αλ)Θ − α∇f": Rule(torch.optim.SGD, 0.0, "decoupled"),
    "SGD momentum 0.9 + L2": Rule(torch.optim.SGD, 0.9, "loss"),
    "SGD momentum 0.9, decoupled": Rule(torch.optim.SGD, 0.9, "decoupled"),
    "Adam(weight_decay=λ): L2": Rule(torch.optim.Adam, None, "builtin"),
    "AdamW(weight_decay=λ): decoupled": Rule(torch.optim.AdamW, None, "builtin"),
}


PATH_LEARNING_RATES = (0.005, 0.01, 0.02, 0.05, 0.1)  # the optimizer paths' learning-rate choices
PATH_DECAYS = (0.0, 0.05, 0.1, 0.2, 0.5, 1.0)  # their λ choices
PATH_STEPS = 500  # their Steps slider's end: shorter runs are prefixes


def optimizer_path(surface: Surface, label: str, lr: float, decay: float, steps: int) -> np.ndarray:
    """The iterates of one optimizer from the surface's start: (steps + 1, 2), float64."""
    rule = OPTIMIZERS[label]
    w = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    options = {"momentum": rule.momentum} if rule.momentum is not None else {}
    # foreach=False: for one 2-element tensor the per-parameter loop is 3x faster than the default foreach kernels.
    optimizer = rule.optimizer(
        [w], lr=lr, weight_decay=decay if rule.decay == "builtin" else 0.0, foreach=False, **options
    )
    path = [w.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = surface.function(w)
        if rule.decay == "loss":
            loss = loss + 0.5 * decay * (w**2).sum()
        loss.backward()
        if rule.decay == "decoupled":  # the slide's update, as AdamW applies it: shrink, then the gradient step
            with torch.no_grad():
                w.mul_(1.0 - lr * decay)
        optimizer.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


def surface_grid(surface: Surface, points: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """w1 values, w2 values and the loss on their grid, for a contour plot."""
    w1 = torch.linspace(surface.extent[0], surface.extent[1], points, dtype=torch.float64)
    w2 = torch.linspace(surface.extent[2], surface.extent[3], points, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(w1, w2, indexing="xy"), dim=-1)
    return w1.numpy(), w2.numpy(), surface.function(grid).numpy()


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
        path = path.astype(np.float32)  # far below a pixel (as the contour); half the JSON every rerun sends
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


# --- the same on the CNN: the recorded AdamW runs -----------------------------------------------------------


def decay_dose(train: Mapping[str, object], until: int | None = None) -> float:
    """Σ lr_t·λ over a run's first ``until`` steps (default: all), from its recorded ``train`` config: decoupled
    decay alone would shrink the weights by exp(−dose)."""
    steps = train["steps"] if until is None else until
    rates = np.full(steps, train["lr"])
    if train["cosine"]:  # CosineAnnealingLR's rate at each step
        rates = rates * (1 + np.cos(np.pi * np.arange(steps) / train["steps"])) / 2
    return float(train["weight_decay"] * rates.sum())


def tuning_rows(
    grids: Mapping[str, Mapping[float, Sequence[dict]]], chosen: Mapping[str, float]
) -> list[dict[str, object]]:
    """One row per λ of each rule's tuning grid (one run per tuning seed): what validation saw at the end of the
    schedule, the λ it chose, and the runs' test figures on the 10,000 test images (for reading, not for choosing);
    each figure the mean over the λ's runs, as text (a projected table would print every float to 4 decimals)."""

    def mean(records: Sequence[dict], read: Callable[[dict], float]) -> float:
        return float(np.mean([read(record) for record in records]))

    return [
        {
            "rule": rule,
            "λ": f"{decay:g}",
            "chosen": "✓" if decay == chosen[rule] else "",
            "validation accuracy %": f"{100 * mean(runs, lambda r: r['val_accuracy'][-1]):.1f}",
            "validation loss": f"{mean(runs, lambda r: r['val_loss'][-1]):.3f}",
            "weight norm, end": f"{mean(runs, lambda r: r['weight_norm'][-1]):.1f}",
            "test accuracy %": f"{100 * mean(runs, lambda r: r['kept']['test_accuracy']):.1f}",
            "test loss (nats)": f"{mean(runs, lambda r: r['kept']['test_loss']):.3f}",
        }
        for rule, grid in grids.items()
        for decay, runs in grid.items()
    ]
