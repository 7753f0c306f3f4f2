"""Initialization recap: activations through a deep MLP for each initialization and non-linearity.

With too small weights the signal shrinks layer by layer; tanh and sigmoid saturate when it is too large.
Glorot/Xavier (as in the paper: variance 2 / (fan_in + fan_out), no gain) keeps a *linear* layer's variance
when fan_in = fan_out; tanh's and ReLU's spread still shrink with depth (the page measures it). Kaiming/He
(variance gain² / fan_in, with each activation's gain) makes up for it. The fractions shown are computed on a
real batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from core.figures import sized
from core.models import make_activation
from core.rng import RngStream

SCHEMES = ("too small (std 0.01)", "Xavier", "Kaiming", "too large (std 1)")
ACTIVATIONS = ("tanh", "sigmoid", "relu")  # the recap's non-linearities
SATURATION = 0.98  # tanh |a| above this, or sigmoid a within 1 - this of 0 or 1, counts as saturated


@dataclass(frozen=True)
class LayerActivations:
    layer: int  # 1 … depth
    values: np.ndarray  # post-activation values, subsampled for plotting
    mean: float
    std: float
    saturated: float  # fraction of values in the flat tails (tanh, sigmoid)
    dead: float  # fraction of ReLU units that output zero for every input of the batch


def deep_mlp(width: int, depth: int, in_features: int, activation: str, scheme: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for index in range(depth):
        linear = nn.Linear(in_features if index == 0 else width, width)
        if scheme == "too small (std 0.01)":
            nn.init.normal_(linear.weight, std=0.01)
        elif scheme == "too large (std 1)":
            nn.init.normal_(linear.weight, std=1.0)
        elif scheme == "Xavier":
            nn.init.xavier_normal_(linear.weight)  # Glorot & Bengio (2010): no gain for the non-linearity
        elif scheme == "Kaiming":
            nn.init.kaiming_normal_(linear.weight, nonlinearity=activation)
        else:
            raise ValueError(f"unknown scheme {scheme!r}; choose one of {SCHEMES}")
        nn.init.zeros_(linear.bias)
        layers += [linear, make_activation(activation)]
    return nn.Sequential(*layers)


@torch.inference_mode()
def activations_through_depth(
    inputs: torch.Tensor, activation: str, scheme: str, width: int = 256, depth: int = 10, seed: int = 0
) -> list[LayerActivations]:
    """Post-activation statistics of each layer of a freshly initialized MLP on ``inputs`` (N, features)."""
    with RngStream(seed).active():
        model = deep_mlp(width, depth, inputs.shape[1], activation, scheme)
    found = []
    x = inputs
    for index, layer in enumerate(model, start=1):
        x = layer(x)
        if index % 2 == 1:
            continue  # a linear layer: look after its non-linearity
        values = x.numpy()
        dead = dead_fraction(values) if activation == "relu" else 0.0
        summary = (float(values.mean()), float(values.std()), saturated_fraction(values, activation), dead)
        found.append(LayerActivations(index // 2, values.ravel()[::7], *summary))
    return found


def saturated_fraction(values: np.ndarray, activation: str) -> float:
    """Fraction of values in the flat tails of tanh or sigmoid (0 for other non-linearities)."""
    if activation == "tanh":
        return float((np.abs(values) > SATURATION).mean())
    if activation == "sigmoid":
        return float(((values < 1 - SATURATION) | (values > SATURATION)).mean())
    return 0.0


def dead_fraction(values: np.ndarray) -> float:
    """Fraction of units (columns of ``values``, shape (N, units)) that are zero for every input."""
    return float((values <= 0).all(axis=0).mean())


def summary_table(layers: list[LayerActivations]) -> list[dict[str, object]]:
    """One row per layer: mean, std, saturated and dead fractions, for display."""
    return [
        {
            "layer": a.layer,
            "mean": round(a.mean, 4),
            "std": round(a.std, 4),
            "saturated": f"{a.saturated:.0%}",
            "dead ReLUs": f"{a.dead:.0%}",
        }
        for a in layers
    ]


def depth_heatmap(layers: Sequence[LayerActivations], activation: str, bins: int = 50) -> go.Figure:
    """Distribution of activations (colour = fraction of values) for each layer, left to right.

    ReLU's exact zeros (about half of its values, its zero side) are left out of the colours: as one bin they took
    half of every column, and the colour scale left the spread of the other half invisible."""
    bounded = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
    low, high = bounded.get(activation, (0.0, max(1e-6, 4 * max(layer.std for layer in layers))))
    edges = np.linspace(low, high, bins + 1)
    shown = [a.values[a.values != 0] if activation == "relu" else a.values for a in layers]
    fractions = np.stack(
        [np.histogram(np.clip(v, low, high), edges)[0] / len(a.values) for v, a in zip(shown, layers)], 1
    )
    figure = go.Figure(
        go.Heatmap(
            z=fractions,
            x=[a.layer for a in layers],
            y=(edges[:-1] + edges[1:]) / 2,
            colorscale="Cividis",
            colorbar=dict(title="fraction" + (" (zeros left out)" if activation == "relu" else "")),
        )
    )
    figure.update_xaxes(title="layer", dtick=1)
    figure.update_yaxes(title="activation value")
    return sized(figure, 340)
