"""The Regularization Lab's *Dropout: training time*: how many more epochs a network with dropout needs to reach
a fixed validation accuracy (core.plan's slow_ runs)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures import seed_band_figure
from core.stats import mean_std

TARGET_SHARE = 0.98  # the fixed target: 98 % of the lowest best validation accuracy any of the runs reached
SMOOTHING = 4  # round 11: validations averaged, each with up to three before it (one epoch at every 20 steps)


def slow_target(records: dict[str, list[dict]], share: float = TARGET_SHARE) -> float:
    """The validation accuracy every run must reach, fixed across arms and seeds (so every run does reach it)."""
    return share * min(max(r["val_accuracy"]) for arm in records.values() for r in arm)


def epochs_to_reach(record: dict, target: float) -> float:
    """Epochs (of the run's own training images) until its validation accuracy first reaches ``target`` (inf if it
    never does: a run shown beside the arms that fixed the target)."""
    step = next((s for s, a in zip(record["eval_steps"], record["val_accuracy"]) if a >= target), math.inf)
    return step * record["train"]["batch_size"] / record["train_images"]


def smoothed_curve(record: dict) -> tuple[np.ndarray, np.ndarray]:
    """Round 11's reading of a run validated every few steps (``epoch_steps``): its validation accuracy at each
    validation averaged with up to SMOOTHING - 1 before it, so that one lucky evaluation does not count, each average
    placed at the mean epoch of the validations it averages (at the last one, it would lag by 1.5 validations, and
    an equal lag on both arms pulls their ratio towards 1)."""
    accuracy = np.asarray(record["epoch_val_accuracy"], dtype=float)
    epochs = np.asarray(record["epoch_steps"], dtype=float) * record["train"]["batch_size"] / record["train_images"]
    counts = np.minimum(np.arange(1, len(accuracy) + 1), SMOOTHING)
    window = np.ones(SMOOTHING)
    return np.convolve(epochs, window)[: len(epochs)] / counts, np.convolve(accuracy, window)[: len(accuracy)] / counts


def smoothed_epochs_to(record: dict, target: float) -> float:
    """Epochs until the run's smoothed validation accuracy first reaches ``target`` (inf if it never does)."""
    epochs, smoothed = smoothed_curve(record)
    return float(epochs[np.argmax(smoothed >= target)]) if (smoothed >= target).any() else math.inf


def seed_target(none: dict, dropout: dict, share: float) -> float:
    """Round 11's target for one seed: ``share`` of the lower of its two runs' best smoothed validation accuracies
    (so both reach it)."""
    return share * min(smoothed_curve(record)[1].max() for record in (none, dropout))


def seed_epochs(none: dict, dropout: dict, share: float) -> tuple[float, float]:
    """Round 11's reading of one seed: the epochs each run needs until its smoothed validation accuracy first reaches
    the seed's target (``seed_target``)."""
    target = seed_target(none, dropout, share)
    return smoothed_epochs_to(none, target), smoothed_epochs_to(dropout, target)


def slow_figure(records: dict[str, list[dict]], target: float) -> go.Figure:
    """Validation accuracy against epochs per arm (mean ± std over seeds), with the target as a line."""
    series = {}
    for label, runs in records.items():
        accuracy = 100 * np.array([r["val_accuracy"] for r in runs])
        epochs = np.array(runs[0]["eval_steps"]) * runs[0]["train"]["batch_size"] / runs[0]["train_images"]
        series[label] = (epochs, accuracy.mean(0), accuracy.std(0, ddof=1))
    figure = _zoomed(seed_band_figure(series, "epoch", "validation accuracy (%)", height=360), series)
    figure.add_hline(
        y=100 * target, line=dict(color="#999999", dash="dot"), annotation_text=f"target {100 * target:.1f} %"
    )
    return figure


def _zoomed(figure: go.Figure, series: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> go.Figure:
    """The y axis from the bands' lowest point after the first tenth of training (the steep start would flatten the
    rest) to a point above the highest band."""
    low = min(float((m - s)[len(m) // 10 :].min()) for _, m, s in series.values())
    high = max(float((m + s).max()) for _, m, s in series.values())
    return figure.update_yaxes(range=[max(low - 1, 0), min(high + 1, 100)])


def long_figure(records: dict[str, list[dict]]) -> go.Figure:
    """Round 11: each arm's smoothed validation accuracy (``smoothed_curve``) against epochs, mean ± std over seeds.
    No target line: each seed has its own."""
    series = {}
    for label, runs in records.items():
        curves = [smoothed_curve(r) for r in runs]
        accuracy = 100 * np.array([smoothed for _, smoothed in curves])  # (seeds, validations)
        series[label] = (curves[0][0], accuracy.mean(0), accuracy.std(0, ddof=1))
    title = "validation accuracy, epoch mean (%)"
    return _zoomed(seed_band_figure(series, "epoch", title, height=360), series)


def long_rows(seeds: Sequence[int], none: list[dict], dropout: list[dict], share: float) -> list[dict[str, object]]:
    """Round 11 per seed: the target, each run's epochs to it, and dropout's extra epochs in %."""
    rows = []
    for seed, without, with_dropout in zip(seeds, none, dropout):
        epochs = seed_epochs(without, with_dropout, share)
        rows.append(
            {
                "seed": seed,
                "target": f"{100 * seed_target(without, with_dropout, share):.1f} %",
                "epochs without dropout": f"{epochs[0]:.2f}",
                "epochs with dropout": f"{epochs[1]:.2f}",
                "more epochs with dropout": f"{100 * (epochs[1] / epochs[0] - 1):+.0f} %",
            }
        )
    return rows


def slow_rows(records: dict[str, list[dict]], target: float) -> list[dict[str, object]]:
    """Per arm: epochs to the target for each seed, their mean, and the best validation accuracy reached."""
    rows = []
    for label, runs in records.items():
        epochs = [epochs_to_reach(r, target) for r in runs]
        best, spread = mean_std([100 * max(r["val_accuracy"]) for r in runs])
        rows.append(
            {
                "network": label,
                "epochs to the target (per seed)": ", ".join(
                    f"{e:.2f}" if e < math.inf else "not reached" for e in epochs
                ),
                "mean": f"{np.mean(epochs):.2f}" if max(epochs) < math.inf else "—",
                "best validation accuracy": f"{best:.1f} ± {spread:.1f} %",
            }
        )
    return rows
