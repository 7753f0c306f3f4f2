"""The recap's softmax and sigmoid, on a real item: the trained network's ten scores, their exponentials, and those
normalized into probabilities; the sigmoid as the two-class softmax of a score against 0."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core.figures import colour, sized
from core.models import SmallCNN


@dataclass(frozen=True)
class SoftmaxSteps:
    """One item through softmax, step by step: (10,) each."""

    scores: np.ndarray  # z, the network's output (logits)
    exponentials: np.ndarray  # exp(z − max z): the shift leaves the ratios, and so the probabilities, unchanged
    probabilities: np.ndarray  # exp / Σ exp, equal to torch.softmax(z)
    true_class: int

    def sentence(self, classes: list[str]) -> str:
        """The slide's arithmetic with this item's numbers."""
        top = int(self.probabilities.argmax())
        sigmoid = float(torch.sigmoid(torch.tensor(self.scores[self.true_class])))
        return (
            f"True class *{classes[self.true_class]}*: score {self.scores[self.true_class]:.2f}, "
            f"exp {self.exponentials[self.true_class]:.3g} of Σ exp = {self.exponentials.sum():.3g}, so "
            f"p = {self.probabilities[self.true_class]:.1%}; the network's answer is *{classes[top]}* "
            f"({self.probabilities[top]:.1%}). A sigmoid of that score alone, σ(z) = 1 / (1 + e^−z), the "
            f"two-class softmax of z against 0, would give {sigmoid:.1%}: it ignores the other nine scores."
        )


@torch.inference_mode()
def softmax_steps(model: SmallCNN, image: torch.Tensor, true_class: int) -> SoftmaxSteps:
    """The shared model (eval mode, never changed) on one normalized (1, 28, 28) image."""
    scores = model(image.unsqueeze(0))[0].double()  # (10,)
    exponentials = torch.exp(scores - scores.max())
    probabilities = exponentials / exponentials.sum()
    return SoftmaxSteps(scores.numpy(), exponentials.numpy(), probabilities.numpy(), true_class)


def softmax_figure(steps: SoftmaxSteps, classes: list[str]) -> go.Figure:
    """Three bar charts over the ten classes: scores, exponentials, probabilities; the true class highlighted."""
    titles = ("scores z", "exp(z − max z)", "softmax: exp / Σ exp")
    figure = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06)
    colours = [colour(1) if i == steps.true_class else colour(0) for i in range(len(classes))]
    for column, values in enumerate((steps.scores, steps.exponentials, steps.probabilities), start=1):
        figure.add_bar(x=classes, y=values, marker_color=colours, showlegend=False, row=1, col=column)
    figure.update_yaxes(range=[0, 1], row=1, col=3)
    figure.update_xaxes(tickangle=-60)
    return sized(figure, 340)
