"""Monte-Carlo dropout: many stochastic passes of one trained network, and what their spread tells.

The shared, cached model stays in eval mode forever (BatchNorm uses its running statistics). Dropout is
applied with ``torch.nn.functional.dropout(training=True)`` on the model's own dropout probability, so
the model's mode is never toggled. Everything before the dropout layer is deterministic: it is computed
once and only its output is repeated T times, each row getting a fresh mask.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch.nn import functional as F
from torchvision.transforms.v2 import functional as TF

from core.data import to_tensor
from core.figures import CLASS_PALETTE, axis, colour, house_layout, sized, subplot_grid
from core.models import SmallCNN
from core.rng import RngStream

DROPOUT_P = (0.1, 0.2, 0.5)  # the shipped dropout networks, "dropout_p{p}"


@torch.inference_mode()
def deterministic_probs(model: SmallCNN, images: torch.Tensor) -> torch.Tensor:
    """Dropout off: PyTorch's inverted dropout needs no rescaling at test time. (B, 1, 28, 28) -> (B, 10)."""
    return F.softmax(model(images), dim=1)


@torch.inference_mode()
def mc_probs(model: SmallCNN, images: torch.Tensor, passes: int, seed: int) -> torch.Tensor:
    """Softmax outputs of ``passes`` dropout passes, batched: (B, 1, 28, 28) -> (T, B, 10)."""
    return mc_head_probs(model, embeddings(model, images), passes, seed)


@torch.inference_mode()
def embeddings(model: SmallCNN, images: torch.Tensor) -> torch.Tensor:
    """The deterministic part of a pass, before dropout, (B, 1, 28, 28) -> (B, H): computed once, reused."""
    return model.embed(images)


@torch.inference_mode()
def head_probs(model: SmallCNN, features: torch.Tensor) -> torch.Tensor:
    """deterministic_probs from features computed before: (B, H) -> (B, 10)."""
    return F.softmax(model.head(features), dim=1)


@torch.inference_mode()
def mc_head_probs(model: SmallCNN, features: torch.Tensor, passes: int, seed: int) -> torch.Tensor:
    """mc_probs from features computed before (``model.embed``, cacheable): (B, H) -> (T, B, 10)."""
    return F.softmax(mc_head_logits(model, features, passes, seed), dim=-1)


@torch.inference_mode()
def mc_head_logits(model: SmallCNN, features: torch.Tensor, passes: int, seed: int) -> torch.Tensor:
    """The softmax inputs of ``passes`` dropout passes from features: (B, H) -> (T, B, 10)."""
    batch, hidden = features.shape
    repeated = features.expand(passes, batch, hidden).reshape(passes * batch, hidden)  # (T*B, H)
    with RngStream(seed).active():
        dropped = F.dropout(repeated, p=model.dropout.p, training=True)  # a fresh mask per row
    return model.head(dropped).reshape(passes, batch, -1)


MC_ARMS = ("dropout off", "MC average")  # what off_and_mc_probs returns, as records name it


def off_and_mc_probs(model: SmallCNN, features: torch.Tensor, passes: int) -> tuple[np.ndarray, np.ndarray]:
    """Softmax outputs (N, 10) from the head's ``features``: with dropout off, and the MC average of ``passes``
    (seed 0, as every recorded MC figure)."""
    return head_probs(model, features).numpy(), mc_head_probs(model, features, passes, 0).numpy().mean(0)


def cross_entropy(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy of softmax outputs (N, C) against ``labels``; clipped: a float32 probability can round to
    0."""
    return float(-np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, None)).mean())


@torch.inference_mode()
def mc_probs_loop(model: SmallCNN, images: torch.Tensor, passes: int, seed: int) -> torch.Tensor:
    """The naive reference: ``passes`` full forward passes, one after another. (T, B, 10)."""
    stream, outputs = RngStream(seed), []
    for _ in range(passes):
        features = model.embed(images)
        with stream.active():
            dropped = F.dropout(features, p=model.dropout.p, training=True)
        outputs.append(F.softmax(model.head(dropped), dim=1))
    return torch.stack(outputs)


def mc_errors(
    model: SmallCNN, images: torch.Tensor, labels: np.ndarray, passes: Sequence[int], seed: int
) -> list[float]:
    """Test error of the MC average after each T in ``passes`` (one draw of max(passes) passes, averaged in order)."""
    probs = mc_probs(model, images, max(passes), seed).numpy()  # (T, B, C)
    running = np.cumsum(probs, axis=0)
    return [float((running[t - 1].argmax(-1) != labels).mean()) for t in passes]


# --- uncertainty numbers ---------------------------------------------------------------------------------


def entropy(probs: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy in nats; 0·log 0 counts as 0."""
    return -np.sum(probs * np.log(np.clip(probs, 1e-12, None)), axis=axis)


@dataclass(frozen=True)
class Uncertainty:
    predictive_entropy: np.ndarray  # H[mean_t p_t]: total uncertainty, (B,)
    expected_entropy: np.ndarray  # mean_t H[p_t]: the aleatoric part, (B,)
    mutual_information: np.ndarray  # their difference: how much the passes disagree (epistemic), (B,)


def uncertainty(probs: np.ndarray) -> Uncertainty:
    """Decompose the uncertainty of MC samples ``probs`` (T, B, C)."""
    predictive = entropy(probs.mean(axis=0))
    expected = entropy(probs).mean(axis=0)
    return Uncertainty(predictive, expected, predictive - expected)


def votes(probs: np.ndarray) -> np.ndarray:
    """How many passes chose each class: (T, B, C) -> (B, C) counts."""
    classes = probs.shape[-1]
    return np.stack([np.bincount(row, minlength=classes) for row in probs.argmax(-1).T])


def running_mean(probs: np.ndarray) -> np.ndarray:
    """The MC estimate after 1, 2, … T passes: (T, ...) -> (T, ...)."""
    return np.cumsum(probs, axis=0) / np.arange(1, len(probs) + 1).reshape(-1, *[1] * (probs.ndim - 1))


def class_distribution_figure(samples: np.ndarray, deterministic: np.ndarray, classes: Sequence[str]) -> go.Figure:
    """Per class: the T softmax probabilities (box with points), their MC mean and the dropout-off value."""
    passes = len(samples)
    # One box trace for all classes (a box per x category), not ten: a tenth of the objects to build and send.
    passes_box = dict(
        type="box",
        x=np.repeat(np.asarray(classes, dtype=object), passes),
        y=samples.T.ravel(),  # class by class, each class's T passes
        boxpoints="all",
        jitter=0.5,
        pointpos=0,
        marker=dict(size=3, color=colour(5)),
        line=dict(color=colour(5)),
        showlegend=False,
        name="passes",
    )
    shown = [(samples.mean(0), "MC mean", "diamond"), (deterministic, "dropout off (weight scaling)", "x")]
    markers = [
        dict(type="scatter", x=list(classes), y=y, mode="markers", name=name,
             marker=dict(symbol=symbol, size=12, color=colour(index)))
        for index, (y, name, symbol) in enumerate(shown)
    ]  # fmt: skip
    layout = dict(xaxis=axis("class"), yaxis=axis("softmax probability", range=[-0.02, 1.02]), **house_layout(380))
    return go.Figure(data=[passes_box, *markers], layout=layout)


def votes_figure(counts: np.ndarray, classes: Sequence[str]) -> go.Figure:
    bars = dict(type="bar", x=list(classes), y=counts, marker=dict(color=colour(0)))
    # The y title is short: a projected or narrow figure cut a longer one.
    return go.Figure(data=[bars], layout=dict(xaxis=axis("class"), yaxis=axis("votes (passes)"), **house_layout(280)))


def convergence_figure(running: np.ndarray, samples: np.ndarray, label: str) -> go.Figure:
    """The MC estimate of one class's probability as passes accumulate, with ± one standard error."""
    t = np.arange(1, len(running) + 1)
    # The standard deviation of the first k passes for every k at once, from running sums of x and x².
    variance = np.cumsum(samples**2) / t - (np.cumsum(samples) / t) ** 2
    spread = np.sqrt(np.clip(variance, 0, None) / t)
    band = dict(
        type="scatter",
        x=np.concatenate([t, t[::-1]]),
        y=np.concatenate([running + spread, (running - spread)[::-1]]),
        fill="toself",
        line=dict(width=0),
        fillcolor="rgba(0,114,178,0.2)",
        name="± 1 s.e.",
    )
    estimate = dict(
        type="scatter", x=t, y=running, mode="lines", line=dict(color=colour(0)), name=f"MC estimate of P({label})"
    )
    layout = dict(xaxis=axis("passes T"), yaxis=axis("probability"), **house_layout(300))
    return go.Figure(data=[band, estimate], layout=layout)


def uncertainty_groups(
    model: SmallCNN, groups: dict[str, torch.Tensor], passes: int, seed: int
) -> dict[str, Uncertainty]:
    """MC uncertainty for several sets of inputs, e.g. in- and out-of-distribution."""
    return {name: uncertainty(mc_probs(model, images, passes, seed).numpy()) for name, images in groups.items()}


def ood_inputs(fashion: np.ndarray, photos: torch.Tensor, seed: int) -> dict[str, torch.Tensor]:
    """In-distribution (every 10th test image), the sample photos and 64 noise images, as network input."""
    return {
        "Fashion-MNIST test": to_tensor(fashion[::10]),
        "sample photos": photos,
        "uniform noise": to_tensor(noise_images(64, seed)),
    }


def noise_images(count: int, seed: int) -> np.ndarray:
    """Uniform-noise 28×28 images (uint8), the most out-of-distribution input there is."""
    return np.random.default_rng(seed).integers(0, 256, (count, 28, 28), dtype=np.uint8)


def groups_figure(groups: Mapping[str, np.ndarray], y_title: str, x_title: str = "inputs") -> go.Figure:
    """One box (with points) per group, e.g. mutual information for in- and out-of-distribution inputs."""
    figure = go.Figure()
    for index, (name, values) in enumerate(groups.items()):
        figure.add_box(
            y=values,
            name=name,
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker=dict(size=4, color=colour(index)),
            line_color=colour(index),
            showlegend=False,
        )
    figure.update_xaxes(title=x_title)
    figure.update_yaxes(title=y_title)
    return sized(figure, 340)


@dataclass(frozen=True)
class Number:
    """A figure to show with its one-line explanation."""

    label: str
    value: str
    note: str = ""  # shown under the value
    help: str = ""


def prediction_numbers(samples: np.ndarray, deterministic: np.ndarray, classes: tuple[str, ...]) -> list[Number]:
    """Dropout-off vs MC prediction and the uncertainty decomposition for one input: samples (T, C)."""
    numbers = uncertainty(samples[:, None])
    mean = samples.mean(0)
    chosen, top = int(deterministic.argmax()), int(mean.argmax())
    return [
        Number(
            "Dropout off says",
            classes[chosen],
            f"{deterministic[chosen]:.1%} confident",
            "One pass without dropout (PyTorch's inverted dropout needs no rescaling at test time).",
        ),
        Number("MC average says", classes[top], f"{mean[top]:.1%} confident", "The mean of the T softmax outputs."),
        Number(
            "Predictive entropy",
            f"{numbers.predictive_entropy[0]:.3f} nats",
            "",
            "Entropy of the MC average: all the uncertainty (at most ln 10 = 2.303).",
        ),
        Number(
            "Expected entropy",
            f"{numbers.expected_entropy[0]:.3f} nats",
            "",
            "Mean entropy of single passes: what each pass is unsure about (aleatoric).",
        ),
        Number(
            "Mutual information",
            f"{numbers.mutual_information[0]:.3f} nats",
            "",
            "Predictive minus expected entropy: how much the passes disagree (epistemic).",
        ),
    ]


# --- inputs: perturbations and test-time augmentation ----------------------------------------------------


def perturbed(image: torch.Tensor, kind: str, strengths: np.ndarray) -> torch.Tensor:
    """One normalized (1, 28, 28) input under growing perturbations: (S, 1, 28, 28).

    ``rotate``: degrees; ``brightness``: added to the normalized pixels (negative darkens).
    """
    if kind == "rotate":
        return torch.stack([TF.rotate(image, float(angle), fill=float(image.min())) for angle in strengths])
    if kind == "brightness":
        return torch.stack([image + float(delta) for delta in strengths])
    raise ValueError(f"unknown perturbation {kind!r}")


STRENGTHS = {"rotate": np.linspace(0.0, 180.0, 13), "brightness": np.linspace(-2.0, 2.0, 13)}


@dataclass(frozen=True)
class PerturbedFeatures:
    """The seed-free part of a perturbation sweep, computed once per input and kind; only the dropout passes
    (a few linear layers) depend on T and the seed."""

    strengths: np.ndarray  # (S,) degrees or brightness shifts
    features: torch.Tensor  # (S, H) the perturbed inputs' features before dropout
    confidence: np.ndarray  # (S,) dropout-off confidence in the top class


@torch.inference_mode()
def perturbed_features(model: SmallCNN, image: torch.Tensor, kind: str) -> PerturbedFeatures:
    """One (1, 28, 28) input under growing perturbations of ``kind``, passed once through the deterministic layers."""
    strengths = STRENGTHS[kind]
    features = embeddings(model, perturbed(image, kind, strengths))
    return PerturbedFeatures(strengths, features, head_probs(model, features).max(1).values.numpy())


def perturbation_sweep(
    model: SmallCNN, swept: PerturbedFeatures, passes: int, seed: int
) -> tuple[np.ndarray, Uncertainty, np.ndarray]:
    """Strengths, MC uncertainty and dropout-off confidence of one input as it is perturbed."""
    numbers = uncertainty(mc_head_probs(model, swept.features, passes, seed).numpy())
    return swept.strengths, numbers, swept.confidence


def sweep_series(
    kind: str, strengths: np.ndarray, numbers: Uncertainty, confidence: np.ndarray
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], str]:
    """A perturbation sweep as named (x, y) lines for one figure, and its x-axis title."""
    series = {
        "mutual information": (strengths, numbers.mutual_information),
        "predictive entropy": (strengths, numbers.predictive_entropy),
        "dropout-off confidence": (strengths, confidence),
    }
    return series, "rotation (degrees)" if kind == "rotate" else "brightness shift (normalized units)"


def fashion_position(labels: np.ndarray, class_index: int, index: int) -> int:
    """Where the ``index``-th test item of a class sits in the test set."""
    return int(np.flatnonzero(labels == class_index)[index])


ROTATION_STEPS = np.linspace(0.0, 165.0, 12)  # Gal & Ghahramani (2016), Fig. 4: one item rotated in 12 steps


@dataclass(frozen=True)
class RotationScatter:
    angles: np.ndarray  # (S,) degrees
    logits: np.ndarray  # (T, S, C) softmax inputs of every pass
    probs: np.ndarray  # (T, S, C) softmax outputs of every pass
    classes: np.ndarray  # the classes worth plotting: the top class at any angle, by MC mean


@torch.inference_mode()
def rotation_features(model: SmallCNN, image: torch.Tensor) -> torch.Tensor:
    """One (1, 28, 28) input rotated in ROTATION_STEPS, before dropout: (S, H), computed once per input."""
    return embeddings(model, perturbed(image, "rotate", ROTATION_STEPS))


@torch.inference_mode()
def rotation_scatter(model: SmallCNN, features: torch.Tensor, passes: int, seed: int) -> RotationScatter:
    """MC dropout passes of the rotated input's ``features`` (rotation_features): the data of G&G's Fig. 4."""
    logits = mc_head_logits(model, features, passes, seed)
    probs = F.softmax(logits, dim=-1).numpy()
    top = np.unique(probs.mean(axis=0).argmax(axis=1))
    return RotationScatter(ROTATION_STEPS, logits.numpy(), probs, top)


def rotation_scatter_figure(scatter: RotationScatter, classes: Sequence[str]) -> go.Figure:
    """Every pass's softmax input and output at each rotation, for the classes that lead at some angle.

    The layout of Gal & Ghahramani (2016), Fig. 4; the points are spread a little sideways to show their density.
    """
    titles = ("softmax input (logit)", "softmax output (probability)")
    layout = copy.deepcopy(subplot_grid(2, 1, titles, shared_xaxes=True, vertical_spacing=0.08))
    layout["xaxis2"].update(axis("rotation (degrees)", tickvals=scatter.angles))
    layout["yaxis"].update(axis("logit"))
    layout["yaxis2"].update(axis("probability", range=[0, 1.02]))
    passes = scatter.logits.shape[0]
    jitter = np.random.default_rng(0).uniform(-3.0, 3.0, (passes, len(scatter.angles)))  # fixed: same picture
    # float32 throughout: the same points to well under a pixel, and half the bytes of a ~300 KB figure.
    x = (scatter.angles[None, :] + jitter).ravel().astype(np.float32)
    data = []
    for label in scatter.classes:
        shade, name = CLASS_PALETTE[label], classes[label]  # by class, so a class keeps its colour from item to item
        # The legend's marker, solid and large: the points' own are faint (they overlap) and vanish on dark.
        data.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=name, legendgroup=name,
                         marker=dict(size=10, color=shade), xaxis="x", yaxis="y"))  # fmt: skip
        for row, values in enumerate((scatter.logits, scatter.probs), start=1):
            data.append(
                dict(
                    type="scatter",
                    x=x,
                    y=values[:, :, label].ravel().astype(np.float32),
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    marker=dict(size=4, color=shade, opacity=0.35),
                    showlegend=False,
                    xaxis="x" if row == 1 else "x2",
                    yaxis="y" if row == 1 else "y2",
                )
            )
    return go.Figure(data=data, layout={**layout, **house_layout(560)})


def tta_views(images: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """Label-preserving views of (B, 1, 28, 28) inputs: the original, its mirror, and ±2 px shifts."""
    background = float(images.min())
    views = [("original", images), ("mirrored", TF.horizontal_flip(images))]
    for dx, dy in ((2, 0), (-2, 0), (0, 2), (0, -2)):
        shifted = TF.affine(images, angle=0.0, translate=[dx, dy], scale=1.0, shear=[0.0, 0.0], fill=background)
        views.append((f"shifted ({dx:+d}, {dy:+d}) px", shifted))
    return views


TTA_SCALES = (0.9, 1.0, 1.1)  # zoom factors of the multi-scale test views (the slide's "N scales")


def scale_views(images: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """(B, 1, 28, 28) inputs zoomed about their centre by each of TTA_SCALES, edges filled with the background."""
    background = float(images.min())
    return [
        (f"×{scale:g}", TF.affine(images, angle=0.0, translate=[0, 0], scale=scale, shear=[0.0, 0.0], fill=background))
        for scale in TTA_SCALES
    ]


@torch.inference_mode()
def tta_scales_report(model: SmallCNN, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """Accuracy of each scale alone, of the average over the scales, and over the scales and their mirrors."""
    probs = {name: deterministic_probs(model, view) for name, view in scale_views(images)}
    mirrored = [deterministic_probs(model, TF.horizontal_flip(view)) for _, view in scale_views(images)]
    report = {f"{name} only": p for name, p in probs.items()}
    report[f"average of {len(TTA_SCALES)} scales"] = torch.stack(list(probs.values())).mean(0)
    report[f"average of {len(TTA_SCALES)} scales and their mirrors"] = torch.stack([*probs.values(), *mirrored]).mean(0)
    return {name: float((p.argmax(1) == labels).float().mean()) for name, p in report.items()}


@torch.inference_mode()
def tta_report(model: SmallCNN, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """Accuracy of each view alone and of the prediction averaged over views, with and without the mirror."""
    probs = {name: deterministic_probs(model, view) for name, view in tta_views(images)}
    shifts_only = torch.stack([p for name, p in probs.items() if name != "mirrored"]).mean(0)
    report = {f"{name} only": probs[name] for name in probs}
    report["average of all 6 views"] = torch.stack(list(probs.values())).mean(0)
    report["average without the mirror"] = shifts_only
    return {name: float((p.argmax(1) == labels).float().mean()) for name, p in report.items()}


def tta_against_the_slide(report: Mapping[str, float], images: int, elsewhere: str) -> str:
    """The TTA view's first sentence where averaging the views lowers the accuracy on its ``images`` test images
    (the slide expects a gain), naming where the slide's effect can appear; "" where the view agrees with it."""
    original, averaged = report["original only"], report["average of all 6 views"]
    if averaged >= original:
        return ""
    return (
        f"**Here averaging the 6 views lowers the accuracy ({original:.2%} → {averaged:.2%}, "
        f"{round((original - averaged) * images)} of the {images:,} test images), not the gain the slide expects**: "
        f"this model was trained without these views and the clean test items are neither mirrored nor shifted. "
        f"Where the slide's effect can appear: {elsewhere}."
    )


# --- the weight-scaling rule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightScaling:
    keep: float  # q = 1 − p, the probability a unit is kept
    full: float  # z with every unit kept: theta · x
    lecture_expectation: float  # E[z] over the four masks without rescaling: q · theta · x
    pytorch_expectation: float  # E[z] with PyTorch's training-time scaling 1/q: theta · x again
    pytorch_monte_carlo: float  # the mean of many real nn.functional.dropout draws
    draws: int  # how many real draws pytorch_monte_carlo averages

    def numbers(self) -> list[Number]:
        """What the Dropout basics tab shows, in order."""
        return [
            Number("θ·x, all kept", f"{self.full:+.3f}"),
            Number("E[z], no rescaling", f"{self.lecture_expectation:+.3f}", help="= q · θ·x"),
            Number("E[z], PyTorch scaling", f"{self.pytorch_expectation:+.3f}", help="= θ·x"),
            Number(
                f"mean of {self.draws:,} real draws",
                f"{self.pytorch_monte_carlo:+.3f}",
                help="torch.nn.functional.dropout(training=True) on θ₁x₁, θ₂x₂, summed",
            ),
        ]


def weight_scaling(theta: np.ndarray, x: np.ndarray, p: float, draws: int = 100_000, seed: int = 0) -> WeightScaling:
    """The lecture's two-input example, exactly (enumerating masks) and with PyTorch's inverted dropout."""
    keep = 1.0 - p
    masks = [(m1, m2) for m1 in (0, 1) for m2 in (0, 1)]
    probability = {mask: (keep if mask[0] else p) * (keep if mask[1] else p) for mask in masks}
    lecture = sum(probability[m] * float(np.dot(np.array(m) * theta, x)) for m in masks)
    pytorch = sum(probability[m] * float(np.dot(np.array(m) * theta, x)) / keep for m in masks) if keep else 0.0
    products = torch.tensor(theta * x, dtype=torch.float64).expand(draws, 2)
    with RngStream(seed).active():
        sampled = F.dropout(products, p=p, training=True).sum(1).mean()
    return WeightScaling(keep, float(np.dot(theta, x)), lecture, pytorch, float(sampled), draws)
