"""BatchNorm can learn to undo itself: with γ = σ_B and β = μ_B, y = γ·(x − μ_B)/σ_B + β gives back x. The BatchNorm
Lab's *BN formula* tab measures how far the shipped network's learned γ and β went towards that, per channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core.bn_lab import norm_inputs
from core.figures import colour, sized
from core.models import CNNConfig

NEAR = 0.25  # "near undoing": γ within 25 % of σ_B (relative), β within 25 % of σ_B of μ_B


@dataclass(frozen=True)
class Undo:
    """One BN layer's channels: its learned affine parameters beside the batch's statistics, (C,) each."""

    gamma: np.ndarray
    beta: np.ndarray
    sigma: np.ndarray  # √(σ_B² + ε): what the layer divides by
    mu: np.ndarray  # μ_B

    @property
    def near(self) -> int:
        """Channels whose γ and β are both near the values that would give the input back."""
        close_gamma = np.abs(self.gamma - self.sigma) <= NEAR * self.sigma
        close_beta = np.abs(self.beta - self.mu) <= NEAR * self.sigma
        return int(np.sum(close_gamma & close_beta))

    def sentence(self, layer: str) -> str:
        """What the numbers say, measured: how many channels sit near undoing, and how far γ and β moved."""
        ratio = self.gamma / self.sigma
        return (
            f"{layer}: {self.near} of {len(self.gamma)} channels have γ within {NEAR:.0%} of σ_B and β within "
            f"{NEAR:.0%} of σ_B from μ_B, the values that would undo the normalization. γ / σ_B ranges from "
            f"{ratio.min():.2f} to {ratio.max():.2f} (median {np.median(ratio):.2f}), σ_B itself from "
            f"{self.sigma.min():.2f} to {self.sigma.max():.2f}; from their start (γ = 1, "
            f"β = 0) γ moved by {np.abs(self.gamma - 1).mean():.2f} and β by {np.abs(self.beta).mean():.2f} on "
            "average."
        )


def undo_numbers(config: CNNConfig, state_dict: Mapping[str, torch.Tensor], images: torch.Tensor, layer: str) -> Undo:
    """One BN layer's γ, β and the batch's σ_B, μ_B per channel, from nn.BatchNorm2d's own input on ``images``."""
    (x, _), norm = norm_inputs(config, state_dict, images, layer)  # x: (B, C, H, W)
    x = x.double()
    sigma = torch.sqrt(x.var(dim=(0, 2, 3), unbiased=False) + norm.eps)
    return Undo(
        norm.weight.detach().double().numpy(),
        norm.bias.detach().double().numpy(),
        sigma.numpy(),
        x.mean(dim=(0, 2, 3)).numpy(),
    )


def undo_figure(found: Undo) -> go.Figure:
    """Per channel: γ against σ_B and β against μ_B; on the diagonal the layer would give its input back."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=("γ against σ_B", "β against μ_B"), horizontal_spacing=0.12)
    pairs = ((found.sigma, found.gamma, "σ_B", "γ"), (found.mu, found.beta, "μ_B", "β"))
    for column, (x, y, x_title, y_title) in enumerate(pairs, start=1):
        low, high = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
        figure.add_scatter(x=[low, high], y=[low, high], mode="lines", line=dict(color="#999999", dash="dash"),
                           name="undoes the normalization", showlegend=column == 1, row=1, col=column)  # fmt: skip
        figure.add_scatter(x=x, y=y, mode="markers", marker=dict(color=colour(0), size=9),
                           name="a channel", showlegend=column == 1, row=1, col=column)  # fmt: skip
        figure.update_xaxes(title=x_title, row=1, col=column)
        figure.update_yaxes(title=y_title, row=1, col=column)
    return sized(figure, 340)
