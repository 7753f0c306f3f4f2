"""Test images under the plausible changes of pose and illumination the augmentation slide argues about.

The slide: a classifier has to be invariant to pose, appearance and illumination, so synthesize training data
that simulates them. Here the *test* images are transformed, at growing strength, and a network's accuracy is
measured on them: a network that learned the invariance keeps its accuracy. Each transformed test set is fixed
by a seed (which images shift left or right, rotate clockwise or counter-clockwise, get brighter or darker),
so every network is tested on exactly the same images. Parameters are drawn first (``draw_signs``) and applied
by torchvision's functional kernels, batched per drawn value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
import torchvision.transforms.v2.functional as TF
from PIL import Image
from plotly.subplots import make_subplots

from core.data import normalize, to_display
from core.figures import DASHES, SYMBOLS, band, colour, sized
from core.models import SmallCNN


@dataclass(frozen=True)
class Family:
    label: str  # as a page names it
    unit: str  # of the strengths, for an axis title
    short: str  # a strength's unit in a sentence ("4 px")
    strengths: tuple[float, ...]  # tested strengths, 0 (the clean test set) excluded


FAMILIES: dict[str, Family] = {
    "shift": Family("shift", "pixels", "px", (2, 4)),
    "rotation": Family("rotation", "± degrees", "°", (10, 20)),
    "brightness": Family("brightness", "± %", "%", (20, 40)),
    "contrast": Family("contrast", "± %", "%", (20, 40)),
    "mirror": Family("mirror", "0 no, 1 yes", "", (1,)),
}
SHIFT_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # right, left, down, up


def draw_signs(count: int, family: str, seed: int) -> np.ndarray:
    """Per image: which way the transformation goes (a shift direction index, or ±1); the same for every strength."""
    rng = np.random.default_rng([seed, list(FAMILIES).index(family)])
    if family == "shift":
        return rng.integers(len(SHIFT_DIRECTIONS), size=count)
    return rng.choice(np.array([-1, 1]), size=count)


def _apply(pixels: torch.Tensor, family: str, strength: float, sign: int) -> torch.Tensor:
    """One transformation of uint8 images (B, 1, 28, 28), all the same way; the background stays black."""
    if family == "shift":
        dx, dy = (int(strength) * d for d in SHIFT_DIRECTIONS[sign])
        return TF.affine(pixels, angle=0.0, translate=[dx, dy], scale=1.0, shear=[0.0, 0.0])
    if family == "rotation":
        return TF.rotate(pixels, sign * float(strength))
    if family == "brightness":
        return TF.adjust_brightness(pixels, 1 + sign * strength / 100)
    if family == "contrast":
        return TF.adjust_contrast(pixels, 1 + sign * strength / 100)
    if family == "mirror":
        return TF.horizontal_flip(pixels)
    raise ValueError(f"unknown transformation {family!r}; choose one of {list(FAMILIES)}")


def transformed(pixels: torch.Tensor, family: str, strength: float, signs: np.ndarray) -> torch.Tensor:
    """uint8 images (N, 1, 28, 28), each transformed its own drawn way at ``strength``: same shape and dtype."""
    out = torch.empty_like(pixels)
    for sign in np.unique(signs):
        index = torch.from_numpy(np.flatnonzero(signs == sign))
        out[index] = _apply(pixels[index], family, strength, int(sign))
    return out


def transformed_set(pixels: torch.Tensor, family: str, strength: float, seed: int) -> torch.Tensor:
    """One transformed test set of uint8 images (N, 1, 28, 28), each image transformed its drawn way."""
    return transformed(pixels, family, strength, draw_signs(len(pixels), family, seed))


def transformed_sets(pixels: torch.Tensor, seed: int) -> dict[str, list[torch.Tensor]]:
    """Every transformed test set: family -> one uint8 (N, 1, 28, 28) tensor per strength."""
    sets = {}
    for family, spec in FAMILIES.items():
        signs = draw_signs(len(pixels), family, seed)
        sets[family] = [transformed(pixels, family, strength, signs) for strength in spec.strengths]
    return sets


@torch.inference_mode()
def predictions(model: SmallCNN, pixels: torch.Tensor, batch: int = 250) -> torch.Tensor:
    """Predicted classes of uint8 images (N, 1, 28, 28): (N,). The caller passes a model in eval mode."""
    return torch.cat([model(normalize(pixels[i : i + batch])).argmax(1) for i in range(0, len(pixels), batch)])


def invariance_report(model: SmallCNN, pixels: torch.Tensor, labels: torch.Tensor, seed: int) -> dict[str, list]:
    """Accuracy on the clean images (key ``clean``) and on each family's transformed sets, strength by strength."""
    report: dict[str, list] = {"clean": [float((predictions(model, pixels) == labels).float().mean())]}
    for family, sets in transformed_sets(pixels, seed).items():
        report[family] = [float((predictions(model, images) == labels).float().mean()) for images in sets]
    return report


def mean_transformed_accuracy(report: dict[str, list], families: Sequence[str] = tuple(FAMILIES)) -> float:
    """The accuracy averaged over the families' transformed test sets (each family and strength weighs the same)."""
    return float(np.mean([value for family in families for value in report[family]]))


def invariance_series(
    reports: dict[str, list[dict[str, list]]],
) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Per training choice (one report per seed): {family: (strengths with 0 first, mean, std over seeds)}."""
    series = {}
    for label, seeds in reports.items():
        by_family = {}
        for family, spec in FAMILIES.items():
            values = np.array([report["clean"] + report[family] for report in seeds])  # (seeds, 1 + strengths)
            by_family[family] = (np.array((0, *spec.strengths)), values.mean(0), values.std(0, ddof=1))
        series[label] = by_family
    return series


def invariance_figure(
    series: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]], x_titles: Mapping[str, str]
) -> go.Figure:
    """Accuracy against transformation strength, one subplot per transformation: ``series`` maps a training
    choice to {transformation: (strengths, mean, std)}; each choice keeps one colour, dash and marker, with a
    ±1 std band. Every subplot has the same accuracy range, so the panels compare at a glance."""
    families = list(x_titles)
    figure = make_subplots(rows=1, cols=len(families), subplot_titles=families, horizontal_spacing=0.04)
    low = min(float(np.min(mean - std)) for by_family in series.values() for _, mean, std in by_family.values())
    for index, (label, by_family) in enumerate(series.items()):
        for column, family in enumerate(families, start=1):
            x, mean, std = by_family[family]
            x = list(x)
            figure.add_trace(band(x, mean, std, colour(index), label, 0.2), row=1, col=column)
            figure.add_scatter(
                x=x,
                y=mean,
                mode="lines+markers",
                line=dict(color=colour(index), dash=DASHES[index % len(DASHES)]),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=8),
                name=label,
                legendgroup=label,
                showlegend=column == 1,
                hovertemplate=f"{label}<br>%{{x}}: %{{y:.1%}}<extra></extra>",
                row=1,
                col=column,
            )
            figure.update_xaxes(title=x_titles[family], tickvals=x, row=1, col=column)
    # One range for all: only the first panel needs tick labels (a phone's stacked panels get theirs back).
    figure.update_yaxes(range=[max(0.0, low - 0.03), 1.0], tickformat=".0%", showticklabels=False)
    figure.update_yaxes(title="test accuracy", showticklabels=True, row=1, col=1)
    return sized(figure, 400)


# One test item as a student moves it: (label, family, strength, which way), "which way" as in _apply;
# family None: the item as it is.
ITEM_VIEWS: tuple[tuple[str, str | None, float, int], ...] = (
    ("as tested", None, 0, 1),
    ("2 px right", "shift", 2, 0),
    ("4 px left", "shift", 4, 1),
    ("4 px down", "shift", 4, 2),
    ("rotated 20°", "rotation", 20, 1),
    ("mirrored", "mirror", 1, 1),
    ("40 % darker", "brightness", 40, -1),
    ("40 % less contrast", "contrast", 40, -1),
)


def item_views(pixels: torch.Tensor) -> tuple[list[str], torch.Tensor]:
    """One uint8 item (1, 28, 28) under each of ITEM_VIEWS: the labels and the views (V, 1, 28, 28)."""
    views = [
        pixels if family is None else _apply(pixels[None], family, strength, way)[0]
        for _, family, strength, way in ITEM_VIEWS
    ]
    return [label for label, *_ in ITEM_VIEWS], torch.stack(views)


@torch.inference_mode()
def view_predictions(model: SmallCNN, views: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class and its probability for each uint8 view (V, 1, 28, 28): (V,) and (V,)."""
    probs = torch.softmax(model(normalize(views)), dim=1)
    confidence, predicted = probs.max(dim=1)
    return predicted.numpy(), confidence.numpy()


@dataclass(frozen=True)
class ItemView:
    label: str  # how the item was moved
    picture: Image.Image  # what the networks see, enlarged
    answers: list[str]  # per network, e.g. "✓ without: Sneaker 99 %" (✗ when wrong)


def item_answers(
    pixels: torch.Tensor, truth: int, models: dict[str, SmallCNN], classes: Sequence[str]
) -> list[ItemView]:
    """One uint8 item (1, 28, 28) of class ``truth`` under each of ITEM_VIEWS, with each named model's answer."""
    labels, views = item_views(pixels)
    found = {name: view_predictions(model, views) for name, model in models.items()}
    return [
        ItemView(
            label,
            to_display(normalize(views[index]), scale=4),
            [
                f"{'✓' if predicted[index] == truth else '✗'} {name}: {classes[predicted[index]]} "
                f"{confidence[index]:.0%}"
                for name, (predicted, confidence) in found.items()
            ],
        )
        for index, label in enumerate(labels)
    ]
