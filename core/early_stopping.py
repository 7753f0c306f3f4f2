"""The Regularization Lab's *Early stopping*: where patience on the validation loss stops a recorded run, and
what the weights it keeps score against training to the end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures import colour, lines_figure


def early_stopping(val_losses: Sequence[float], patience: int) -> tuple[int, int]:
    """(stop, best): the evaluation at which training stops, after ``patience`` evaluations without a new
    best validation loss, and the best one before it, whose weights early stopping keeps."""
    best, best_index = float("inf"), 0
    for index, loss in enumerate(val_losses):
        if loss < best:
            best, best_index = loss, index
        elif index - best_index >= patience:
            return index, best_index
    return len(val_losses) - 1, best_index


def epoch_means(step_losses: Sequence[float], steps_per_epoch: int) -> np.ndarray:
    """Mean training loss of each epoch, with NaN for epoch 0 (before any step): aligned with evaluations."""
    epochs = len(step_losses) // steps_per_epoch
    means = np.asarray(step_losses[: epochs * steps_per_epoch]).reshape(epochs, steps_per_epoch).mean(axis=1)
    return np.concatenate([[np.nan], means])


def early_stopping_losses(record: dict, steps_per_epoch: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Epochs of one run's evaluations and its training (interval mean), validation and test loss there."""
    interval = record["train"]["eval_every"]
    return np.array(record["eval_steps"]) / steps_per_epoch, {
        f"training loss (mean over the last {interval // steps_per_epoch} epochs)": epoch_means(
            record["train_loss"], interval
        ),
        "test loss": np.array(record["test_loss"]),
        "validation loss": np.array(record["val_loss"]),  # drawn last: the curve early stopping reads, on top
    }


def early_stopping_rows(records: Sequence[dict], patience: int, steps_per_epoch: int) -> list[dict[str, object]]:
    """Per seed: where early stopping on the validation loss stops and what it keeps, vs training to the end."""
    rows = []
    for record in records:
        stop, best = early_stopping(record["val_loss"], patience)
        epoch = np.array(record["eval_steps"]) // steps_per_epoch
        rows.append(
            {
                "seed": record["seed"],
                "stops at epoch": int(epoch[stop]),
                "keeps epoch": int(epoch[best]),
                "test accuracy, kept": f"{record['test_accuracy'][best]:.1%}",
                "test accuracy, end": f"{record['test_accuracy'][-1]:.1%}",
                "test loss, kept": round(record["test_loss"][best], 3),
                "test loss, end": round(record["test_loss"][-1], 3),
            }
        )
    return rows


def early_stopping_figure(epochs: np.ndarray, losses: Mapping[str, np.ndarray], stop: int, best: int) -> go.Figure:
    """Loss curves over epochs with the epoch early stopping keeps and the one at which it stops."""
    figure = lines_figure({label: (epochs, values) for label, values in losses.items()}, "epoch", "cross-entropy")
    figure.update_xaxes(rangemode="nonnegative")  # from epoch 0: no room left of the curves' start
    figure.add_vline(
        x=epochs[best],
        line=dict(color=colour(2), dash="dash"),
        annotation_text=f"best: epoch {epochs[best]:g}",
        annotation_position="top right",  # right of its line: epoch 0 is the plot's left edge
    )
    figure.add_vline(
        x=epochs[stop],
        line=dict(color=colour(1), dash="dot"),
        annotation_text=f"stop: epoch {epochs[stop]:g}",
        annotation_position="top right",
        annotation_yshift=-30,  # a line below the other: the two lines can be a few epochs apart
    )
    return figure
