"""Drawing, applying and describing the random parameters of one torchvision transform.

To show *what was drawn* for each sample, drawing is kept apart from applying, as in torchvision's own
``make_params`` / ``transform`` split: :func:`draw_params` makes exactly the random draws that the transform's
``forward`` makes, in the same order, and :func:`apply_params` applies them with torchvision's own code;
:func:`describe_draw` puts the draws in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from torchvision.transforms.v2._transform import _RandomApplyTransform

from core.auto_augment import AutoAugment, apply_op, draw_augmix, draw_auto_augment, draw_ops
from core.rng import RngStream

# PIL between steps; a (C, H, W) uint8 tensor inside core.augment's _on_tensor steps.
Picture = Image.Image | torch.Tensor
# Transforms that only convert PIL <-> tensor (for those torchvision applies to tensors only): nothing to draw.
CONVERSIONS = (v2.PILToTensor, v2.ToPILImage)
# Transforms whose forward draws inside the kernel (no make_params): the draws are mirrored to describe them,
# and applying replays torchvision's own forward from the generator state they started at.
REPLAYED = (v2.AugMix, v2.GaussianNoise)


def draw_params(transform: v2.Transform, image: Picture) -> dict[str, Any] | None:
    """Make the random draws ``transform(image)`` would make, from torch's global generator.

    Returns None for a random-apply transform whose coin said "skip".
    """
    height, width = F.get_size(image)
    if isinstance(transform, REPLAYED):
        state = torch.get_rng_state()
        if isinstance(transform, v2.AugMix):
            return {"rng_state": state, **draw_augmix(transform, height, width)}
        noise = torch.randn_like(image, dtype=torch.float32)  # (C, H, W), as the uint8 kernel draws it
        return {"rng_state": state, "noise_range": (float(noise.min()), float(noise.max()))}
    if isinstance(transform, v2.AutoAugment):
        return draw_auto_augment(transform, height, width)
    if isinstance(transform, (v2.TrivialAugmentWide, v2.RandAugment)):
        return {"ops": draw_ops(transform, height, width)}
    # _RandomApplyTransform.forward tosses its coin before make_params; mirror that order exactly.
    if isinstance(transform, _RandomApplyTransform) and torch.rand(1) >= transform.p:
        return None
    return transform.make_params([image])


def apply_params(transform: v2.Transform, image: Picture, params: dict[str, Any] | None) -> Picture:
    if params is None:
        return image
    if "rng_state" in params:
        replay = RngStream(0)
        replay.state = params["rng_state"]
        with replay.active():
            return transform(image)
    if isinstance(transform, AutoAugment):
        for op in params["ops"]:
            image = apply_op(transform, image, op)
        return image
    return transform.transform(image, params)


def _perspective_corners(coefficients: Sequence[float], height: int, width: int) -> np.ndarray:
    """Where the image corners went: torchvision's coefficients map output to input points, so invert them."""
    a, b, c, d, e, f, g, h = coefficients
    to_input = np.array([[a, b, c], [d, e, f], [g, h, 1.0]])
    corners = np.array([[0, 0, 1], [width - 1, 0, 1], [width - 1, height - 1, 1], [0, height - 1, 1]], float)
    moved = corners @ np.linalg.inv(to_input).T
    return moved[:, :2] / moved[:, 2:] - corners[:, :2]


def _describe_color_jitter(params: dict[str, Any]) -> str:
    names = ("brightness", "contrast", "saturation", "hue")
    parts = []
    for index in params["fn_idx"]:
        name = names[int(index)]
        factor = params[f"{name}_factor"]
        if factor is not None:
            parts.append(f"hue {factor:+.3f}" if name == "hue" else f"{name} ×{factor:.2f}")
    return ", ".join(parts) or "no change"


def _describe_augmix(params: dict[str, Any]) -> str:
    """The shares of the photo and of each edited copy (they sum to 100 %), with the copy's edits in order."""
    copies = [
        f"{weight:.0%} copy {index} ({' → '.join(op.describe() for op in chain)})"
        for index, (weight, chain) in enumerate(zip(params["weights"], params["chains"]), start=1)
    ]
    return f"{params['original']:.0%} the photo + " + " + ".join(copies)


def _describe_auto_augment(params: dict[str, Any]) -> str:
    applied = [op.describe() for op in params["ops"]] + [f"{name} skipped (coin)" for name in params["skipped"]]
    return f"sub-policy {params['policy'] + 1}/{params['of']}: " + " → ".join(applied)


def describe_draw(transform: v2.Transform, params: dict[str, Any] | None, image: Picture) -> str | None:
    """What was drawn, in words, e.g. ``Rotate, bin 17/30, sign −: −76.5°``; None for a mere conversion."""
    height, width = F.get_size(image)
    if isinstance(transform, CONVERSIONS):
        return None
    if isinstance(transform, (v2.RandomHorizontalFlip, v2.RandomVerticalFlip)):
        return "flipped" if params is not None else "not flipped"
    if params is None:
        return "not applied (coin)"
    if isinstance(transform, v2.AugMix):
        return _describe_augmix(params)
    if isinstance(transform, v2.GaussianNoise):
        low, high = (transform.mean + transform.sigma * value for value in params["noise_range"])
        return f"noise N({transform.mean:g}, {transform.sigma:g}²) per value, drawn from {low:+.2f} to {high:+.2f}"
    if isinstance(transform, v2.AutoAugment):
        return _describe_auto_augment(params)
    if isinstance(transform, AutoAugment):
        return " → ".join(op.describe() for op in params["ops"])
    if isinstance(transform, v2.RandomResizedCrop):
        scale = params["height"] * params["width"] / (height * width)
        ratio = params["width"] / params["height"]
        return (
            f"window {params['width']}×{params['height']} at ({params['left']}, {params['top']}), "
            f"scale {scale:.2f}, ratio {ratio:.2f}"
        )
    if isinstance(transform, v2.RandomCrop):
        padded = ", padded" if params["needs_pad"] else ""
        return f"crop at ({params['left']}, {params['top']}){padded}"
    if isinstance(transform, v2.RandomShortestSize):
        # torchvision truncates the scaled sides, so the produced short side can be L − 1: show what it made.
        new_height, new_width = params["size"]
        return f"short side {min(new_height, new_width)} px → {new_width}×{new_height}"
    if isinstance(transform, v2.ColorJitter):
        return _describe_color_jitter(params)
    if isinstance(transform, v2.RandomRotation):
        return f"rotated {params['angle']:+.1f}°"
    if isinstance(transform, v2.RandomAffine):
        shift_x, shift_y = params["translate"]
        return (
            f"rotated {params['angle']:+.1f}°, shifted ({shift_x:+d}, {shift_y:+d}) px, "
            f"zoom ×{params['scale']:.2f}, shear {params['shear'][0]:+.1f}°"
        )
    if isinstance(transform, v2.RandomPerspective):
        moved = np.hypot(*_perspective_corners(params["coefficients"], height, width).T)
        return f"corners moved by {moved.min():.0f}–{moved.max():.0f} px"
    if isinstance(transform, v2.ElasticTransform):
        # The displacement is in grid_sample's [-1, 1] units: half the width (height) per unit.
        shift = params["displacement"][0] * torch.tensor([width / 2, height / 2])  # (H, W, 2) in px
        return f"pixels moved by up to {float(shift.norm(dim=-1).max()):.1f} px"
    if isinstance(transform, v2.GaussianBlur):
        return f"σ = {params['sigma'][0]:.2f}"
    if isinstance(transform, v2.JPEG):
        return f"quality {params['quality']}"
    if isinstance(transform, v2.RandomErasing):
        if params["v"] is None:
            return "no rectangle fitted in 10 tries: unchanged"
        return f"erased {params['w']}×{params['h']} at ({params['j']}, {params['i']})"
    if isinstance(transform, v2.RandomGrayscale):
        return "greyscale"
    return "applied"  # random-apply transforms without parameters (invert, posterize, …): the coin said yes
