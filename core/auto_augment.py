"""The auto-augment operations (AutoAugment, RandAugment, TrivialAugmentWide, AugMix), read from torchvision.

These transforms make their random draws (which operations, at which magnitude bin, with which sign) inside
``forward`` rather than in ``make_params``. The ``draw_*`` functions make the same draws in the same order from
torch's global generator, so :mod:`core.draws` can say what was drawn and apply it with torchvision's own code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image
from torchvision.transforms import v2

AutoAugment = v2.AutoAugment | v2.TrivialAugmentWide | v2.RandAugment


@dataclass(frozen=True)
class AugmentOp:
    """One operation of an auto-augment space with the magnitude drawn for it."""

    name: str  # e.g. "Rotate"
    bin: int | None  # magnitude bin, None for operations without a magnitude
    num_bins: int
    signed: bool  # whether the operation draws a random sign
    negative: bool  # the sign drawn (always False for unsigned operations)
    magnitude: float  # signed value handed to torchvision

    def describe(self) -> str:
        if self.bin is None:
            return self.name
        sign = (", sign −" if self.negative else ", sign +") if self.signed else ""
        return f"{self.name}, bin {self.bin}/{self.num_bins - 1}{sign}: {format_magnitude(self.name, self.magnitude)}"


def augmentation_space(transform: v2.Transform) -> dict[str, tuple[Callable, bool]]:
    """The operation space, read from torchvision itself so it is exactly torchvision's."""
    return transform._AUGMENTATION_SPACE


def is_signed(transform: v2.Transform, name: str) -> bool:
    return augmentation_space(transform)[name][1]


def op_magnitudes(transform: v2.Transform, name: str, height: int, width: int, num_bins: int) -> torch.Tensor | None:
    """All magnitudes of operation ``name`` (one per bin), or None if it has none."""
    magnitudes_fn, _ = augmentation_space(transform)[name]
    return magnitudes_fn(num_bins, height, width)


def make_op(
    transform: v2.Transform, name: str, bin: int | None, negative: bool, height: int, width: int, num_bins: int
) -> AugmentOp:
    """Operation ``name`` at magnitude ``bin`` with the given sign, for an image of the given size."""
    signed = is_signed(transform, name)
    magnitudes = op_magnitudes(transform, name, height, width, num_bins)
    if magnitudes is None:
        return AugmentOp(name, None, num_bins, signed, False, 0.0)
    negative = negative and signed
    magnitude = float(magnitudes[bin])
    return AugmentOp(name, bin, num_bins, signed, negative, -magnitude if negative else magnitude)


def format_magnitude(name: str, magnitude: float) -> str:
    if name in ("ShearX", "ShearY"):
        return f"shear {magnitude:+.2f} ({math.degrees(math.atan(magnitude)):+.1f}°)"
    if name in ("TranslateX", "TranslateY"):
        return f"{int(magnitude):+d} px"  # torchvision shifts by int(magnitude) whole pixels
    if name == "Rotate":
        return f"{magnitude:+.1f}°"
    if name in ("Brightness", "Color", "Contrast", "Sharpness"):
        return f"factor {1.0 + magnitude:.2f}"
    if name == "Posterize":
        return f"keep {int(magnitude)} bits"
    if name == "Solarize":
        return f"invert above {magnitude:.0%} of white"
    return f"{magnitude:g}"


def _draw_op(
    transform: v2.Transform, name: str, height: int, width: int, num_bins: int, bin: int | None, drawn_bins: int
) -> AugmentOp:
    """The magnitude and sign draws torchvision makes for a chosen operation.

    ``bin`` is the policy's fixed bin, or None to draw one uniformly from the first ``drawn_bins``.
    """
    if op_magnitudes(transform, name, height, width, num_bins) is None:
        return make_op(transform, name, None, False, height, width, num_bins)
    if bin is None:
        bin = int(torch.randint(drawn_bins, ()))
    negative = is_signed(transform, name) and bool(torch.rand(()) <= 0.5)
    return make_op(transform, name, bin, negative, height, width, num_bins)


def draw_ops(transform: v2.TrivialAugmentWide | v2.RandAugment, height: int, width: int) -> list[AugmentOp]:
    """The draws of TrivialAugmentWide.forward / RandAugment.forward, in their order."""
    names = tuple(augmentation_space(transform))
    fixed_bin = transform.magnitude if isinstance(transform, v2.RandAugment) else None
    ops = []
    for _ in range(transform.num_ops if isinstance(transform, v2.RandAugment) else 1):
        name = names[int(torch.randint(len(names), ()))]
        bins = transform.num_magnitude_bins
        ops.append(_draw_op(transform, name, height, width, bins, fixed_bin, bins))
    return ops


AUTO_AUGMENT_BINS = 10  # AutoAugment's policies index magnitudes from 10 bins


def draw_auto_augment(transform: v2.AutoAugment, height: int, width: int) -> dict[str, Any]:
    """The draws of AutoAugment.forward: a sub-policy, then a coin per operation and its sign."""
    index = int(torch.randint(len(transform._policies), ()))
    ops, skipped = [], []
    for name, probability, bin in transform._policies[index]:
        if not torch.rand(()) <= probability:
            skipped.append(name)
            continue
        ops.append(_draw_op(transform, name, height, width, AUTO_AUGMENT_BINS, bin, AUTO_AUGMENT_BINS))
    return {"policy": index, "of": len(transform._policies), "ops": ops, "skipped": skipped}


def draw_augmix(transform: v2.AugMix, height: int, width: int) -> dict[str, Any]:
    """The draws of AugMix.forward in its order: the Beta blend m, the chain weights, then each chain's ops."""
    m = transform._sample_dirichlet(torch.tensor([transform.alpha, transform.alpha]).expand(1, -1))
    weights = transform._sample_dirichlet(torch.tensor([transform.alpha] * transform.mixture_width).expand(1, -1))
    weights = weights * m[:, 1].reshape([1, -1])
    space = transform._AUGMENTATION_SPACE if transform.all_ops else transform._PARTIAL_AUGMENTATION_SPACE
    names = tuple(space)
    chains = []
    for _ in range(transform.mixture_width):
        depth = transform.chain_depth if transform.chain_depth > 0 else int(torch.randint(low=1, high=4, size=(1,)))
        chain = []
        for _ in range(depth):
            name = names[int(torch.randint(len(names), ()))]
            bins = transform._PARAMETER_MAX
            chain.append(_draw_op(transform, name, height, width, bins, None, transform.severity))
        chains.append(chain)
    return {"original": float(m[0, 0]), "weights": [float(w) for w in weights[0]], "chains": chains}


def apply_op(transform: AutoAugment | v2.AugMix, image: Image.Image, op: AugmentOp) -> Image.Image:
    return transform._apply_image_or_video_transform(
        image, op.name, op.magnitude, interpolation=transform.interpolation, fill=transform._fill
    )


def trivial_augment_op(image: Image.Image, name: str, bin: int, negative: bool) -> tuple[Image.Image, AugmentOp]:
    """TrivialAugmentWide's operation ``name`` at magnitude ``bin`` and sign, applied by torchvision."""
    transform = v2.TrivialAugmentWide()
    op = make_op(transform, name, bin, negative, image.height, image.width, transform.num_magnitude_bins)
    return apply_op(transform, image, op), op


def trivial_augment_space(height: int, width: int) -> list[dict[str, str]]:
    """One row per operation of TrivialAugmentWide: its magnitudes from bin 0 to the last, and its sign."""
    transform = v2.TrivialAugmentWide()
    rows = []
    for name in augmentation_space(transform):
        magnitudes = op_magnitudes(transform, name, height, width, transform.num_magnitude_bins)
        if magnitudes is None:
            first = last = "no magnitude"
        else:
            first = format_magnitude(name, float(magnitudes[0]))
            last = format_magnitude(name, float(magnitudes[-1]))
        signed = "random ±" if is_signed(transform, name) else "—"
        rows.append({"operation": name, "bin 0": first, "bin 30": last, "sign": signed})
    return rows
