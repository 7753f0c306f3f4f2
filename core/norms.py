"""The four normalizations of Wu & He (2018, *Group Normalization*, Fig. 2) on a real batch of activations.

BatchNorm, LayerNorm, InstanceNorm and GroupNorm compute the same thing, (x − mean) / sqrt(var + ε), and
differ only in *which* elements of the (N, C, H·W) block share one mean and variance. ``set_ids`` says it
for each (sample, channel) column; ``normalize`` uses it, and the page checks the result against
``torch.nn``'s own layers on the same tensor (``torch_layer``), so the grouping shown is the one PyTorch uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots
from torch import nn

from core.figures import PALETTE, sized
from core.models import norm_modules, recorded_io

KINDS = ("BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm")
EPS = 1e-5  # every torch normalization layer's default ε
SHARED = {  # the axes over which one mean and variance are taken, as Wu & He write them
    "BatchNorm": "N, H, W",
    "LayerNorm": "C, H, W",
    "InstanceNorm": "H, W",
    "GroupNorm": "C/G, H, W",
}


def set_ids(kind: str, samples: int, channels: int, groups: int) -> np.ndarray:
    """(N, C) integer ids: the (sample, channel) columns with equal id share one mean and variance (over H·W too)."""
    n, c = np.meshgrid(np.arange(samples), np.arange(channels), indexing="ij")
    if kind == "BatchNorm":
        return c  # one set per channel, across the batch
    if kind == "LayerNorm":
        return n  # one set per sample, across all channels
    if kind == "InstanceNorm":
        return n * channels + c  # one set per sample and channel
    if kind == "GroupNorm":
        if channels % groups:
            raise ValueError(f"GroupNorm needs the {channels} channels to split into equal groups; {groups} does not")
        return n * groups + c // (channels // groups)
    raise ValueError(f"unknown normalization {kind!r}; choose one of {KINDS}")


def normalize(x: torch.Tensor, kind: str, groups: int = 1) -> torch.Tensor:
    """(x − mean) / sqrt(var + ε) with the statistics of each set of ``set_ids`` (biased variance, as torch)."""
    samples, channels = x.shape[:2]
    ids = torch.from_numpy(set_ids(kind, samples, channels, groups))  # (N, C)
    columns = x.flatten(2).double()  # (N, C, H*W)
    count = torch.bincount(ids.flatten()).double() * columns.shape[2]  # values per set
    total = torch.zeros(len(count), dtype=torch.double).index_add_(0, ids.flatten(), columns.sum(2).flatten())
    mean = (total / count)[ids].unsqueeze(2)  # (N, C, 1)
    squares = ((columns - mean) ** 2).sum(2).flatten()
    var = (torch.zeros(len(count), dtype=torch.double).index_add_(0, ids.flatten(), squares) / count)[ids]
    return ((columns - mean) / torch.sqrt(var.unsqueeze(2) + EPS)).reshape(x.shape).to(x.dtype)


def torch_layer(kind: str, channels: int, spatial: tuple[int, int], groups: int) -> nn.Module:
    """``torch.nn``'s own layer for ``kind``, without learned scale and shift; BatchNorm with batch statistics."""
    if kind == "BatchNorm":
        return nn.BatchNorm2d(channels, affine=False, track_running_stats=False)
    if kind == "LayerNorm":
        return nn.LayerNorm((channels, *spatial), elementwise_affine=False)
    if kind == "InstanceNorm":
        return nn.InstanceNorm2d(channels)
    if kind == "GroupNorm":
        return nn.GroupNorm(groups, channels, affine=False)
    raise ValueError(f"unknown normalization {kind!r}; choose one of {KINDS}")


@dataclass(frozen=True)
class NormReport:
    kind: str
    sets: int  # how many means and variances the layer computes for this batch
    values_per_set: int
    first_mean: float  # the statistics of the set holding sample 1, channel 1
    first_std: float
    torch_difference: float  # max |this module's output − torch.nn's layer's output|
    alone_difference: float  # max change of sample 1's output when it is normalized alone (a batch of 1)


@torch.inference_mode()
def compare(x: torch.Tensor, groups: int) -> list[NormReport]:
    """Each normalization on the activations ``x`` (N, C, H, W): its sets, the check against torch, a batch of 1."""
    samples, channels, height, width = x.shape
    reports = []
    for kind in KINDS:
        ids = set_ids(kind, samples, channels, groups)
        layer = torch_layer(kind, channels, (height, width), groups)
        ours = normalize(x, kind, groups)
        first = x[ids == ids[0, 0]].double()  # (members, H, W): every column of the first set
        alone = normalize(x[:1], kind, groups)
        reports.append(
            NormReport(
                kind,
                int(ids.max()) + 1,
                int((ids == ids[0, 0]).sum()) * height * width,
                float(first.mean()),
                float(first.std(unbiased=False)),
                float((ours - layer(x)).abs().max()),
                float((alone[0] - ours[0]).abs().max()),
            )
        )
    return reports


def report_rows(reports: list[NormReport], groups: int) -> list[dict[str, object]]:
    """The comparison as table rows, for display."""
    return [
        {
            "normalization": r.kind + (f" (G = {groups})" if r.kind == "GroupNorm" else ""),
            "shares over": SHARED[r.kind],
            "means computed": r.sets,
            "values per mean": f"{r.values_per_set:,}",
            "set of image 1, channel 1: mean / std": f"{r.first_mean:.3f} / {r.first_std:.3f}",
            "max |difference| to torch.nn": f"{r.torch_difference:.1e}",
            "image 1 alone (batch of 1) changes it by": f"{r.alone_difference:.3f}",
        }
        for r in reports
    ]


# --- Wu & He's cube -------------------------------------------------------------------------------------------

FRONT, HEIGHT, DEPTH = 4.0, 3.0, 3.0  # the cube's drawn width (N), height (H·W) and depth (C)
SLANT = (0.75, 0.55)  # the depth direction on paper


def _cell_polygons(kind: str, samples: int, channels: int, groups: int) -> dict[bool, tuple[list, list]]:
    """Outlines of the cube's visible cells, split by whether they belong to the highlighted set (image 1's,
    channel 1's), as x and y lists with None between polygons."""
    ids = set_ids(kind, samples, channels, groups)
    chosen = ids == ids[0, 0]
    cell, step = FRONT / samples, (SLANT[0] * DEPTH / channels, SLANT[1] * DEPTH / channels)
    found: dict[bool, tuple[list, list]] = {True: ([], []), False: ([], [])}

    def add(highlight: bool, corners: list[tuple[float, float]]) -> None:
        xs, ys = found[bool(highlight)]
        xs += [x for x, _ in corners] + [corners[0][0], None]
        ys += [y for _, y in corners] + [corners[0][1], None]

    for n in range(samples):  # the front face: channel 1 of every sample, all of H·W
        add(chosen[n, 0], [(n * cell, 0), ((n + 1) * cell, 0), ((n + 1) * cell, HEIGHT), (n * cell, HEIGHT)])
    for n in range(samples):  # the top face: every sample and channel
        for c in range(channels):
            x0, y0 = n * cell + c * step[0], HEIGHT + c * step[1]
            add(
                chosen[n, c],
                [(x0, y0), (x0 + cell, y0), (x0 + cell + step[0], y0 + step[1]), (x0 + step[0], y0 + step[1])],
            )
    for c in range(channels):  # the right face: the last sample's channels
        x0, y0 = FRONT + c * step[0], c * step[1]
        add(
            chosen[-1, c],
            [(x0, y0), (x0 + step[0], y0 + step[1]), (x0 + step[0], y0 + step[1] + HEIGHT), (x0, y0 + HEIGHT)],
        )
    return found


def cube_figure(samples: int, channels: int, groups: int) -> go.Figure:
    """Wu & He's Fig. 2 for this batch: N across, C in depth, H·W up; blue: the values that share image 1,
    channel 1's mean and variance."""
    titles = [kind + (f" (G = {groups})" if kind == "GroupNorm" else "") for kind in KINDS]
    figure = make_subplots(rows=1, cols=len(KINDS), subplot_titles=titles, horizontal_spacing=0.03)
    for column, kind in enumerate(KINDS, start=1):
        for highlight, (xs, ys) in _cell_polygons(kind, samples, channels, groups).items():
            figure.add_scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=PALETTE[0] if highlight else "rgba(153,153,153,0.3)",
                line=dict(color="rgba(128,128,128,0.45)", width=0.5),
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                row=1,
                col=column,
            )
        figure.add_annotation(x=FRONT / 2, y=-0.35, text="N", showarrow=False, row=1, col=column)
        figure.add_annotation(x=-0.3, y=HEIGHT / 2, text="H·W", showarrow=False, textangle=-90, row=1, col=column)
        depth_label = (FRONT + SLANT[0] * DEPTH / 2 + 0.35, SLANT[1] * DEPTH / 2 - 0.2)
        figure.add_annotation(x=depth_label[0], y=depth_label[1], text="C", showarrow=False, row=1, col=column)
    figure.update_xaxes(visible=False, range=[-0.45, FRONT + SLANT[0] * DEPTH + 0.45])
    figure.update_yaxes(visible=False, range=[-0.6, HEIGHT + SLANT[1] * DEPTH + 0.1], scaleanchor="x", scaleratio=1)
    for column in range(2, len(KINDS) + 1):  # every panel keeps its own square scale
        figure.update_yaxes(scaleanchor=f"x{column}", row=1, col=column)
    return sized(figure, 230).update_layout(margin=dict(l=10, r=10, t=40, b=10))


@torch.inference_mode()
def normalization_inputs(model: nn.Module, images: torch.Tensor) -> dict[str, torch.Tensor]:
    """What enters each convolution block's normalization (the convolution's output), per block: (N, C, H, W).

    Hooks the model, so only call it on a private model (core.runs.private_model).
    """
    with recorded_io(norm_modules(model)) as recorded:
        model(images)
    return {name: inputs for name, (inputs, _) in recorded.items()}
