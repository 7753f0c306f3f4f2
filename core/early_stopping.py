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


def early_stopping_losses(record: dict, steps_per_epoch: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One run's loss curves over epochs: training (interval mean) and test loss at its evaluations, and the
    validation loss at every epoch, the curve early stopping reads."""
    interval = record["train"]["eval_every"]
    evaluated = np.array(record["eval_steps"]) / steps_per_epoch
    return {
        f"training loss (mean over the last {interval // steps_per_epoch} epochs)": (
            evaluated,
            epoch_means(record["train_loss"], interval),
        ),
        "test loss (2,000 shipped test images)": (evaluated, np.array(record["test_loss"])),
        "validation loss (every epoch)": (  # drawn last: on top
            np.array(record["epoch_steps"]) / steps_per_epoch,
            np.array(record["epoch_val_loss"]),
        ),
    }


def stop_epochs(record: dict, patience: int, steps_per_epoch: int) -> tuple[int, int]:
    """(stop, best) as epochs, for ``patience`` epochs without a better validation loss."""
    stop, best = early_stopping(record["epoch_val_loss"], patience)
    epochs = np.array(record["epoch_steps"]) // steps_per_epoch
    return int(epochs[stop]), int(epochs[best])


def early_stopping_rows(records: Sequence[dict], patience: int, steps_per_epoch: int) -> list[dict[str, object]]:
    """Per seed: where early stopping with ``patience`` stops and which epoch it keeps; and, on the 10,000 test
    images, the weights of the highest validation accuracy and of the lowest validation loss (what it keeps with
    enough patience) against the end. Runs trained before round 4 did not keep the former ("–")."""
    rows = []
    for record in records:
        stop, best = stop_epochs(record, patience, steps_per_epoch)
        by_accuracy, by_loss, end = record.get("early_stopped_accuracy"), record["early_stopped"], record["kept"]
        rows.append(
            {
                "seed": record["seed"],
                "stops at epoch": stop,
                "keeps epoch": best,
                # text, as its "–": a column of one type
                "best validation accuracy: epoch": str(by_accuracy["step"] // steps_per_epoch) if by_accuracy else "–",
                "test accuracy there": f"{by_accuracy['test_accuracy']:.1%}" if by_accuracy else "–",
                "lowest validation loss: epoch": by_loss["step"] // steps_per_epoch,
                "test accuracy, lowest loss": f"{by_loss['test_accuracy']:.1%}",
                "test accuracy, end": f"{end['test_accuracy']:.1%}",
                # text: a projected table prints floats to 4 places
                "test loss, lowest loss": f"{by_loss['test_loss']:.3f}",
                "test loss, end": f"{end['test_loss']:.3f}",
            }
        )
    return rows


def early_stopping_figure(losses: Mapping[str, tuple[np.ndarray, np.ndarray]], stop: int, best: int) -> go.Figure:
    """Loss curves over epochs with the epoch early stopping keeps and the one at which it stops."""
    figure = lines_figure(dict(losses), "epoch", "cross-entropy")
    figure.update_xaxes(rangemode="nonnegative")  # from epoch 0: no room left of the curves' start
    figure.add_vline(
        x=best,
        line=dict(color=colour(2), dash="dash"),
        annotation_text=f"best: epoch {best}",
        annotation_position="top right",  # right of its line: epoch 0 is the plot's left edge
    )
    figure.add_vline(
        x=stop,
        line=dict(color=colour(1), dash="dot"),
        annotation_text=f"stop: epoch {stop}",
        annotation_position="top right",
        annotation_yshift=-30,  # a line below the other: the two lines can be a few epochs apart
    )
    return figure
