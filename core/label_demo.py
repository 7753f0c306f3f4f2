"""When an augmentation changes the label: a rendered digit 6, rotated, flipped and turned upside down.

The verdict for each view is computed, not asserted: the augmented 6 is compared with rendered templates of a
6, a 9 and their mirror images by normalized correlation, a crude nearest-template classifier. Glyphs are
compared inside their bounding boxes, and each template is tried at small tilts (±20°), so that a slightly
rotated 6 still matches the 6 and the scores separate clearly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from torchvision.transforms.v2 import functional as F

DIGIT_SIDE = 112  # px; MNIST-like white digit on black
COMPARE_SIDE = 32  # px; glyphs are compared at this size, inside their bounding boxes
TILTS = range(-20, 21, 5)  # degrees: small tilts of a template still count as that template


def render_digit(digit: str, side: int = DIGIT_SIDE) -> Image.Image:
    """A white digit centred on black, drawn with Pillow's bundled font (no font files needed)."""
    image = Image.new("L", (side, side), 0)
    font = ImageFont.load_default(size=int(side * 0.85))
    ImageDraw.Draw(image).text((side / 2, side / 2), digit, fill=255, font=font, anchor="mm")
    return image.convert("RGB")


# What each template means for the label: a 9 is another class, a mirrored digit is no digit at all.
TEMPLATES: dict[str, Callable[[], Image.Image]] = {
    "6": lambda: render_digit("6"),
    "9": lambda: render_digit("9"),
    "mirrored 6": lambda: F.horizontal_flip(render_digit("6")),
    "mirrored 9": lambda: F.horizontal_flip(render_digit("9")),
}
VERDICTS = {"6": "label kept", "9": "label changed", "mirrored 6": "not a digit", "mirrored 9": "not a digit"}


@dataclass(frozen=True)
class LabelView:
    name: str  # the augmentation applied
    image: Image.Image
    similarity: dict[str, float]  # best correlation with each template (over its small tilts)

    @property
    def looks_like(self) -> str:
        return max(self.similarity, key=self.similarity.get)

    @property
    def verdict(self) -> str:
        return VERDICTS[self.looks_like]


def _glyph(image: Image.Image) -> np.ndarray:
    """The glyph cut to its bounding box and resized, as a centred vector (for correlation)."""
    grey = image.convert("L")
    glyph = grey.crop(grey.getbbox()).resize((COMPARE_SIDE, COMPARE_SIDE), Image.BILINEAR)
    vector = np.asarray(glyph, dtype=np.float64).ravel()
    return vector - vector.mean()


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    return float(x @ y / np.sqrt((x @ x) * (y @ y)))


VIEWS: tuple[tuple[str, Callable[[Image.Image], Image.Image]], ...] = (
    ("original", lambda image: image),
    ("rotate 15°", lambda image: F.rotate(image, 15.0)),
    ("horizontal flip", F.horizontal_flip),
    ("vertical flip", F.vertical_flip),
    ("rotate 180°", lambda image: F.rotate(image, 180.0)),
)


def six_or_nine() -> list[LabelView]:
    """The digit 6 under each view of :data:`VIEWS`, scored against the templates."""
    tilted = {name: [_glyph(F.rotate(make(), float(angle))) for angle in TILTS] for name, make in TEMPLATES.items()}
    six = render_digit("6")
    views = []
    for name, view in VIEWS:
        image = view(six)
        glyph = _glyph(image)
        similarity = {template: max(_correlation(glyph, t) for t in tilts) for template, tilts in tilted.items()}
        views.append(LabelView(name, image, similarity))
    return views
