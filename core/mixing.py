"""CutMix and MixUp on a small batch: the mixed images and the mixed label vectors, from torchvision itself.

Both transforms pair every image with the one before it in the batch (torchvision rolls the batch by one)
and draw one λ for the whole batch; CutMix also draws a box. As in :mod:`core.draws`, the draws
(``make_params``) are kept apart from applying them (``transform``), so the page can show λ and the box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from core.images import display_jpeg
from core.rng import RngStream

MIXERS = {"CutMix": v2.CutMix, "MixUp": v2.MixUp}
MIX_NAMES = ("cat", "coffee", "rocket", "astronaut")  # the Studio's batch of sample photos, each its own class
MIX_SIDE = 224  # px, the batch's square crops


@dataclass(frozen=True)
class MixedBatch:
    images: list[Image.Image]  # the mixed batch, in the input's order
    labels: torch.Tensor  # (B, K) the label vectors torchvision returns
    lam: float  # the weight of each image's own label (CutMix: after fitting the box in the image)
    box: tuple[int, int, int, int] | None  # CutMix's pasted box (x1, y1, x2, y2); None for MixUp
    partners: list[int]  # partners[i]: the batch index image i is mixed with


def batch_tensor(images: Sequence[Image.Image], side: int) -> torch.Tensor:
    """Square crops of the images as one float batch in [0, 1], shape (B, 3, side, side)."""
    crops = [F.center_crop(F.resize(image, side), [side, side]) for image in images]
    return torch.stack([F.to_dtype(F.pil_to_tensor(crop), torch.float32, scale=True) for crop in crops])


def mix_batch(images: Sequence[Image.Image], kind: str, alpha: float, seed: int, side: int = 224) -> MixedBatch:
    """``MIXERS[kind](alpha=alpha, num_classes=B)`` on the images with labels 0 … B−1, under ``seed``.

    The same as ``torch.manual_seed(seed)`` and one call of the transform on ``(batch, labels)``.
    """
    batch = batch_tensor(images, side)  # (B, 3, side, side)
    labels = torch.arange(len(images))  # each photo is its own class
    mixer = MIXERS[kind](alpha=alpha, num_classes=len(images))
    with RngStream(seed).active():
        drawn = mixer.make_params([batch])
    # forward's params: the draws plus the labels (matched by identity) and the batch size.
    params = {"labels": labels, "batch_size": len(images), **drawn}
    mixed = mixer.transform(batch, params)  # (B, 3, side, side)
    mixed_labels = mixer.transform(labels, params)  # (B, K)
    pictures = [F.to_pil_image(F.to_dtype(image, torch.uint8, scale=True)) for image in mixed]
    lam = drawn["lam_adjusted"] if kind == "CutMix" else drawn["lam"]
    partners = [(index - 1) % len(images) for index in range(len(images))]
    return MixedBatch(pictures, mixed_labels, lam, drawn.get("box"), partners)


def mixed_cells(
    images: Sequence[Image.Image], kind: str, alpha: float, seed: int, names: Sequence[str], side: int
) -> tuple[list[tuple[bytes, str]], MixedBatch]:
    """:func:`mix_batch` as the Studio shows it: (JPEG, caption) per mixed image, and the batch."""
    mixed = mix_batch(images, kind, alpha, seed, side)
    return list(zip([display_jpeg(image, side) for image in mixed.images], captions(mixed, names))), mixed


def captions(mixed: MixedBatch, names: Sequence[str]) -> list[str]:
    """Per mixed image: which photos it mixes, and the label vector torchvision gives it, in words."""
    return [
        f"**{names[index]}** with {names[partner]}  \nlabel: {label_text(mixed.labels[index], names)}"
        for index, partner in enumerate(mixed.partners)
    ]


def label_text(vector: torch.Tensor, names: Sequence[str]) -> str:
    """A mixed label vector in words, largest share first, e.g. ``0.62 cat, 0.38 coffee``."""
    shares = sorted(((float(share), name) for share, name in zip(vector, names) if share > 0), reverse=True)
    return ", ".join(f"{share:.2f} {name}" for share, name in shares)


def mixing_code(kind: str, alpha: float, seed: int, names: Sequence[str], side: int) -> str:
    """A program that reproduces :func:`mix_batch` with torchvision's own transform."""
    return (
        "import torch\n"
        "from torchvision.transforms import v2\n\n"
        f"# batch: the photos {', '.join(names)}, each resized to a {side} px short side and\n"
        f"# centre-cropped, as a float tensor (B, 3, {side}, {side}) in [0, 1]; label i is photo i.\n"
        f"labels = torch.arange({len(names)})\n"
        f"mix = v2.{kind}(alpha={alpha!r}, num_classes={len(names)})\n"
        f"torch.manual_seed({seed})\n"
        "mixed, mixed_labels = mix(batch, labels)  # mixed_labels: (B, K), each row sums to 1\n"
    )
