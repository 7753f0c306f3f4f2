"""The Regularization Lab's computations: L2 vs decoupled weight decay, early stopping, ensembles.

Optimizer paths are made by the real ``torch.optim`` classes on a 2-D loss surface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch


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

# label -> (torch.optim class, whether lambda is added to the loss as (lambda/2)·|w|^2 instead of weight_decay)
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], bool]] = {
    "SGD + L2 in the loss": (torch.optim.SGD, True),
    "SGD(weight_decay=λ)": (torch.optim.SGD, False),
    "Adam(weight_decay=λ): L2": (torch.optim.Adam, False),
    "AdamW(weight_decay=λ): decoupled": (torch.optim.AdamW, False),
}

PATH_LEARNING_RATES = (0.005, 0.01, 0.02, 0.05, 0.1)  # the optimizer paths' learning-rate choices
PATH_DECAYS = (0.0, 0.05, 0.1, 0.2, 0.5, 1.0)  # their λ choices
PATH_STEPS = 500  # their Steps slider's end: shorter runs are prefixes


def optimizer_path(surface: Surface, label: str, lr: float, decay: float, steps: int) -> np.ndarray:
    """The iterates of one optimizer from the surface's start: (steps + 1, 2), float64."""
    optimizer_class, l2_in_loss = OPTIMIZERS[label]
    w = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    # foreach=False: for one 2-element tensor the per-parameter loop is 3x faster than the default foreach kernels.
    optimizer = optimizer_class([w], lr=lr, weight_decay=0.0 if l2_in_loss else decay, foreach=False)
    path = [w.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = surface.function(w)
        if l2_in_loss:
            loss = loss + 0.5 * decay * (w**2).sum()
        loss.backward()
        optimizer.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


def surface_grid(surface: Surface, points: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """w1 values, w2 values and the loss on their grid, for a contour plot."""
    w1 = torch.linspace(surface.extent[0], surface.extent[1], points, dtype=torch.float64)
    w2 = torch.linspace(surface.extent[2], surface.extent[3], points, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(w1, w2, indexing="xy"), dim=-1)
    return w1.numpy(), w2.numpy(), surface.function(grid).numpy()


# --- early stopping --------------------------------------------------------------------------------------


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


# --- ensembles -------------------------------------------------------------------------------------------


def errors_by_size(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Test error of the average of the first k members' probabilities, for k = 1 … K: (K, N, C) -> (K,)."""
    running = np.cumsum(probs, axis=0)
    return np.array([float((running[k].argmax(-1) != labels).mean()) for k in range(len(probs))])


def member_errors(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return (probs.argmax(-1) != labels[None]).mean(axis=1)


def disagreement(probs: np.ndarray) -> np.ndarray:
    """Pairwise share of test images on which two members predict different classes: (K, K)."""
    predictions = probs.argmax(-1)
    return (predictions[:, None, :] != predictions[None, :, :]).mean(axis=-1)


def error_correlation(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean pairwise correlation of the members' 0/1 error indicators (1: errors always coincide)."""
    wrong = (probs.argmax(-1) != labels[None]).astype(float)
    matrix = np.corrcoef(wrong)
    return float(matrix[~np.eye(len(wrong), dtype=bool)].mean())


def bootstrap_indices(count: int, seed: int) -> np.ndarray:
    """A bootstrap sample: ``count`` indices drawn with replacement (bagging)."""
    return np.sort(np.random.default_rng(seed).integers(0, count, count))


# --- recorded runs over seeds ----------------------------------------------------------------------------


def across_seeds(
    records: Sequence[dict], key: str, steps_per_epoch: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epochs, and the mean and sample std over seeds of a curve recorded at the same evaluations: (points,) each."""
    values = np.array([record[key] for record in records], dtype=float)  # (seeds, points)
    epochs = np.array(records[0]["eval_steps"]) / steps_per_epoch
    return epochs, values.mean(axis=0), values.std(axis=0, ddof=1)


def same_augmentation_rows(records: Mapping[str, Sequence[dict]], labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Test accuracy (mean ± std) of the two widths, each without and with flip + shift: small-data arms by name."""
    return [
        {
            "network": network,
            **{
                labels[arm]: arm_summary("", records[f"{prefix}{arm}"])["test accuracy %"]
                for arm in ("none", "flip_shift")
            },
        }
        for network, prefix in (("width 16 (the main CNN)", ""), ("width 8", "narrow_"))
    ]


def early_stopping_losses(record: dict, steps_per_epoch: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Epochs of one run's evaluations and its training (interval mean), validation and test loss there."""
    interval = record["train"]["eval_every"]
    return np.array(record["eval_steps"]) / steps_per_epoch, {
        f"training loss (mean over the last {interval // steps_per_epoch} epochs)": epoch_means(
            record["train_loss"], interval
        ),
        "validation loss": np.array(record["val_loss"]),
        "test loss": np.array(record["test_loss"]),
    }


def ensemble_series(
    probs: Mapping[str, np.ndarray], mc_errors: np.ndarray, passes: Sequence[int], labels: np.ndarray
) -> dict[str, tuple[Sequence[float], np.ndarray]]:
    """Error against members for seed and bagging ensembles (``probs[kind]``: (K, N, C)), the members alone, and
    the members' own MC-dropout error against T (``mc_errors``: (K, len(passes)), averaged over members)."""
    members = range(1, len(probs["seed"]) + 1)
    return {
        "ensemble of seeds": (members, errors_by_size(probs["seed"], labels)),
        "bagging (bootstrap samples)": (members, errors_by_size(probs["bag"], labels)),
        "single members (seeds)": (members, member_errors(probs["seed"], labels)),
        "MC dropout of one member, T passes (mean of 6)": (passes, mc_errors.mean(axis=0)),
    }


def arm_summary(label: str, records: Sequence[dict]) -> dict[str, object]:
    """One table row for one training choice: final train/test accuracy, their gap and the test loss over seeds."""

    def spread(values: Sequence[float], scale: float = 100.0, digits: int = 1) -> str:
        values = scale * np.asarray(values)
        return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"

    train = [r["train_accuracy"][-1] for r in records]
    test = [r["test_accuracy"][-1] for r in records]
    return {
        "training": label,
        "train accuracy %": spread(train),
        "test accuracy %": spread(test),
        "gap (points)": spread(np.subtract(train, test)),
        "test loss": spread([r["test_loss"][-1] for r in records], scale=1.0, digits=3),
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


def tta_gains(reports: dict[str, Sequence[dict[str, float]]]) -> list[dict[str, object]]:
    """Per test-time view: accuracy (mean ± std over seeds) of each group of networks, from recorded TTA reports."""
    views = list(next(iter(reports.values()))[0])
    rows = []
    for view in views:
        row: dict[str, object] = {"prediction": view}
        for label, seeds in reports.items():
            values = 100 * np.array([report[view] for report in seeds])
            row[label] = f"{values.mean():.1f} ± {values.std(ddof=1):.1f} %"
        rows.append(row)
    return rows
