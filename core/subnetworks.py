"""Dropout's "many models in one": one fixed dropout mask is one sub-network of the trained network, sharing its
weights. The MC Dropout Lab's *Dropout basics* tab compares two such sub-networks with each other and with the
whole network (dropout off) on the shipped test images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch

from core.figures import sized
from core.models import SmallCNN


@dataclass(frozen=True)
class SubNetworks:
    """Two sub-networks (fixed masks) and the whole network on the same test images: which items each gets right."""

    first: np.ndarray  # (N,) bool: sub-network A right
    second: np.ndarray  # (N,) bool: sub-network B right
    agree: float  # share of items on which A and B give the same answer (right or wrong)
    whole: float  # accuracy with dropout off, every unit kept (PyTorch's inverted dropout needs no rescaling)
    averaged: float  # accuracy of A and B's probabilities averaged: an ensemble of two
    kept: float  # share of the dropout layer's units each mask keeps, measured

    def sentence(self) -> str:
        return (
            f"Sub-network A (one fixed mask, {self.kept:.0%} of the units kept) gets {self.first.mean():.1%} of the "
            f"test items right, sub-network B (another mask) {self.second.mean():.1%}; they give the same answer on "
            f"{self.agree:.1%} of the items. Averaging the two gives {self.averaged:.1%}, the whole network with "
            f"dropout off {self.whole:.1%}."
        )


@torch.inference_mode()
def subnetworks(model: SmallCNN, features: torch.Tensor, labels: np.ndarray, seed: int) -> SubNetworks:
    """Two masks drawn with ``seed``, each applied to every item (one sub-network, not a fresh mask per item).

    ``features``: the model's embeddings (B, H), before its dropout layer. Units kept are scaled by 1 / (1 − p), as
    nn.Dropout does in training, so each sub-network is what one training step saw.
    """
    keep = 1.0 - model.dropout.p
    generator = torch.Generator().manual_seed(seed)
    masks = (torch.rand(2, features.shape[1], generator=generator) < keep).to(features.dtype)  # (2, H)
    probs = [torch.softmax(model.head(features * mask / keep), dim=1) for mask in masks]  # 2 × (B, 10)
    answers = [p.argmax(1).numpy() for p in probs]
    whole = model.head(features).argmax(1).numpy()
    averaged = ((probs[0] + probs[1]) / 2).argmax(1).numpy()
    return SubNetworks(
        answers[0] == labels,
        answers[1] == labels,
        float(np.mean(answers[0] == answers[1])),
        float(np.mean(whole == labels)),
        float(np.mean(averaged == labels)),
        float(masks.mean()),
    )


def agreement_figure(found: SubNetworks) -> go.Figure:
    """How the test items split: both sub-networks right, only one, or neither."""
    counts = {
        "both right": np.sum(found.first & found.second),
        "only A right": np.sum(found.first & ~found.second),
        "only B right": np.sum(~found.first & found.second),
        "both wrong": np.sum(~found.first & ~found.second),
    }
    figure = go.Figure(go.Bar(x=list(counts), y=[int(v) for v in counts.values()], marker_color="#0072B2"))
    figure.update_yaxes(title="test items")
    return sized(figure, 300)
