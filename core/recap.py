"""What the recap slides' sections show from their records (core.mlp's, and core.train's slow_ and ckpt_ runs): arms at
their chosen rates, epochs to a target, ensembles of checkpoints, and the figures and tables built from them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core.figures import DASHES, colour, lines_figure, log_ticks, seed_band_figure, sized
from core.mlp import CURVE_EVERY, DEPTHS, INPUT_LABELS, INPUTS, PROBE, chosen
from core.models import NUM_CLASSES, make_activation
from core.regularization import disagreement, member_errors
from core.train import CHECKPOINT, CHECKPOINT_MEMBERS, TrainConfig, make_schedule

ACTIVATION_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU (0.01)"}


def activation_curves(low: float = -6.0, high: float = 6.0, points: int = 241) -> dict[str, tuple[np.ndarray, ...]]:
    """Each non-linearity and its derivative on a grid, the derivative by autograd (what backprop multiplies by)."""
    curves = {}
    for name, label in ACTIVATION_LABELS.items():
        z = torch.linspace(low, high, points, dtype=torch.float64, requires_grad=True)
        out = make_activation(name)(z)
        (gradient,) = torch.autograd.grad(out.sum(), z)
        curves[label] = (z.detach().numpy(), out.detach().numpy(), gradient.numpy())
    return curves


def activation_figure(curves: dict[str, tuple[np.ndarray, ...]]) -> go.Figure:
    """Left: the non-linearities; right: their derivatives (flat tails: no gradient passes)."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=["f(z)", "f′(z): what backprop multiplies by"])
    for index, (label, (z, out, gradient)) in enumerate(curves.items()):
        line = dict(color=colour(index), dash=DASHES[index % len(DASHES)])
        figure.add_scatter(x=z, y=out, mode="lines", line=line, name=label, legendgroup=label, row=1, col=1)
        figure.add_scatter(
            x=z, y=gradient, mode="lines", line=line, name=label, legendgroup=label, showlegend=False, row=1, col=2
        )
    figure.update_xaxes(title="z (what enters the unit)")
    figure.update_yaxes(range=[-1.1, 1.6], row=1, col=1)
    figure.update_yaxes(range=[-0.05, 1.1], row=1, col=2)
    return sized(figure, 330)


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std(ddof=1)) if len(array) > 1 else 0.0


def loss_bands(picked: dict[str, list[dict]]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per arm, the training-loss curve over seeds at each seed's chosen rate: (steps, mean, std)."""
    bands = {}
    for label, records in picked.items():
        curves = np.array([[np.nan if v is None else v for v in r["train_loss"]] for r in records], dtype=float)
        steps = np.arange(1, curves.shape[1] + 1) * CURVE_EVERY
        bands[label] = (steps, curves.mean(0), curves.std(0, ddof=1))
    return bands


def input_arms(records: list[dict]) -> dict[str, list[dict]]:
    """The input experiment's arms at their chosen rates, keyed by their labels."""
    return {INPUT_LABELS[inputs]: chosen(records, inputs=inputs) for inputs in INPUTS}


def arm_rows(picked: dict[str, list[dict]]) -> list[dict[str, object]]:
    """Per arm: the rate each seed's validation chose, the final training loss and the test accuracy (10,000)."""
    rows = []
    for label, records in picked.items():
        accuracy, spread = mean_std([100 * r["test_accuracy"] for r in records])
        rows.append(
            {
                "arm": label,
                "learning rate (per seed)": ", ".join(f"{r['lr']:g}" for r in records),
                f"training loss, last {CURVE_EVERY} steps": " / ".join(
                    "diverged" if r["train_loss"][-1] is None else f"{r['train_loss'][-1]:.3f}" for r in records
                ),
                "test accuracy (10,000)": f"{accuracy:.1f} ± {spread:.1f} %",
            }
        )
    return rows


def depth_arms(records: list[dict]) -> dict[tuple[str, int], list[dict]]:
    """(norm, depth) -> per seed, the record at its chosen rate."""
    return {
        (norm, depth): chosen(records, model_norm=norm, model_depth=depth)
        for norm in ("none", "batch")
        for depth in DEPTHS
    }


NORM_LABELS = {"none": "plain", "batch": "BatchNorm"}
STALLED = 0.9 * math.log(NUM_CLASSES)  # a final training loss above this is still near chance (ln 10 = 2.30)


def stalled_depth(arms: dict[tuple[str, int], list[dict]], norm: str) -> int | None:
    """The smallest depth at which every seed's training loss ends near chance, or None if none does."""
    for depth in DEPTHS:
        if all(r["train_loss"][-1] is None or r["train_loss"][-1] > STALLED for r in arms[(norm, depth)]):
            return depth
    return None


def depth_accuracy_figure(arms: dict[tuple[str, int], list[dict]]) -> go.Figure:
    """Test accuracy against depth, plain and BatchNorm, mean ± std over seeds."""
    figure = go.Figure()
    for index, (norm, label) in enumerate(NORM_LABELS.items()):
        stats = [mean_std([100 * r["test_accuracy"] for r in arms[(norm, d)]]) for d in DEPTHS]
        figure.add_scatter(
            x=list(DEPTHS),
            y=[m for m, _ in stats],
            error_y=dict(type="data", array=[s for _, s in stats]),
            mode="lines+markers",
            name=label,
            line=dict(color=colour(index), dash=DASHES[index]),
        )
    figure.add_hline(y=10, line=dict(color="#999999", dash="dot"), annotation_text="chance (10 %)")
    figure.update_xaxes(title="hidden layers", tickvals=list(DEPTHS))
    figure.update_yaxes(title="test accuracy (%)", range=[0, 100])
    return sized(figure, 340)


def gradient_figure(arms: dict[tuple[str, int], list[dict]], depth: int) -> go.Figure:
    """‖∂L/∂W‖ of each linear layer at initialization (mean over seeds), first layer at the left."""
    series = {}
    for norm, label in NORM_LABELS.items():
        gradients = np.array([r["init"]["gradients"] for r in arms[(norm, depth)]]).mean(0)
        series[label] = (list(range(1, len(gradients) + 1)), list(gradients))
    return lines_figure(series, "layer (1 = first, last = output)", "‖∂L/∂W‖ at initialization", log_y=True)


def activation_rows(records: list[dict], lr: float) -> list[dict[str, object]]:
    """Per non-linearity at rate ``lr``: saturated and dead units, first-layer gradient, before and after training
    (after: over the seeds whose run did not diverge). Saturation applies to sigmoid and tanh (their flat
    tails), death to ReLU and Leaky ReLU (their zero side); the other cell says "–"."""
    rows = []
    for name, label in ACTIVATION_LABELS.items():
        found = [r for r in records if r["model"]["activation"] == name and r["lr"] == lr]
        finished = [r for r in found if not r["diverged"]]

        def share(stage: str, key: str) -> str:
            runs = found if stage == "init" else finished
            squashing = name in ("sigmoid", "tanh")  # flat tails, but no zero side
            if not runs or (key == "dead") == squashing:
                return "–"
            return f"{100 * np.mean([np.mean(r[stage][key]) for r in runs]):.0f} %"

        def first(stage: str) -> str:
            runs = found if stage == "init" else finished
            return f"{np.mean([r[stage]['gradients'][0] for r in runs]):.2g}" if runs else "–"

        accuracy, spread = mean_std([100 * r["test_accuracy"] for r in found])
        rows.append(
            {
                "non-linearity": label,
                "saturated: init → trained": f"{share('init', 'saturated')} → {share('trained', 'saturated')}",
                "dead units: init → trained": f"{share('init', 'dead')} → {share('trained', 'dead')}",
                "‖∂L/∂W₁‖: init → trained": f"{first('init')} → {first('trained')}",
                "test accuracy": f"{accuracy:.1f} ± {spread:.1f} %",
                "diverged": f"{len(found) - len(finished)} of {len(found)} seeds",
            }
        )
    return rows


# --- dropout needs more training time (core.train's slow_ runs) --------------------------------------------------

TARGET_SHARE = 0.98  # the fixed target: 98 % of the lowest best validation accuracy any of the runs reached


def slow_target(records: dict[str, list[dict]]) -> float:
    """The validation accuracy every run must reach, fixed across arms and seeds (so every run does reach it)."""
    return TARGET_SHARE * min(max(r["val_accuracy"]) for arm in records.values() for r in arm)


def epochs_to_reach(record: dict, target: float) -> float:
    """Epochs (of the run's own training images) until its validation accuracy first reaches ``target``."""
    step = next(s for s, a in zip(record["eval_steps"], record["val_accuracy"]) if a >= target)
    return step * record["train"]["batch_size"] / record["train_images"]


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
                "epochs to the target (per seed)": ", ".join(f"{e:.2f}" for e in epochs),
                "mean": f"{np.mean(epochs):.2f}",
                "best validation accuracy": f"{best:.1f} ± {spread:.1f} %",
            }
        )
    return rows


# --- checkpoint ensembles (core.train's ckpt_ runs) --------------------------------------------------------------

CHECKPOINT_ARMS = {
    "single": "one network, whole budget",
    "snapshot": f"its own {CHECKPOINT_MEMBERS} checkpoints (snapshot ensemble)",
    "independent": f"{CHECKPOINT_MEMBERS} networks, a quarter budget each",
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


CHECKPOINT_SHORT = {
    "single": "one network",
    "snapshot": f"its {CHECKPOINT_MEMBERS} checkpoints",
    "independent": f"{CHECKPOINT_MEMBERS} short networks",
}


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


def layer_gradient_figure(records: list[dict], lr: float) -> go.Figure:
    """‖∂L/∂W‖ per linear layer for each non-linearity (mean over seeds): at initialization solid, trained dashed."""
    figure = go.Figure()
    for index, (name, label) in enumerate(ACTIVATION_LABELS.items()):
        found = [r for r in records if r["model"]["activation"] == name and r["lr"] == lr]
        for stage, dash in (("init", "solid"), ("trained", "dash")):
            runs = found if stage == "init" else [r for r in found if not r["diverged"]]
            if not runs:
                continue  # every seed diverged: no trained gradients to show
            gradients = np.array([r[stage]["gradients"] for r in runs]).mean(0)
            figure.add_scatter(
                x=list(range(1, len(gradients) + 1)),
                y=gradients,
                mode="lines+markers",
                line=dict(color=colour(index), dash=dash),
                name=label,
                legendgroup=label,
                showlegend=stage == "init",
            )
    values = [v for trace in figure.data for v in trace.y]
    for stage, dash in (("at initialization", "solid"), ("trained", "dash")):  # the line styles' own entries
        figure.add_scatter(x=[None], y=[None], mode="lines", line=dict(color="#999999", dash=dash), name=stage)
    figure.update_xaxes(title="layer (1 = first: the slide's ∂L/∂w)")
    figure.update_yaxes(title=f"‖∂L/∂W‖ on {PROBE} images", type="log", **log_ticks(values))
    return sized(figure, 380)


def schedule_series(config: TrainConfig, members: int) -> dict[str, tuple[list[int], list[float]]]:
    """The learning rate at every step of the three arms, from torch's own schedulers (core.train.make_schedule)."""

    def rates(train: TrainConfig) -> list[float]:
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=train.lr)
        schedule = make_schedule(optimizer, train)
        found = []
        for _ in range(train.steps):
            found.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            schedule.step()
        return found

    whole = rates(config)
    cycles = rates(replace(config, restarts=members))
    quarter = rates(replace(config, steps=config.steps // members))
    steps = list(range(config.steps))
    return {
        CHECKPOINT_ARMS["single"]: (steps, whole),
        CHECKPOINT_ARMS["snapshot"]: (steps, cycles),
        CHECKPOINT_ARMS["independent"]: (steps, quarter * members),
    }


def schedule_figure(series: dict[str, tuple[list[int], list[float]]]) -> go.Figure:
    """The learning rate per step of each arm; the snapshot run keeps a checkpoint where each cycle ends."""
    figure = lines_figure(series, "training step (all arms: the same total)", "learning rate (SGD)", height=300)
    for index, trace in enumerate(figure.data):
        trace.line.dash = DASHES[index]
    return figure


LOSS_CEILING = 2.6  # a little above chance (ln 10 = 2.30): a raw-pixel start near 8 would flatten every other curve


def loss_figure(bands: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> go.Figure:
    """Training-loss curves (mean ± std over seeds), the y axis cut at LOSS_CEILING."""
    title = f"training loss (cut at {LOSS_CEILING})"
    figure = seed_band_figure(bands, "step", title, height=340)
    return figure.update_yaxes(range=[0, LOSS_CEILING])
