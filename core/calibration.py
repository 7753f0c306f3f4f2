"""The MC Dropout Lab's calibration: reliability diagrams and the expected calibration error (Guo et al. 2017) of
one network with dropout off and of its MC average."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core.figures import colour, sized
from core.mc_dropout import head_probs, mc_head_probs
from core.models import SmallCNN

ECE_BINS = 15  # equal-width confidence bins, as in Guo et al. (2017)


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Temperature scaling (Guo et al. 2017): the T > 0 whose softmax(logits / T) has the least cross-entropy on
    held-out images, found as they did, with L-BFGS (on log T, so T stays positive). (N, 10), (N,) -> T."""
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.detach().exp())


@dataclass(frozen=True)
class Reliability:
    edges: np.ndarray  # (bins + 1,) confidence bin edges on [0, 1]
    accuracy: np.ndarray  # per bin (NaN where empty)
    confidence: np.ndarray  # mean confidence per bin (NaN where empty)
    counts: np.ndarray  # predictions per bin
    ece: float  # expected calibration error: sum_b n_b / N · |accuracy_b − confidence_b|


def calibration(
    model: SmallCNN, features: torch.Tensor, labels: np.ndarray, passes: int, seed: int
) -> dict[str, Reliability]:
    """Reliability of dropout-off and of the MC average over ``passes``, from the test set's ``embeddings``."""
    outputs = {
        "dropout off": head_probs(model, features).numpy(),
        f"MC average of {passes}": mc_head_probs(model, features, passes, seed).numpy().mean(0),
    }
    return {name: reliability(probs.max(1), probs.argmax(1) == labels) for name, probs in outputs.items()}


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> Reliability:
    """Reliability diagram data and ECE (Guo et al. 2017), bins (lo, hi] of equal width."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore"):
        accuracy = np.bincount(which, weights=correct.astype(float), minlength=bins) / counts
        mean_confidence = np.bincount(which, weights=confidence, minlength=bins) / counts
    gaps = np.where(counts > 0, np.abs(accuracy - mean_confidence), 0.0)
    return Reliability(edges, accuracy, mean_confidence, counts, float(np.sum(counts / len(confidence) * gaps)))


def calibrated_ece(confidence: np.ndarray, draws: int = 200, seed: int = 0) -> np.ndarray:
    """The ECE a perfectly calibrated network with these confidences would measure, once per draw of its outcomes
    (each prediction right with probability its confidence): (draws,). On a finite test set binning noise alone
    gives it a floor above 0, which no method can lower."""
    rng = np.random.default_rng(seed)
    return np.array([reliability(confidence, rng.random(len(confidence)) < confidence).ece for _ in range(draws)])


def overall(curve: Reliability) -> tuple[float, float]:
    """Accuracy and mean confidence over every prediction of a reliability diagram."""
    used = curve.counts > 0
    share = curve.counts[used] / curve.counts.sum()
    return float(share @ curve.accuracy[used]), float(share @ curve.confidence[used])


def calibration_change(off: Reliability, mc: Reliability) -> str:
    """What MC averaging did to this network's calibration, in measured numbers."""
    accuracy, confidence = overall(mc)
    direction = "lowers" if mc.ece < off.ece else "raises"
    lean = "under-confident" if confidence < accuracy else "over-confident"
    return (
        f"For this network MC averaging {direction} the ECE from {off.ece:.1%} to {mc.ece:.1%}: the average's mean "
        f"confidence is {confidence:.1%} at {accuracy:.1%} accuracy, so it is {lean}."
    )


def against_the_slide(off: Reliability, mc: Reliability, elsewhere: str) -> str:
    """The view's first sentence where MC averaging raises the ECE (the slide expects it to fall), naming
    the network on which the slide's effect appears; "" where the view agrees with the slide."""
    if mc.ece <= off.ece:
        return ""
    return (
        f"**Here MC averaging raises the ECE ({off.ece:.1%} → {mc.ece:.1%}), not the drop the slide expects**: this "
        f"network is not over-confident with dropout off. The slide's effect appears on the *{elsewhere}* network."
    )


def reliability_figure(curves: Mapping[str, Reliability]) -> go.Figure:
    """Reliability diagrams (accuracy per confidence bin) with the diagonal, and the confidence histograms."""
    figure = make_subplots(rows=2, cols=1, row_heights=[0.7, 0.3], shared_xaxes=True, vertical_spacing=0.05)
    figure.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="grey"), name="perfect", row=1, col=1
    )
    for index, (name, curve) in enumerate(curves.items()):
        centres = (curve.edges[:-1] + curve.edges[1:]) / 2
        figure.add_scatter(
            x=centres,
            y=curve.accuracy,
            mode="lines+markers",
            line_color=colour(index),
            name=f"{name} (ECE {curve.ece:.1%})",
            row=1,
            col=1,
        )
        figure.add_bar(
            x=centres,
            y=curve.counts / curve.counts.sum(),
            marker_color=colour(index),
            opacity=0.6,
            name=f"{name}: share of predictions",
            row=2,
            col=1,
            showlegend=False,
        )
    figure.update_yaxes(title="accuracy", range=[0, 1], row=1, col=1)
    figure.update_yaxes(title="share", row=2, col=1)
    figure.update_xaxes(title="confidence", range=[0, 1], row=2, col=1)
    figure.update_layout(barmode="group")
    return sized(figure, 480)
