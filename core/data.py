"""Fashion-MNIST: the full set from Debian's files (for training) and the small subset shipped with the app.

Fashion-MNIST is © 2017 Zalando SE, MIT licence (see core/assets/FASHION_MNIST_LICENSE). On this project's
machines the Debian package ``dataset-fashion-mnist`` installs the four idx files; the app itself only
needs ``core/assets/fashion_mnist_subset.npz``, which ``python -m core.train`` writes from them.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
ASSETS = Path(__file__).parent / "assets"
SUBSET_PATH = ASSETS / "fashion_mnist_subset.npz"
# Pixel mean and std of the 60,000 training images (scaled to [0, 1]); a test recomputes them.
MEAN, STD = 0.2860, 0.3530
SUBSET_PER_CLASS = {"train": 400, "test": 200}  # 4,000 training and 2,000 test images


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # (N, 28, 28) uint8, light item on black
    labels: np.ndarray  # (N,) int64 class indices

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices: np.ndarray) -> Split:
        return Split(self.images[indices], self.labels[indices])

    def tensors(self, count: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The first ``count`` (default: all) items as network input (N, 1, 28, 28) and labels (N,)."""
        return to_tensor(self.images[:count]), torch.from_numpy(self.labels[:count])


def read_idx(path: Path) -> np.ndarray:
    """Parse an idx file (optionally gzipped): magic, dimensions, then unsigned bytes."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if raw[:2] != b"\0\0" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an idx file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_debian(directory: Path = DEBIAN_DIR) -> dict[str, Split]:
    """The full training (60,000) and test (10,000) sets from the Debian package's files."""
    prefixes = {"train": "train", "test": "t10k"}
    return {
        split: Split(
            read_idx(directory / f"{prefix}-images-idx3-ubyte.gz"),
            read_idx(directory / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64),
        )
        for split, prefix in prefixes.items()
    }


def stratified_indices(labels: np.ndarray, per_class: int) -> np.ndarray:
    """The first ``per_class`` indices of every class, in dataset order (deterministic, balanced)."""
    chosen = [np.flatnonzero(labels == label)[:per_class] for label in range(len(CLASSES))]
    return np.sort(np.concatenate(chosen))


def write_subset(full: dict[str, Split], path: Path = SUBSET_PATH) -> None:
    arrays = {}
    for split, per_class in SUBSET_PER_CLASS.items():
        subset = full[split].take(stratified_indices(full[split].labels, per_class))
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = subset.images, subset.labels
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load_subset(path: Path = SUBSET_PATH) -> dict[str, Split]:
    """The shipped subset: 4,000 training and 2,000 test images, balanced over the ten classes."""
    with np.load(path) as arrays:
        return {split: Split(arrays[f"{split}_images"], arrays[f"{split}_labels"]) for split in SUBSET_PER_CLASS}


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 28, 28) -> normalized float (N, 1, 28, 28), as the networks were trained."""
    return normalize(torch.tensor(images).unsqueeze(1))


def normalize(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 pixels (N, 1, 28, 28) -> the networks' normalized float input, same shape."""
    return (pixels.to(torch.float32) / 255.0 - MEAN) / STD


def to_display(image: torch.Tensor, scale: int = 8) -> Image.Image:
    """A normalized (1, 28, 28) input back to greyscale pixels, enlarged without smoothing for display."""
    pixels = ((image.squeeze(0) * STD + MEAN) * 255).clamp(0, 255).round().to(torch.uint8).numpy()
    return Image.fromarray(pixels, "L").resize((28 * scale, 28 * scale), Image.Resampling.NEAREST)
