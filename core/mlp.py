"""A fully connected network for three recap slides, trained offline by ``python -m core.train --only mlp_``.

- *Data pre-processing*: the same network fed raw [0, 255] pixels, pixels in [0, 1], or standardized pixels.
- *BN: what do you get?*: plain and BatchNorm networks of depth 4 to 50.
- *Activation recap*: sigmoid, tanh, ReLU and Leaky ReLU: saturated and dead units, and the gradient that
  reaches the first layer, at initialization and after training.

Every arm is trained at each learning rate of a grid in steps of about 3x and judged at the rate its *validation*
loss chose, so no arm loses only because one rate suits the others. The pre-processing and depth experiments give
every network the lecture's initialization for ReLU (Kaiming); the activation recap uses PyTorch's default (what
``nn.Linear`` does when nobody chooses), the same for each non-linearity. All use SGD with momentum 0.9 and the
same budget of steps. The records' training-loss bands, arm table and loss figure, which the first two slides'
sections share, are here too.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from core.data import MEAN, STD, Split
from core.figures import seed_band_figure
from core.init_demo import SATURATION
from core.models import NUM_CLASSES, make_activation
from core.rng import RngStream
from core.runspec import small_data_seed
from core.stats import mean_std

INPUTS = ("raw", "unit", "standard")
INPUT_LABELS = {"raw": "raw pixels [0, 255]", "unit": "scaled to [0, 1]", "standard": "standardized (mean 0, std 1)"}
PROBE = 512  # validation images for the statistics at initialization and after training
CURVE_EVERY = 10  # steps averaged into one point of a recorded training-loss curve


def scale_inputs(pixels: torch.Tensor, inputs: str) -> torch.Tensor:
    """uint8 pixels (N, 28, 28) -> flat float input (N, 784): raw, divided by 255, or standardized."""
    x = pixels.reshape(len(pixels), -1).to(torch.float32)
    if inputs == "raw":
        return x
    if inputs == "unit":
        return x / 255.0
    if inputs == "standard":
        return (x / 255.0 - MEAN) / STD  # the training set's mean and std (core.data)
    raise ValueError(f"unknown inputs {inputs!r}; choose one of {INPUTS}")


@dataclass(frozen=True)
class MLPConfig:
    depth: int = 2  # hidden layers, each Linear -> [BatchNorm1d] -> non-linearity
    width: int = 128  # units of every hidden layer
    norm: str = "none"  # "none" or "batch"
    activation: str = "relu"  # one of core.models.ACTIVATIONS
    init: str = "default"  # "default" (nn.Linear's own) or "kaiming" (He et al.: normal, std sqrt(2 / fan_in))


class MLP(nn.Module):
    def __init__(self, config: MLPConfig) -> None:
        super().__init__()
        if config.norm not in ("none", "batch"):
            raise ValueError(f"unknown normalization {config.norm!r}; choose 'none' or 'batch'")
        if config.init not in ("default", "kaiming"):
            raise ValueError(f"unknown initialization {config.init!r}; choose 'default' or 'kaiming'")
        layers: list[nn.Module] = []
        features = 28 * 28
        for _ in range(config.depth):
            # A bias before BatchNorm is cancelled by its mean subtraction: only keep it without one.
            layers.append(nn.Linear(features, config.width, bias=config.norm == "none"))
            layers.append(nn.BatchNorm1d(config.width) if config.norm == "batch" else nn.Identity())
            layers.append(make_activation(config.activation))
            features = config.width
        self.hidden = nn.Sequential(*layers)
        self.head = nn.Linear(features, NUM_CLASSES)
        if config.init == "kaiming":
            for linear in self.linears()[:-1]:  # the head feeds no ReLU: it keeps nn.Linear's default
                nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
                if linear.bias is not None:
                    nn.init.zeros_(linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.hidden(x))  # (B, 784) -> (B, 10) logits

    def linears(self) -> list[nn.Linear]:
        """Every linear layer in forward order, the head last."""
        return [module for module in self.modules() if isinstance(module, nn.Linear)]


def gradient_norms(model: MLP, x: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """‖∂L/∂W‖ of every linear layer's weights (first layer first) on one batch, in train mode, on a copy."""
    probe = copy.deepcopy(model).train()
    probe.zero_grad()
    nn.functional.cross_entropy(probe(x), labels).backward()
    return [float(linear.weight.grad.norm()) for linear in probe.linears()]


@torch.inference_mode()
def unit_stats(model: MLP, x: torch.Tensor) -> dict[str, list[float]]:
    """Per hidden layer: the fraction of outputs in a flat tail (tanh, sigmoid) and of dead units.

    A unit is dead when it is at or below zero for every input of the batch: for ReLU its gradient is then
    zero for all of them; a Leaky ReLU unit in that state still passes its slope's share of the gradient.
    Eval mode, so BatchNorm uses its running statistics.
    """
    probe = copy.deepcopy(model).eval()
    saturated, dead = [], []
    for layer in probe.hidden:
        x = layer(x)
        if isinstance(layer, (nn.Linear, nn.BatchNorm1d, nn.Identity)):
            continue  # look after the non-linearity
        if isinstance(layer, nn.Sigmoid):
            saturated.append(float(((x < 1 - SATURATION) | (x > SATURATION)).float().mean()))
        elif isinstance(layer, nn.Tanh):
            saturated.append(float((x.abs() > SATURATION).float().mean()))
        else:
            saturated.append(0.0)
        dead.append(float((x <= 0).all(dim=0).float().mean()))
    return {"saturated": saturated, "dead": dead}


@dataclass(frozen=True)
class MLPRun:
    group: str  # which experiment: "input", "depth" or "activation"
    model: MLPConfig
    inputs: str = "standard"  # one of INPUTS
    lr: float = 0.01  # SGD with momentum 0.9
    steps: int = 1000
    batch_size: int = 128
    seed: int = 0  # initialization and data order
    split_seed: int | None = None  # the held-out images: None, the last VALIDATION; else a draw of this seed's own


def train_mlp(run: MLPRun, train: Split, val: Split, test: Split) -> dict:
    """Train one arm and return its record: curves, final loss and accuracy, statistics before and after."""
    stream = RngStream(run.seed)
    with stream.active():
        model = MLP(run.model)
    x_train = scale_inputs(torch.tensor(train.images), run.inputs)
    y_train = torch.from_numpy(train.labels)
    x_val, y_val = scale_inputs(torch.tensor(val.images), run.inputs), torch.from_numpy(val.labels)
    x_test, y_test = scale_inputs(torch.tensor(test.images), run.inputs), torch.from_numpy(test.labels)
    probe, probe_labels = x_val[:PROBE], y_val[:PROBE]
    record = {**asdict(run), "init": {"gradients": gradient_norms(model, probe, probe_labels)}}
    record["init"].update(unit_stats(model, probe))
    optimizer = torch.optim.SGD(model.parameters(), lr=run.lr, momentum=0.9)
    order = torch.Generator().manual_seed(run.seed)
    losses: list[float] = []
    pending = torch.empty(0, dtype=torch.long)
    for _ in range(run.steps):
        if len(pending) < run.batch_size:
            pending = torch.randperm(len(y_train), generator=order)
        index, pending = pending[: run.batch_size], pending[run.batch_size :]
        loss = nn.functional.cross_entropy(model(x_train[index]), y_train[index])
        losses.append(float(loss.detach()))
        if not math.isfinite(losses[-1]):
            break  # diverged: the rest of the budget cannot bring it back
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    record["diverged"] = not math.isfinite(losses[-1])
    curve = np.array(losses + [math.nan] * (run.steps - len(losses))).reshape(-1, CURVE_EVERY).mean(1)
    record["train_loss"] = [round(float(v), 5) if math.isfinite(v) else None for v in curve]
    model.eval()
    with torch.inference_mode():
        for name, (x, y) in {"val": (x_val, y_val), "test": (x_test, y_test)}.items():
            logits = model(x)
            loss = float(nn.functional.cross_entropy(logits, y))
            record[f"{name}_loss"] = loss if math.isfinite(loss) else None
            record[f"{name}_accuracy"] = float((logits.argmax(1) == y).float().mean())
    record["trained"] = {"gradients": gradient_norms(model, probe, probe_labels), **unit_stats(model, probe)}
    return record


def loss_bands(picked: dict[str, list[dict]]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per arm, the training-loss curve over seeds at each seed's chosen rate: (steps, mean, std)."""
    bands = {}
    for label, records in picked.items():
        curves = np.array([[np.nan if v is None else v for v in r["train_loss"]] for r in records], dtype=float)
        steps = np.arange(1, curves.shape[1] + 1) * CURVE_EVERY
        bands[label] = (steps, curves.mean(0), curves.std(0, ddof=1))
    return bands


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


LOSS_CEILING = 2.6  # a little above chance (ln 10 = 2.30): a raw-pixel start near 8 would flatten every other curve


def loss_figure(bands: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> go.Figure:
    """Training-loss curves (mean ± std over seeds), the y axis cut at LOSS_CEILING."""
    title = f"training loss (cut at {LOSS_CEILING})"
    figure = seed_band_figure(bands, "step", title, height=340)
    return figure.update_yaxes(range=[0, LOSS_CEILING])


# --- the three experiments ---------------------------------------------------------------------------------

SEEDS = (0, 1, 2, 3, 4)
# The input experiment, round 3 (registered on 2026-12-05 before its runs, after a review found round 2's 3x steps
# coarse beside a flat optimum): rates in steps of 1.33x to 1.67x (1, 1.5, 2, 3, 5, 7, 10, ...; registered as "at
# most 1.5x", which 3 -> 5 is not; raw pixels need a far smaller rate than standardized ones), on fresh seeds; the
# rule, the measure and the minimum unchanged.
INPUT_SEEDS = (5, 6, 7, 8, 9)
INPUT_LRS = (*(float(f"{base}e{power}") for power in range(-7, 0) for base in (1, 1.5, 2, 3, 5, 7)), 1.0)
INPUT_STEPS = 500  # about one epoch of the 55,000 training images
INPUT_MODEL = MLPConfig(init="kaiming")  # a plain ReLU network: the lecture's initialization for it
# Round 13 (registered on 2026-12-06 before its runs, after one of the two ninth reviewers found every seed on one
# split of the training images, fixed after round 1's results, so the interval covered initialization and data order
# only): the same test at INPUT_ROUND13_SEEDS, each seed holding out its own random VALIDATION of the 60,000 training
# images (the rest train; no other run draws them), with the same rates, rule, steps, measure and minimum. Ten seeds,
# not five: seeds 5-9's effects spread by 1.24 points (sd), which gives a 95 % interval of about ±1.5 points at 5
# seeds, wider than the 1-point minimum, and about ±0.9 at 10. Seeds 5-9 reported beside.
INPUT_ROUND13_SEEDS = tuple(range(55, 65))
DEPTHS = (4, 10, 20, 30, 50)  # the lecture's "very deep" nets: 30 and 50 as well as the shallow ones
DEPTH_STEPS = 1000  # about 2.3 epochs of the 55,000 training images
# Steps of about 3x, from one step below the lowest rate any arm chose in round 2 (0.0003, one seed of the plain
# 50-layer network; the page's numbers name the grid's edge if an arm chooses it).
DEPTH_LRS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
# Round 7 (registered on 2026-12-05 before its runs, after the sixth review found "BN trains deep nets" never
# registered: its design changed after results were seen and its minimum entered git with its first records): the
# same design on fresh seeds, at the depth the verdict reads alone (DEPTHS' deepest; the other depths are seeds 0-4's):
# both networks with Kaiming initialization, each seed's rate chosen from DEPTH_LRS by the validation loss; the
# verdict is BatchNorm's test accuracy minus the plain network's, paired t, minimum 5 points; seeds 0-4 reported beside.
DEPTH_VERDICT_SEEDS = (5, 6, 7, 8, 9)
ACTIVATION_DEPTH = 6
ACTIVATION_STEPS = 1000
ACTIVATION_LRS = (0.01, 0.1, 0.3)  # a usual rate and two larger ones
VALIDATION = 5_000  # the last training images, held out to choose each arm's learning rate


def experiment_runs() -> dict[str, list[MLPRun]]:
    """Every arm of the three experiments, at every learning rate and seed."""
    runs = {"input": [], "depth": [], "depth_verdict": [], "activation": [], "input_round13": []}
    for seed in INPUT_SEEDS:
        for inputs in INPUTS:
            runs["input"] += [MLPRun("input", INPUT_MODEL, inputs, lr, INPUT_STEPS, seed=seed) for lr in INPUT_LRS]
    for seed in INPUT_ROUND13_SEEDS:
        for inputs in INPUTS:
            runs["input_round13"] += [
                MLPRun(
                    "input_round13", INPUT_MODEL, inputs, lr, INPUT_STEPS, seed=seed, split_seed=small_data_seed(seed)
                )
                for lr in INPUT_LRS
            ]
    for seed in DEPTH_VERDICT_SEEDS:
        for norm in ("none", "batch"):
            model = MLPConfig(depth=max(DEPTHS), norm=norm, init="kaiming")
            runs["depth_verdict"] += [
                MLPRun("depth_verdict", model, lr=lr, steps=DEPTH_STEPS, seed=seed) for lr in DEPTH_LRS
            ]
    for seed in SEEDS:
        for depth in DEPTHS:
            for norm in ("none", "batch"):
                model = MLPConfig(depth=depth, norm=norm, init="kaiming")
                runs["depth"] += [MLPRun("depth", model, lr=lr, steps=DEPTH_STEPS, seed=seed) for lr in DEPTH_LRS]
        for activation in ("sigmoid", "tanh", "relu", "leaky_relu"):
            model = MLPConfig(depth=ACTIVATION_DEPTH, activation=activation)
            runs["activation"] += [
                MLPRun("activation", model, lr=lr, steps=ACTIVATION_STEPS, seed=seed) for lr in ACTIVATION_LRS
            ]
    return runs


def split_for_training(full_train: Split, split_seed: int | None = None) -> tuple[Split, Split]:
    """The training images without VALIDATION of them, and those as validation: by default the last ones; with
    ``split_seed``, a random draw (a permutation, as core.train draws a CNN run's images)."""
    order = (
        np.arange(len(full_train))
        if split_seed is None
        else np.random.default_rng(split_seed).permutation(len(full_train))
    )
    cut = len(full_train) - VALIDATION
    return full_train.take(order[:cut]), full_train.take(order[cut:])


def chosen(records: list[dict], **arm: object) -> list[dict]:
    """Per seed, the record of ``arm`` (e.g. inputs="raw") at the rate with the lowest validation loss.

    Keys of ``arm`` are record fields or, with a ``model_`` prefix, fields of its MLPConfig. A diverged
    rate is never chosen while another one finished.
    """

    def matches(record: dict) -> bool:
        return all(
            record["model"][key[6:]] == value if key.startswith("model_") else record[key] == value
            for key, value in arm.items()
        )

    def badness(record: dict) -> float:
        return math.inf if record["val_loss"] is None else record["val_loss"]

    found = [record for record in records if matches(record)]
    return [min((r for r in found if r["seed"] == seed), key=badness) for seed in sorted({r["seed"] for r in found})]
