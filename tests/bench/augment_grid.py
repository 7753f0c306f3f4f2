"""Benchmark: the Augmentation Studio's grid, 32 samples of a 1024 px photo through the default pipeline.

Draw-then-apply (what the Studio does, so it can show every draw) against torchvision's own ``v2.Compose``
called 32 times after ``torch.manual_seed`` (the same pictures, tested elsewhere); and the whole cached
grid as the page builds it, with the JPEGs at display size. Targets: draw-then-apply within 1.25x of
torchvision's own calls; the page's grid under 1 s.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torchvision.transforms import v2

from core.images import display_jpeg, load_image
from core.pipeline import chain_from_state, sample_grid
from tests.bench.mc_dropout import best_of

SAMPLES = 32
PHOTO = Path(__file__).parents[2] / "sample_images" / "hubble.jpg"  # the largest sample, 1000×872
SIDE = 1024  # the working size an upload is brought to
DISPLAY_SIDE = 320  # as pages/augmentation_studio.py


def report(quick: bool = False) -> None:
    repeats = 1 if quick else 5
    photo = load_image(PHOTO.read_bytes()).image
    image = photo.resize((SIDE, round(SIDE * photo.height / photo.width)))
    chain = chain_from_state({})
    compose = v2.Compose([transform for item in chain for transform in item.augmentation.build(item.values)])

    def torchvision_calls() -> None:
        torch.manual_seed(0)
        [compose(image) for _ in range(SAMPLES)]

    def page_grid() -> None:
        [display_jpeg(sample.image, DISPLAY_SIDE) for sample in sample_grid(image, chain, SAMPLES, seed=0)]

    ours = best_of(lambda: sample_grid(image, chain, SAMPLES, seed=0), repeats)
    theirs = best_of(torchvision_calls, repeats)
    page = best_of(page_grid, repeats)
    print(f"\n## Augmentation grid: {SAMPLES} samples of a {image.width}×{image.height} photo (best of {repeats})")
    print(f"torchvision v2.Compose, {SAMPLES} calls     {theirs:8.1f} ms")
    verdict = "ok" if ours <= 1.25 * theirs else "MISSED"
    print(f"draw-then-apply (shows every draw) {ours:8.1f} ms  {ours / theirs:.2f}x  target ≤ 1.25x  {verdict}")
    print(f"page grid incl. JPEGs at {DISPLAY_SIDE} px     {page:8.1f} ms  target < 1000 ms  "
          f"{'ok' if page < 1000 else 'MISSED'}")  # fmt: skip
