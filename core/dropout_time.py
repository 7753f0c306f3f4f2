"""The Regularization Lab's *Dropout: training time*: how many more epochs a network with dropout needs to reach
a fixed validation accuracy (core.plan's slow_ runs)."""

from __future__ import annotations

import math

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
    """Round 11's reading of a run validated every few steps (``epoch_steps``): its epochs and its validation
    accuracy at each validation averaged with up to SMOOTHING - 1 before it, so that one lucky evaluation does not
    count."""
    accuracy = np.asarray(record["epoch_val_accuracy"], dtype=float)
    counts = np.minimum(np.arange(1, len(accuracy) + 1), SMOOTHING)
    smoothed = np.convolve(accuracy, np.ones(SMOOTHING))[: len(accuracy)] / counts
    return np.asarray(record["epoch_steps"]) * record["train"]["batch_size"] / record["train_images"], smoothed


def smoothed_epochs_to(record: dict, target: float) -> float:
    """Epochs until the run's smoothed validation accuracy first reaches ``target`` (inf if it never does)."""
    epochs, smoothed = smoothed_curve(record)
    return float(epochs[np.argmax(smoothed >= target)]) if (smoothed >= target).any() else math.inf


def seed_epochs(none: dict, dropout: dict, share: float) -> tuple[float, float]:
    """Round 11's reading of one seed: the epochs each run needs until its smoothed validation accuracy first reaches
    ``share`` of the lower of the two runs' best smoothed accuracies (so both reach it)."""
    target = share * min(smoothed_curve(record)[1].max() for record in (none, dropout))
    return smoothed_epochs_to(none, target), smoothed_epochs_to(dropout, target)


def seed_extra_epochs(none: dict, dropout: dict, share: float) -> float:
    """Round 11's effect on one seed: % more epochs the dropout run needs than the run without it (``seed_epochs``)."""
    without, with_dropout = seed_epochs(none, dropout, share)
    return 100 * (with_dropout / without - 1)


def slow_figure(records: dict[str, list[dict]], target: float) -> go.Figure:
    """Validation accuracy against epochs per arm (mean ± std over seeds), with the target as a line."""
    series = {}
    for label, runs in records.items():
        accuracy = 100 * np.array([r["val_accuracy"] for r in runs])
        epochs = np.array(runs[0]["eval_steps"]) * runs[0]["train"]["batch_size"] / runs[0]["train_images"]
        series[label] = (epochs, accuracy.mean(0), accuracy.std(0, ddof=1))
    figure = seed_band_figure(series, "epoch", "validation accuracy (%)", height=360)
    figure.add_hline(
        y=100 * target, line=dict(color="#999999", dash="dot"), annotation_text=f"target {100 * target:.1f} %"
    )
    low = min(float((m - s)[len(m) // 10 :].min()) for _, m, s in series.values())
    figure.update_yaxes(
        range=[max(low - 1, 0), 100 * max(max(r["val_accuracy"]) for a in records.values() for r in a) + 1]
    )
    return figure


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
