"""The Regularization Lab's computations: L2 vs decoupled weight decay, early stopping, ensembles.

Optimizer paths are made by the real ``torch.optim`` classes on a 2-D loss surface.
"""

from __future__ import annotations

import itertools
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


def ensemble_gain(
    probs: np.ndarray, labels: np.ndarray, against: str = "mean", resamples: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """How many fewer errors the average of all members makes than a member, and its paired bootstrap error.

    ``against``: "mean", a member's expected error (the members' mean), or "best", the member with the fewest
    errors on these very test images (an optimistic pick for it). Resampling the test images with the same draws
    for both sides gives the uncertainty of the gain itself, not how much the members differ.
    """
    wrong = (probs.argmax(-1) != labels[None]).astype(float)  # (K, N)
    single = wrong.mean(0) if against == "mean" else wrong[wrong.mean(1).argmin()]
    gain = single - (probs.mean(0).argmax(-1) != labels)  # (N,)
    draws = np.random.default_rng(seed).integers(0, len(labels), (resamples, len(labels)))
    return float(gain.mean()), float(gain[draws].mean(axis=1).std(ddof=1))


def leave_one_out_wins(probs: np.ndarray, labels: np.ndarray) -> int:
    """How many members make more errors than the average of the other K − 1."""
    errors = member_errors(probs, labels)
    others = [float((np.delete(probs, k, axis=0).mean(0).argmax(-1) != labels).mean()) for k in range(len(probs))]
    return int(np.sum(np.array(others) < errors))


@dataclass(frozen=True)
class SquaredErrors:
    """The lecture's ensemble argument on the members' probabilities: ε_i = p_i − one-hot label, per image."""

    sizes: np.ndarray  # k = 1 … K
    measured: np.ndarray  # mean ‖mean of k members' ε‖², over every subset of k members: v/k + (k − 1)c/k exactly
    uncorrelated: np.ndarray  # v/k: what it would be if the members' errors were uncorrelated (c = 0)
    variance: float  # v
    covariance: float  # c


def squared_errors(probs: np.ndarray, labels: np.ndarray) -> SquaredErrors:
    """Squared error of averaged members against ensemble size, and v/k, what uncorrelated errors would give.

    Averaged over every subset of k members, the measured error is exactly v/k + (k − 1)c/k with the members'
    mean v and c (the lecture's formula, an identity here): it falls towards c, not to 0, when c > 0.
    """
    eps = probs - np.eye(probs.shape[-1])[labels][None]  # (K, N, C)
    gram = np.einsum("inc,jnc->ij", eps, eps) / eps.shape[1]  # (K, K): E over images of ε_i·ε_j
    count = len(probs)
    v, c = float(np.trace(gram) / count), float(gram[~np.eye(count, dtype=bool)].mean())
    sizes = np.arange(1, count + 1)
    measured = [
        np.mean([gram[np.ix_(subset, subset)].sum() / k**2 for subset in itertools.combinations(range(count), k)])
        for k in sizes
    ]
    return SquaredErrors(sizes, np.array(measured), v / sizes, v, c)


def squared_error_series(found: SquaredErrors) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The measured curve, v/k and the floor c as named (k, value) lines for one figure."""
    return {
        "measured: average of k members": (found.sizes, found.measured),
        "if the errors were uncorrelated: v/k": (found.sizes, found.uncorrelated),
        "floor c: the error the members share": (found.sizes, np.full(len(found.sizes), found.covariance)),
    }


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


def train_validation_series(
    records: Mapping[str, Sequence[dict]], steps_per_epoch: int
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], list[str]]:
    """Per training choice (label -> one record per seed): validation and (dashed) training accuracy curves."""
    series, dashed = {}, []
    for label, found in records.items():
        series[f"{label}: validation"] = across_seeds(found, "val_accuracy", steps_per_epoch)
        series[f"{label}: training"] = across_seeds(found, "train_accuracy", steps_per_epoch)
        dashed.append(f"{label}: training")
    return series, dashed


def mean_std(values: Sequence[float], scale: float = 100.0, digits: int = 1) -> str:
    """Mean ± sample std over seeds, scaled (100: accuracies as percent)."""
    values = scale * np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def loss_change(train_loss: Sequence[float], share: float = 0.1) -> float:
    """How much the training loss still fell over a run's last ``share`` of steps: the relative drop of its mean
    from the window before to the last window (0: flat)."""
    window = max(1, int(len(train_loss) * share))
    before, last = np.mean(train_loss[-2 * window : -window]), np.mean(train_loss[-window:])
    return float((before - last) / before)


def arm_summary(label: str, records: Sequence[dict]) -> dict[str, object]:
    """One table row for one training choice, at the weights its validation accuracy kept (10,000 test images)."""
    train = [r["kept"]["train_accuracy"] for r in records]
    test = [r["kept"]["test_accuracy"] for r in records]
    return {
        "training": label,
        "train accuracy %": mean_std(train),
        "test accuracy %": mean_std(test),
        "gap (points)": mean_std(np.subtract(train, test)),
        "test loss (nats)": mean_std([r["kept"]["test_loss"] for r in records], scale=1.0, digits=3),
        "kept epoch": mean_std([r["kept_step"] * r["train"]["batch_size"] / r["train_images"] for r in records], 1, 0),
        "training loss drop, last 10 % of steps": f"{mean_std([loss_change(r['train_loss']) for r in records])} %",
    }


def grid_rows(pairs: Sequence[tuple[dict, dict]]) -> list[dict[str, object]]:
    """One row per grid point: the run without augmentation and the one with the recipe, at their kept weights."""
    rows = []
    for none, augmented in pairs:
        test = (none["kept"]["test_accuracy"], augmented["kept"]["test_accuracy"])
        rows.append(
            {
                "training images": none["train_images"],
                "width": none["model"]["width"],
                "BatchNorm": "yes" if none["model"]["norm"] == "batch" else "no",
                "test %, no augmentation": f"{100 * test[0]:.1f}",
                "test %, augmented": f"{100 * test[1]:.1f}",
                "gain (points)": f"{100 * (test[1] - test[0]):+.1f}",
                "train %, augmented": f"{100 * augmented['kept']['train_accuracy']:.1f}",
            }
        )
    return rows


def decay_dose(train: Mapping[str, object], until: int | None = None) -> float:
    """Σ lr_t·λ over a run's first ``until`` steps (default: all), from its recorded ``train`` config: decoupled
    decay alone would shrink the weights by exp(−dose)."""
    steps = train["steps"] if until is None else until
    rates = np.full(steps, train["lr"])
    if train["cosine"]:  # CosineAnnealingLR's rate at each step
        rates = rates * (1 + np.cos(np.pi * np.arange(steps) / train["steps"])) / 2
    return float(train["weight_decay"] * rates.sum())


def kept_dose(record: dict) -> float:
    """Σ lr_t·λ up to the weights a run kept."""
    return decay_dose(record["train"], record["kept_step"])


def decay_rows(records: Mapping[float, Sequence[dict]], none: Sequence[dict]) -> list[dict[str, object]]:
    """Per AdamW λ (0 first): the dose Σ lr_t·λ over the run and up to the kept weights, the weight norms and the
    test figures of the kept weights, over seeds."""
    rows = []
    for decay, found in {0.0: none, **records}.items():
        rows.append(
            {
                "λ": decay,
                "dose Σ lr·λ": round(found[0]["decay_dose"], 3),
                "dose up to the kept weights": mean_std([kept_dose(r) for r in found], 1.0, 3),
                "weight norm, kept": mean_std([r["kept"]["weight_norm"] for r in found], 1.0),
                "weight norm, end": mean_std([r["weight_norm"][-1] for r in found], 1.0),
                "test accuracy %": mean_std([r["kept"]["test_accuracy"] for r in found]),
                "test loss (nats)": mean_std([r["kept"]["test_loss"] for r in found], 1.0, 3),
            }
        )
    return rows


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


# Test sets of the TTA table: page name -> key of a record's tta_transformed (None: the clean images, "tta"); the
# keys are "<family> <strength>" of core.train.TTA_TEST_SETS (a test checks they agree).
TTA_TABLE_SETS = {"clean": None, "mirrored": "mirror 1", "shifted 2 px": "shift 2"}


def tta_test_set_rows(records: Mapping[str, Sequence[dict]]) -> list[dict[str, object]]:
    """Per test set (clean, mirrored, shifted): one network's view vs the average of all views, for each group of
    networks (``records``: label -> one record per seed), accuracy mean ± std over seeds in percent."""
    rows = []
    for test_set, key in TTA_TABLE_SETS.items():
        for view in ("original only", "average of all 6 views"):
            row: dict[str, object] = {"test images": test_set, "prediction": view}
            for label, found in records.items():
                reports = [r["tta"] if key is None else r["tta_transformed"][key] for r in found]
                row[label] = f"{mean_std([report[view] for report in reports])} %"
            rows.append(row)
    return rows
