"""Why dropout before BatchNorm is trouble (Li et al., 2019, "Understanding the disharmony between dropout and batch
normalization by variance shift"): a BatchNorm layer learns its running variance from what dropout leaves in
training, but at test time dropout is off and its input varies less, so the layer scales its output down.

Measured on real activations: the shipped main model's embeddings of the test items (the units its own dropout acts
on), fed through a fresh ``nn.Dropout`` and ``nn.BatchNorm1d`` in both orders, the layers' own train and eval modes.
The MC Dropout Lab's *Dropout basics* tab shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from core.figures import PALETTE, axis, sized
from core.rng import RngStream

TRAINING_BATCH = 100  # images per training step whose statistics the BatchNorm layer averages
ARRANGEMENTS = ("dropout → BatchNorm", "BatchNorm → dropout")


@dataclass(frozen=True)
class VarianceShift:
    p: float  # the dropout probability
    output_std: dict[str, np.ndarray]  # arrangement -> (H,) per unit: std of BatchNorm's output at test time
    stored_over_test: np.ndarray  # (H,) per unit, dropout first: BatchNorm's running variance / its input's at test
    predicted: np.ndarray  # (H,) the same ratio from the input's mean and variance alone: 1/(1−p) + p/(1−p)·m²/v

    def sentence(self) -> str:
        before, after = (float(np.median(self.output_std[a])) for a in ARRANGEMENTS)
        stored, predicted = np.median(self.stored_over_test), np.median(self.predicted)
        return (
            f"With dropout (p = {self.p}) before it, the BatchNorm layer stores a variance {stored:.2f} times "
            f"(median over units) what its input has at test time, when dropout is off (from the input's mean and "
            f"variance alone: {predicted:.2f}); so at test time its outputs spread with a standard deviation of "
            f"{before:.2f} instead of the 1 it was trained on. With BatchNorm first (dropout after it): {after:.2f}. "
            "What this shift costs a trained network is not measured here (that needs networks trained both ways); "
            "Li et al. report lower test accuracy from it."
        )


@torch.inference_mode()
def _test_output_std(
    features: torch.Tensor, dropout_first: bool, p: float, seed: int
) -> tuple[np.ndarray, nn.BatchNorm1d]:
    """Train a fresh BatchNorm's running statistics through one epoch of ``features`` (with dropout before it or
    not), then the per-unit std of its output in eval mode, dropout off."""
    dropout, norm = nn.Dropout(p), nn.BatchNorm1d(features.shape[1], momentum=None, affine=False)  # momentum None:
    # the running statistics are the plain average over the training batches, not an exponential one
    order = torch.randperm(len(features), generator=torch.Generator().manual_seed(seed))  # batches of mixed classes
    with RngStream(seed).active():
        for batch in features[order].split(TRAINING_BATCH):  # (B, H)
            norm(dropout(batch) if dropout_first else batch)
    dropout.eval(), norm.eval()
    return norm(features).std(dim=0).numpy(), norm


def variance_shift(features: torch.Tensor, p: float, seed: int) -> VarianceShift:
    """``features``: real activations (N, H) as a layer hands them on; ``seed`` draws the training masks.

    BatchNorm → dropout: the BatchNorm layer never sees dropout, so its statistics are its test input's; the
    dropout after it changes what the *next* layer sees in training, which has no statistics to get wrong.
    """
    dropped, norm = _test_output_std(features, True, p, seed)
    clean, _ = _test_output_std(features, False, p, seed)
    variance = features.var(dim=0, unbiased=False)  # (H,) what each unit varies by at test time
    used = variance > 0  # a unit that never fires has no variance to shift
    test_var = variance[used]
    mean = features.mean(dim=0)[used]
    predicted = 1 / (1 - p) + p / (1 - p) * mean**2 / test_var
    return VarianceShift(
        p,
        {ARRANGEMENTS[0]: dropped[used.numpy()], ARRANGEMENTS[1]: clean[used.numpy()]},
        (norm.running_var[used] / test_var).numpy(),
        predicted.numpy(),
    )


def variance_shift_figure(found: VarianceShift) -> go.Figure:
    """Per unit, the std of BatchNorm's output at test time, for both orders: 1 is what training normalized to."""
    traces = [
        go.Histogram(
            x=values, name=name, marker_color=PALETTE[index], opacity=0.75, xbins=dict(start=0, end=1.5, size=0.025)
        )
        for index, (name, values) in enumerate(found.output_std.items())
    ]
    layout = dict(
        barmode="overlay",
        xaxis=axis("test-time std of BatchNorm's output<br>(per unit; training: 1)", range=[0, 1.5]),
        yaxis=axis("units"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        shapes=[dict(type="line", x0=1, x1=1, yref="paper", y0=0, y1=1, line=dict(dash="dash", color="grey"))],
    )
    return sized(go.Figure(traces, layout), 320)
