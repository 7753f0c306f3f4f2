"""The BatchNorm Lab's computations and figures: pre-activation histograms, running statistics, train vs eval
mode, the live training's loss curves.

Every function that runs a network builds its own private copy from a state dict, so shared (cached)
weights are never put in train mode or hooked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image
from plotly.subplots import make_subplots
from torch import nn

from core.data import to_tensor
from core.figures import DASHES, SYMBOLS, colour, lines_figure, log_ticks, sized
from core.models import CNNConfig, activation_modules, norm_modules, recorded_io
from core.pipeline import ChainItem, sample_grid
from core.plan import LR_SEEDS, LR_SWEEP
from core.runs import RUNS_DIR, Run, load_record, private_model

HISTOGRAM_RUNS = {"plain": "plain", "BatchNorm": "batchnorm"}  # label -> shipped run of the histograms
FASHION_BATCH = 256  # test images of the histograms and the formula

# --- pre-activation histograms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerHistogram:
    layer: str  # "block1" … "fc"
    edges: np.ndarray  # (bins + 1,) shared by all models of the comparison
    fractions: dict[str, np.ndarray]  # model label -> fraction of values per bin (values outside: in the end bins)
    mean: dict[str, float]
    std: dict[str, float]


def preactivations(config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor) -> dict:
    """What enters each non-linearity for this batch, with batch statistics as during training."""
    model = private_model(config, state_dict, train=True)
    with torch.inference_mode(), recorded_io(activation_modules(model)) as recorded:
        model(images)
    return {name: values.flatten().numpy() for name, (values, _) in recorded.items()}


def shared_histograms(values: Mapping[str, Mapping[str, np.ndarray]], bins: int = 60) -> list[LayerHistogram]:
    """Histograms per layer on one axis for all models: ``values[model][layer]`` -> bin fractions."""
    labels = list(values)
    histograms = []
    for layer in values[labels[0]]:
        pooled = np.concatenate([values[label][layer] for label in labels])
        pooled = pooled[np.isfinite(pooled)]  # a diverged network has inf/NaN activations
        # The axis only needs rough quantiles: a strided sample of at most ~200k values is plenty.
        sample = pooled[:: max(1, len(pooled) // 200_000)]
        low, high = np.quantile(sample, [0.002, 0.998]) if len(sample) else (-1.0, 1.0)
        if high <= low:
            low, high = low - 1.0, high + 1.0
        edges = np.linspace(low, high, bins + 1)
        fractions, means, stds = {}, {}, {}
        for label in labels:
            layer_values = values[label][layer]
            # bins + range (not an edges array) takes numpy's fast path for equal-width bins: no sort.
            finite = layer_values[np.isfinite(layer_values)]
            counts, _ = np.histogram(np.clip(finite, low, high), bins=bins, range=(low, high))
            fractions[label] = counts / max(1, len(layer_values))
            means[label], stds[label] = float(layer_values.mean()), float(layer_values.std())
        histograms.append(LayerHistogram(layer, edges, fractions, means, stds))
    return histograms


def snapshot_histograms(runs: Mapping[str, Run], step: int, images: torch.Tensor) -> list[LayerHistogram]:
    """Pre-activation histograms of several runs' snapshots at ``step`` on one batch, on shared axes."""
    return shared_histograms(
        {label: preactivations(run.config, run.snapshots[step], images) for label, run in runs.items()}
    )


# One template per trace, the bar's own words in customdata: a template per bar made the figure 87 KB of JSON,
# which every rerun showing it encodes, hashes into its element id and sends again.
HOVER = "%{y:.3f} of the values %{customdata}<extra>%{fullData.name}</extra>"
TAIL_WORDS = "lie beyond this end of the axis (clipped tail)"


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
        # The end bins also count every value beyond them (shared_histograms clips the tails): hatched, and said so.
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
                    customdata=np.where(tail, TAIL_WORDS, [f"near {x:.2f}" for x in centres[order]]),
                    hovertemplate=HOVER,
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


def collapse(record: dict) -> dict[str, float]:
    """Std of the pre-activations in the first and the last conv block at initialization (from a run's record)."""
    at_init = record["layer_stats"]["0"]
    return {"first": at_init["block1"]["std"], "last": at_init["block4"]["std"]}


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


def images_to_fashion_input(images: Sequence[Image.Image], invert: bool) -> torch.Tensor:
    """Photos -> the (N, 1, 28, 28) normalized greyscale the networks see (optionally light on black)."""
    arrays = []
    for image in images:
        grey = np.asarray(image.convert("L").resize((28, 28), Image.Resampling.BILINEAR), dtype=np.uint8)
        arrays.append(255 - grey if invert else grey)
    return to_tensor(np.stack(arrays))


def augmented_batch(image: Image.Image, chain: Sequence[ChainItem], invert: bool, count: int = 64) -> torch.Tensor:
    """``count`` samples of ``image`` under the pipeline (seed 0), as the (N, 1, 28, 28) networks' input."""
    return images_to_fashion_input([sample.image for sample in sample_grid(image, chain, count, seed=0)], invert)


# --- running statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningTrace:
    steps: np.ndarray  # 1 … k
    batch_mean: np.ndarray  # mu_B of the channel at each step
    batch_var: np.ndarray  # unbiased sigma_B^2 (what PyTorch folds into running_var)
    running_mean: np.ndarray  # the layer's running_mean after each step
    running_var: np.ndarray
    population_mean: float  # over all the features
    population_var: float


def running_statistics(
    features: torch.Tensor, channel: int, beta: float, batch_size: int, steps: int, seed: int
) -> RunningTrace:
    """Feed ``steps`` random batches of ``features`` (N, C, H, W) through a fresh ``nn.BatchNorm2d``.

    ``beta`` is the lecture's averaging weight of the old estimate; PyTorch's ``momentum`` is 1 − beta.
    """
    layer = nn.BatchNorm2d(features.shape[1], momentum=1.0 - beta).train()
    generator = torch.Generator().manual_seed(seed)
    trace = {key: [] for key in ("batch_mean", "batch_var", "running_mean", "running_var")}
    with torch.inference_mode():
        for _ in range(steps):
            batch = features[torch.randint(len(features), (batch_size,), generator=generator)]
            values = batch[:, channel]
            trace["batch_mean"].append(float(values.mean()))
            trace["batch_var"].append(float(values.var(unbiased=True)))
            layer(batch)
            trace["running_mean"].append(float(layer.running_mean[channel]))
            trace["running_var"].append(float(layer.running_var[channel]))
    population = features[:, channel]
    return RunningTrace(
        np.arange(1, steps + 1),
        *(np.array(trace[key]) for key in ("batch_mean", "batch_var", "running_mean", "running_var")),
        float(population.mean()),
        float(population.var(unbiased=True)),
    )


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


def first_norm_inputs(
    config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor, channel: int
) -> torch.Tensor:
    """What block 1's normalization receives for one channel, (N, 1, H, W): only the first convolution runs."""
    model = private_model(config, state_dict, train=False)
    with torch.inference_mode():
        return model.features[0].conv(images)[:, channel : channel + 1].clone()


def norm_inputs(config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor, layer: str):
    """(input, output) of one normalization layer for this batch, in train mode (batch statistics)."""
    model = private_model(config, state_dict, train=True)
    with torch.inference_mode(), recorded_io(norm_modules(model)) as recorded:
        model(images)
    return recorded[layer], dict(norm_modules(model))[layer]


# --- the BN formula, with live numbers --------------------------------------------------------------------


def latex_number(value: float) -> str:
    """``value`` for a LaTeX formula, powers of ten written out: 1e-05 -> 10^{-5}, 2.5e-06 -> 2.5 \\times 10^{-6}."""
    text = f"{value:g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"


@dataclass(frozen=True)
class FormulaNumbers:
    mu: float  # mu_B: mean of the channel over batch and positions
    var: float  # sigma_B^2: biased variance (what normalization divides by)
    eps: float
    gamma: float
    beta: float
    x: np.ndarray  # a few input values
    x_hat: np.ndarray  # (x - mu) / sqrt(var + eps)
    y: np.ndarray  # gamma * x_hat + beta, by hand
    y_layer: np.ndarray  # the same entries as nn.BatchNorm2d computed them
    max_difference: float  # over the whole channel, hand vs layer

    def latex(self) -> list[str]:
        """This channel's live numbers (the batch's, then the layer's: each line fits a phone), then the formula."""
        return [
            rf"\mu_B = {self.mu:.4f},\quad \sigma_B^2 = {self.var:.4f}",
            rf"\epsilon = {latex_number(self.eps)},\quad \gamma = {self.gamma:.4f},\quad \beta = {self.beta:.4f}",
            r"\hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta",
        ]

    def table(self) -> dict[str, np.ndarray]:
        columns = {"x": self.x, "x̂": self.x_hat, "y by hand": self.y, "y from nn.BatchNorm2d": self.y_layer}
        return {name: np.round(values, 5) for name, values in columns.items()}


def bn_formula(
    config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor, layer: str, channel: int
) -> FormulaNumbers:
    (x, y_layer), norm = norm_inputs(config, state_dict, images, layer)
    values, outputs = x[:, channel].flatten().double(), y_layer[:, channel].flatten().double()
    mu, var = values.mean(), values.var(unbiased=False)
    x_hat = (values - mu) / torch.sqrt(var + norm.eps)
    gamma, beta = float(norm.weight[channel]), float(norm.bias[channel])
    y = gamma * x_hat + beta
    # Five entries spread over the channel's range (5th to 95th percentile), not five background pixels.
    pick = torch.argsort(values)[torch.linspace(0.05 * (len(values) - 1), 0.95 * (len(values) - 1), 5).long()]
    return FormulaNumbers(
        float(mu),
        float(var),
        norm.eps,
        gamma,
        beta,
        values[pick].numpy(),
        x_hat[pick].numpy(),
        y[pick].numpy(),
        outputs[pick].numpy(),
        float((y - outputs).abs().max()),
    )


# --- train mode vs eval mode -----------------------------------------------------------------------------


MODE_BATCH = 500  # train mode "with a batch": the images normalized together, in batches of this size


RUNNING_MODE, SINGLE_MODE = "eval mode (running statistics)", "train mode, one image at a time"


@torch.inference_mode()
def mode_correct(
    config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor, labels: torch.Tensor
) -> dict[str, np.ndarray]:
    """Which images one BN network gets right, evaluated three ways (each on its own fresh copy): (N,) bools."""
    eval_model = private_model(config, state_dict, train=False)
    batch_model = private_model(config, state_dict, train=True)
    single_model = private_model(config, state_dict, train=True)
    found = {
        RUNNING_MODE: eval_model(images),
        f"train mode, batches of {MODE_BATCH}": torch.cat(
            [batch_model(images[i : i + MODE_BATCH]) for i in range(0, len(images), MODE_BATCH)]
        ),
        SINGLE_MODE: torch.cat([single_model(images[i : i + 1]) for i in range(len(images))]),
    }
    return {name: (logits.argmax(1) == labels).numpy() for name, logits in found.items()}


def mode_accuracies(
    config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor, labels: torch.Tensor
) -> dict[str, float]:
    """Accuracy of one BN network evaluated three ways (each on its own fresh copy)."""
    return {name: float(correct.mean()) for name, correct in mode_correct(config, state_dict, images, labels).items()}


RUNNING_BATCHES = (2, 4, 8, 16, 32, 64, 128)  # batch sizes offered for the running-statistics demo
NORM_RUNS = {
    "BatchNorm": "batchnorm",
    "GroupNorm": "groupnorm",
    "LayerNorm": "layernorm",
    "InstanceNorm": "instancenorm",
}
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128)


@torch.inference_mode()
def batch_dependence(
    runs: Mapping[str, Run], images: torch.Tensor, labels: torch.Tensor, batch_sizes: Sequence[int] = BATCH_SIZES
) -> dict[str, list[float]]:
    """Accuracy when each network normalizes with the statistics of batches of the given sizes (train mode).

    BatchNorm's output for an image depends on the other images of its batch; Group, Layer and Instance
    normalization compute their statistics per image, so the batch size cannot matter to them.
    """
    found = {}
    for label, run in runs.items():
        model = private_model(run.config, run.final, train=True)
        found[label] = []
        for size in batch_sizes:
            count = len(labels) - len(labels) % size
            logits = torch.cat([model(images[i : i + size]) for i in range(0, count, size)])
            found[label].append(float((logits.argmax(1) == labels[:count]).float().mean()))
    return found


def learning_rate_sweep(directory: Path = RUNS_DIR) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per network: learning rates and the mean and std over seeds of the test accuracy (10,000 images)
    after 150 SGD steps."""
    sweep = {}
    for label, norm in (("plain", "none"), ("BatchNorm", "batch")):
        accuracies = np.array(
            [
                [load_record(f"lr_{norm}_{lr}_seed{seed}", directory)["test_accuracy_full"] for lr in LR_SWEEP]
                for seed in LR_SEEDS
            ]
        )  # (seeds, rates)
        sweep[label] = (np.array(LR_SWEEP), accuracies.mean(axis=0), accuracies.std(axis=0, ddof=1))
    return sweep


# --- live training: the loss curves (core.live trains the networks) -------------------------------------


def smooth(values: Sequence[float], window: int = 10) -> np.ndarray:
    """Trailing moving average (NaN and inf kept visible as gaps)."""
    values = np.asarray(values, dtype=float)
    if len(values) < window:
        return values
    kernel = np.ones(window) / window
    head = np.cumsum(values[: window - 1]) / np.arange(1, window)
    return np.concatenate([head, np.convolve(values, kernel, mode="valid")])


def loss_figure(curves: Mapping[str, object]) -> go.Figure:
    """Smoothed training loss of each network so far (``curves``: label -> core.trainer.Curves), on a log axis.

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
