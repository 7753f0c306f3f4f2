"""The Studio's pipeline: a chain of augmentations, its seeded samples and the program that reproduces them.

Every sample is drawn with :func:`core.draws.draw_params` and applied with :func:`core.draws.apply_params`, so it
can say what it drew. The tests prove that a seeded grid equals ``torch.manual_seed(seed)`` followed by calls of
the plain ``v2.Compose``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image
from torchvision.transforms.v2 import functional as F

from core.augment import BY_TITLE, Augmentation, Param, Value
from core.draws import apply_params, describe_draw, draw_params
from core.images import display_jpeg
from core.rng import RngStream

DEFAULT_CHAIN = ("Horizontal flip", "RandomResizedCrop", "TrivialAugmentWide")  # titles: they are what URLs carry
DEFAULT_SAMPLE = "cat"  # the sample photo a session starts with
DEFAULT_COUNT = 8  # samples drawn
DISPLAY_SIDE = 320  # px sent to the browser per sample


@dataclass(frozen=True)
class ChainItem:
    augmentation: Augmentation
    values: Mapping[str, Value]


def param_key(augmentation: Augmentation, param: Param, prefix: str = "") -> str:
    """The widget key of one slider, also its name in the URL: ``<prefix><key>.<param>``, e.g. ``hflip.p``.

    Share links carry these keys: changing the format would silently reset the sliders of every saved link.
    """
    return f"{prefix}{augmentation.key}.{param.name}"


def chain_from_state(state: Mapping[str, Any]) -> list[ChainItem]:
    """The Studio's pipeline from its widget values (``chain``: titles, :func:`param_key`), defaults where unset.

    Unknown keys and invalid combinations are left out, as the Studio itself does.
    """
    chain = []
    for title in state.get("chain", DEFAULT_CHAIN):
        augmentation = BY_TITLE.get(title)
        if augmentation is None:
            continue
        values = augmentation.clean(
            {p.name: state.get(param_key(augmentation, p), p.default) for p in augmentation.params}
        )
        if augmentation.problem(values) is None:
            chain.append(ChainItem(augmentation, values))
    return chain


def chain_titles(chain: Sequence[ChainItem]) -> str:
    return ", ".join(item.augmentation.title for item in chain) or "none"


@dataclass(frozen=True)
class AugmentedSample:
    image: Image.Image
    drawn: tuple[str, ...]  # one line per augmentation of the chain: "title: what was drawn"


class AugmentationError(ValueError):
    """An augmentation torchvision cannot apply to the image it receives (e.g. a blur wider than the image)."""


def augment_once(image: Image.Image, chain: Sequence[ChainItem], stream: RngStream) -> AugmentedSample:
    drawn = []
    for item in chain:
        parts = []
        height, width = F.get_size(image)
        try:
            for transform in item.augmentation.build(item.values):
                with stream.active():  # only the draws hold the lock; applying runs in parallel
                    params = draw_params(transform, image)
                description = describe_draw(transform, params, image)
                if description is not None:
                    parts.append(description)
                image = apply_params(transform, image, params)
        except (ValueError, RuntimeError) as error:
            raise AugmentationError(
                f"torchvision cannot apply **{item.augmentation.title}** with these settings to the "
                f"{width}×{height} px image it receives ({error})"
            ) from error
        drawn.append(f"{item.augmentation.title}: {'; '.join(parts)}")
    return AugmentedSample(image, tuple(drawn))


def sample_grid(image: Image.Image, chain: Sequence[ChainItem], count: int, seed: int) -> list[AugmentedSample]:
    """``count`` augmented samples: the same as ``torch.manual_seed(seed)`` and ``count`` calls of the pipeline."""
    stream = RngStream(seed)
    return [augment_once(image, chain, stream) for _ in range(count)]


def display_samples(
    image: Image.Image, chain: Sequence[ChainItem], count: int, seed: int
) -> list[tuple[bytes, tuple[str, ...]]]:
    """:func:`sample_grid` as the page sends it: (JPEG, what was drawn) per sample."""
    samples = sample_grid(image, chain, count, seed)
    return [(display_jpeg(sample.image, DISPLAY_SIDE), sample.drawn) for sample in samples]


def sample_cells(
    original: bytes, size: tuple[int, int], samples: Sequence[tuple[bytes, tuple[str, ...]]], label: str
) -> list[tuple[bytes, str]]:
    """The grid of (picture, caption) the Studio shows: the original with its size (width, height), then each
    sample numbered after ``label`` with what was drawn for it."""
    cells = [(original, f"**original**  \n{size[0]}×{size[1]} px")]
    cells += [(jpeg, f"**{label}{index}**  \n" + "  \n".join(drawn)) for index, (jpeg, drawn) in enumerate(samples)]
    return cells


def pipeline_code(chain: Sequence[ChainItem], seed: int, count: int) -> str:
    """A copyable ``torchvision.transforms.v2`` program that reproduces :func:`sample_grid` exactly."""
    calls = [call for item in chain for call in item.augmentation.code(item.values)]
    body = "".join(f"    {call},\n" for call in calls)
    return (
        "import torch\n"
        "from torchvision.transforms import v2\n\n"
        f"augment = v2.Compose([\n{body}])\n"
        "# image: the PIL image (RGB) the app used, as the page shows it: a sample photo as decoded, or your\n"
        "# upload after EXIF rotation, RGB conversion and reduction to a 1024 px long side. The original file,\n"
        "# or a uint8 tensor (torchvision's tensor kernels round differently), gives other pixels.\n"
        f"torch.manual_seed({seed})  # the grid's seed: sample k is the (k+1)-th call below\n"
        f"samples = [augment(image) for _ in range({count})]\n"
    )


def ten_crops(image: Image.Image, resize_to: int, crop: int) -> list[tuple[str, Image.Image]]:
    """The ten fixed test-time crops (4 corners and the centre, of the image and of its mirror image)."""
    resized = F.resize(image, resize_to)  # short side -> resize_to, as at training time
    names = ["top-left", "top-right", "bottom-left", "bottom-right", "centre"]
    # torchvision flips the whole image, then crops: its "top-left" is the mirrored top-right corner.
    labels = names + [f"mirrored, {name}" for name in names]
    return list(zip(labels, F.ten_crop(resized, crop)))
