"""The Regularization Lab's *Ensembles* and *Checkpoint ensembles*: seed and bagging ensembles against their
members, the lecture's squared-error argument, and ensembles of one run's checkpoints against independent
networks at the same cost."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go
import torch

from core.ensemble_plan import CHECKPOINT, CHECKPOINT_AVERAGED, CHECKPOINT_MEMBERS
from core.figures import DASHES, colour, lines_figure, sized
from core.stats import mean_std
from core.trainer import TrainConfig, make_schedule


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


def image_gains(probs: np.ndarray, labels: np.ndarray, against: str = "mean") -> np.ndarray:
    """Per test image, how many fewer errors the average of all members makes than a member: (N,).

    ``against``: "mean", a member's expected error (the members' mean), or "best", the member with the fewest
    errors on these very test images (an optimistic pick for it). Its mean is the ensemble's gain; resampling
    the images gives the gain's own uncertainty, not how much the members differ.
    """
    wrong = (probs.argmax(-1) != labels[None]).astype(float)  # (K, N)
    single = wrong.mean(0) if against == "mean" else wrong[wrong.mean(1).argmin()]
    return single - (probs.mean(0).argmax(-1) != labels)


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


def disagreement_figure(matrix: np.ndarray) -> go.Figure:
    labels = [f"member {i + 1}" for i in range(len(matrix))]
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            colorscale="Cividis",
            zmin=0,
            colorbar=dict(title="disagree"),
            text=np.round(matrix, 3),
            texttemplate="%{text}",
        )
    )
    figure.update_xaxes(title="network")
    figure.update_yaxes(title="network", autorange="reversed")
    return sized(figure, 360)


# --- checkpoint ensembles (core.plan's ckpt_ runs) ----------------------------------------------------------


_AVERAGED = "" if CHECKPOINT_AVERAGED == CHECKPOINT_MEMBERS else f"the last {CHECKPOINT_AVERAGED} of "
CHECKPOINT_ARMS = {
    "single": "one network, whole budget",
    "snapshot": f"{_AVERAGED}its own {CHECKPOINT_MEMBERS} checkpoints (snapshot ensemble)",
    "independent": f"{CHECKPOINT_MEMBERS} networks, one cycle's budget each",
}


@dataclass(frozen=True)
class EnsembleResult:
    arm: str
    member_errors: np.ndarray  # (members,) test error of each member
    error: float  # test error of the members' averaged softmax
    disagreement: float  # mean pairwise share of test images on which two members' classes differ (0: one member)


def ensemble_result(arm: str, probs: np.ndarray, labels: np.ndarray) -> EnsembleResult:
    """``probs`` (members, N, 10): the members' errors, the average's error and how often members disagree."""
    members = member_errors(probs, labels)
    pairs = disagreement(probs)
    off_diagonal = pairs[~np.eye(len(probs), dtype=bool)]
    spread = float(off_diagonal.mean()) if len(off_diagonal) else 0.0
    return EnsembleResult(arm, members, float((probs.mean(0).argmax(-1) != labels).mean()), spread)


def checkpoint_rows(results: dict[str, list[EnsembleResult]]) -> list[dict[str, object]]:
    """Per arm (equal training cost): members' error, the average's error over seeds, disagreement."""
    rows = []
    for arm, per_seed in results.items():
        members, _ = mean_std([100 * r.member_errors.mean() for r in per_seed])
        error, spread = mean_std([100 * r.error for r in per_seed])
        rows.append(
            {
                f"arm (same {CHECKPOINT.steps} steps in all)": CHECKPOINT_ARMS[arm],
                "members' test error": f"{members:.2f} %",
                "averaged prediction's error": f"{error:.2f} ± {spread:.2f} %",
                "members disagree on": f"{100 * np.mean([r.disagreement for r in per_seed]):.1f} % of images",
            }
        )
    return rows


def long_checkpoint_rows(errors: Mapping[str, np.ndarray], epochs: int) -> list[dict[str, object]]:
    """Round 10's table (core.time_measures.long_checkpoint_errors, test error in % per seed): each row's error and
    how many fewer errors than the one network it makes, paired over the seeds."""
    checkpoints = sum(key.startswith("checkpoint") for key in errors)

    def label(key: str) -> str:
        if key == "single":
            return f"one network, {epochs} epochs"
        kind, count = key.rsplit(" ", 1)
        if kind == "checkpoint":
            return f"checkpoint {count} alone (epoch {int(count) * epochs // checkpoints})"
        return f"all {count} checkpoints averaged (the claim's test)" if int(count) == checkpoints else (
            f"the last {count} checkpoints averaged")  # fmt: skip

    def gain(found: np.ndarray) -> float:
        return round(float((errors["single"] - found).mean()), 2) + 0.0  # + 0.0: no "-0.00"

    return [
        {
            "network or average": label(key),
            "test error (mean ± std over seeds)": f"{found.mean():.2f} ± {found.std(ddof=1):.2f} %",
            "fewer errors than one network": "—" if key == "single" else f"{gain(found):+.2f} points",
        }
        for key, found in errors.items()
    ]


CHECKPOINT_SHORT = {
    "single": "one network",
    "snapshot": f"its last {CHECKPOINT_AVERAGED} checkpoints",
    "independent": f"{CHECKPOINT_MEMBERS} short networks",
}


def checkpoint_tuning_rows(
    candidates: Mapping[tuple[str, int, float, int], tuple[float, float]], chosen: Mapping[str, tuple[int, float, int]]
) -> list[dict[str, object]]:
    """One row per candidate of the checkpoint comparison's tuning (core.tuning.checkpoint_candidates), the one
    validation chose for each arm marked."""
    return [
        {
            "candidate": f"one network, rate {rate:g}"
            if arm == "single"
            else f"snapshot: {cycles} cycles from rate {rate:g}, last {last} averaged",
            "validation error %": f"{100 * error:.2f}",
            "validation loss": f"{loss:.3f}",
            "chosen": "✓" if chosen[arm] == (cycles, rate, last) else "",
        }
        for (arm, cycles, rate, last), (error, loss) in candidates.items()
    ]


def checkpoint_figure(results: dict[str, list[EnsembleResult]]) -> go.Figure:
    """Per arm: the averaged prediction's test error (bar, mean ± std over seeds) and every member's (dots)."""
    figure = go.Figure()
    labels = [CHECKPOINT_SHORT[arm] for arm in results]
    errors = [mean_std([100 * r.error for r in per_seed]) for per_seed in results.values()]
    figure.add_bar(
        x=labels,
        y=[m for m, _ in errors],
        error_y=dict(type="data", array=[s for _, s in errors]),
        marker_color=colour(0),
        name="averaged prediction",
    )
    members = [
        (label, 100 * e) for label, per_seed in zip(labels, results.values()) for r in per_seed for e in r.member_errors
    ]
    figure.add_scatter(
        x=[label for label, _ in members],
        y=[e for _, e in members],
        mode="markers",
        marker=dict(color=colour(1), size=7, symbol="diamond"),
        name="each member",
    )
    low = min(min(e for _, e in members), min(m for m, _ in errors))
    figure.update_yaxes(title="test error (%), 10,000 images", range=[max(low - 1.5, 0), None])
    return sized(figure, 360)


def schedule_series(single: TrainConfig, snapshot: TrainConfig) -> dict[str, tuple[list[int], list[float]]]:
    """The learning rate at every step of the three arms, from torch's own schedulers (core.trainer.make_schedule):
    the independent networks are trained as one cycle of the snapshot run each."""

    def rates(train: TrainConfig) -> list[float]:
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=train.lr)
        schedule = make_schedule(optimizer, train)
        found = []
        for _ in range(train.steps):
            found.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            schedule.step()
        return found

    cycle = rates(replace(snapshot, steps=snapshot.steps // snapshot.restarts, restarts=1))
    steps = list(range(single.steps))
    return {
        CHECKPOINT_ARMS["single"]: (steps, rates(single)),
        CHECKPOINT_ARMS["snapshot"]: (steps, rates(snapshot)),
        CHECKPOINT_ARMS["independent"]: (steps, cycle * snapshot.restarts),
    }


def schedule_figure(series: dict[str, tuple[list[int], list[float]]]) -> go.Figure:
    """The learning rate per step of each arm; the snapshot run keeps a checkpoint where each cycle ends."""
    figure = lines_figure(series, "training step (all arms: the same total)", "learning rate (SGD)", height=300)
    for index, trace in enumerate(figure.data):
        trace.line.dash = DASHES[index]
    return figure
