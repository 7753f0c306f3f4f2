"""When an augmentation changes the label: a rendered digit 6, flipped and rotated.

The verdict for each view is computed, not asserted: the augmented 6 is compared with rendered templates of
a 6 and a 9 by normalized correlation, a crude nearest-template classifier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from torchvision.transforms.v2 import functional as F

DIGIT_SIDE = 112  # px; MNIST-like white digit on black


def render_digit(digit: str, side: int = DIGIT_SIDE) -> Image.Image:
    """A white digit centred on black, drawn with Pillow's bundled font (no font files needed)."""
    image = Image.new("L", (side, side), 0)
    font = ImageFont.load_default(size=int(side * 0.85))
    ImageDraw.Draw(image).text((side / 2, side / 2), digit, fill=255, font=font, anchor="mm")
    return image.convert("RGB")


@dataclass(frozen=True)
class LabelView:
    name: str  # the augmentation applied
    image: Image.Image
    similarity: dict[str, float]  # correlation with each template digit

    @property
    def looks_like(self) -> str:
        return max(self.similarity, key=self.similarity.get)


def _correlation(a: Image.Image, b: Image.Image) -> float:
    x = np.asarray(a.convert("L"), dtype=np.float64).ravel()
    y = np.asarray(b.convert("L"), dtype=np.float64).ravel()
    x, y = x - x.mean(), y - y.mean()
    return float(x @ y / np.sqrt((x @ x) * (y @ y)))


VIEWS: tuple[tuple[str, Callable[[Image.Image], Image.Image]], ...] = (
    ("original", lambda image: image),
    ("rotate 15°", lambda image: F.rotate(image, 15.0)),
    ("horizontal flip", F.horizontal_flip),
    ("vertical flip", F.vertical_flip),
    ("rotate 180°", lambda image: F.rotate(image, 180.0)),
)


def six_or_nine() -> list[LabelView]:
    """The digit 6 under each view of :data:`VIEWS`, scored against templates of 6 and 9."""
    templates = {digit: render_digit(digit) for digit in ("6", "9")}
    views = []
    for name, view in VIEWS:
        image = view(templates["6"])
        similarity = {digit: _correlation(image, template) for digit, template in templates.items()}
        views.append(LabelView(name, image, similarity))
    return views
