"""The augmentations of the lecture, described once, drawn and applied the way torchvision does it.

Every augmentation is a short list of ``torchvision.transforms.v2`` transforms. To show *what was drawn*
for each sample, drawing is kept apart from applying, as in torchvision's own ``make_params`` /
``transform`` split: :func:`draw_params` makes exactly the random draws that the transform's ``forward``
makes, in the same order, and :func:`apply_params` applies them with torchvision's own code. The tests prove
that a seeded grid equals ``torch.manual_seed(seed)`` followed by calls of the plain ``v2.Compose``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from torchvision.transforms.v2._transform import _RandomApplyTransform

from core.rng import RngStream

Value = float | int | tuple[float, float]
AutoAugment = v2.TrivialAugmentWide | v2.RandAugment


@dataclass(frozen=True)
class Param:
    name: str  # key in the values mapping, the URL and the widget key
    label: str  # slider label
    low: float  # slider range
    high: float
    default: Value  # an int makes an integer slider; a pair makes a range slider
    step: float
    help: str = ""

    def round(self, value: Value) -> Value:
        if isinstance(value, (tuple, list)):
            return tuple(self.round(part) for part in value)
        if isinstance(self.step, int):
            return int(round(value))
        decimals = max(0, -math.floor(math.log10(self.step)))
        return round(float(value), decimals)


@dataclass(frozen=True)
class Step:
    """One torchvision transform of an augmentation, with its constructor arguments."""

    transform: type[v2.Transform]
    arguments: Callable[[Mapping[str, Value]], dict[str, Any]]


@dataclass(frozen=True)
class Augmentation:
    key: str  # stable identifier (URLs, widget keys)
    title: str
    explanation: str  # one paragraph tied to the lecture
    params: tuple[Param, ...]
    steps: tuple[Step, ...]
    problem: Callable[[Mapping[str, Value]], str | None] = lambda values: None  # invalid combinations

    def clean(self, values: Mapping[str, Value]) -> dict[str, Value]:
        """Slider values rounded to their step (a browser may send 0.30000000000000004)."""
        return {param.name: param.round(values[param.name]) for param in self.params}

    def defaults(self) -> dict[str, Value]:
        return {param.name: param.default for param in self.params}

    def build(self, values: Mapping[str, Value]) -> list[v2.Transform]:
        return [step.transform(**step.arguments(values)) for step in self.steps]

    def code(self, values: Mapping[str, Value]) -> list[str]:
        """Constructor calls, one per step, as a person would type them."""
        calls = []
        for step in self.steps:
            arguments = ", ".join(f"{name}={value!r}" for name, value in step.arguments(values).items())
            calls.append(f"v2.{step.transform.__name__}({arguments})")
        return calls


def _scale_augmentation_problem(values: Mapping[str, Value]) -> str | None:
    shortest, _ = values["short_side"]
    if values["size"] > shortest:
        return (
            f"The crop ({values['size']} px) is larger than the smallest short side ({shortest} px): "
            "raise the short-side range or shrink the crop."
        )
    return None


AUGMENTATIONS: dict[str, Augmentation] = {
    spec.key: spec
    for spec in (
        Augmentation(
            "hflip",
            "Horizontal flip",
            "Mirror the image left-right with probability p. A cat facing left is still a cat, so the label is "
            "kept and the training set doubles for free; it is the augmentation nearly every vision network uses.",
            (Param("p", "probability p", 0.0, 1.0, 0.5, 0.05),),
            (Step(v2.RandomHorizontalFlip, lambda v: {"p": v["p"]}),),
        ),
        Augmentation(
            "vflip",
            "Vertical flip",
            "Mirror the image upside-down with probability p. Label-preserving for satellite or microscope "
            "images, but not for most photos: an upside-down street scene is not a realistic input.",
            (Param("p", "probability p", 0.0, 1.0, 0.5, 0.05),),
            (Step(v2.RandomVerticalFlip, lambda v: {"p": v["p"]}),),
        ),
        Augmentation(
            "random_crop",
            "Random crop",
            "Cut a fixed-size window at a random position, so the network cannot rely on where the object "
            "sits. Images smaller than the crop are padded with black first.",
            (Param("size", "crop size (px)", 32, 512, 224, 8),),
            (Step(v2.RandomCrop, lambda v: {"size": v["size"], "pad_if_needed": True}),),
        ),
        Augmentation(
            "random_resized_crop",
            "RandomResizedCrop",
            "Inception-style crop: pick an area fraction (scale) and an aspect ratio at random, cut that window "
            "and resize it to a fixed size. Small scales zoom in on details; this is the standard ImageNet "
            "training augmentation.",
            (
                Param("size", "output size (px)", 32, 512, 224, 8),
                Param("scale", "area fraction (scale)", 0.02, 1.0, (0.08, 1.0), 0.02),
                Param("ratio", "aspect ratio w/h", 0.25, 4.0, (0.75, 1.33), 0.01),
            ),
            (
                Step(
                    v2.RandomResizedCrop,
                    lambda v: {"size": v["size"], "scale": tuple(v["scale"]), "ratio": tuple(v["ratio"])},
                ),
            ),
        ),
        Augmentation(
            "scale_augmentation",
            "Scale augmentation",
            "The lecture's (VGG/ResNet) recipe: resize so the short side is a random L in [256, 480], then cut "
            "a random 224×224 crop. Objects appear at many scales, so the network learns scale invariance.",
            (
                Param("short_side", "short side L (px)", 64, 1024, (256, 480), 8),
                Param("size", "crop size (px)", 32, 512, 224, 8),
            ),
            (
                Step(
                    v2.RandomShortestSize,
                    lambda v: {"min_size": range(int(v["short_side"][0]), int(v["short_side"][1]) + 1)},
                ),
                Step(v2.RandomCrop, lambda v: {"size": v["size"]}),
            ),
            _scale_augmentation_problem,
        ),
        Augmentation(
            "color_jitter",
            "Brightness & contrast jitter",
            "Multiply brightness and contrast by random factors in [1 − s, 1 + s], applied in random order. "
            "Lighting changes without changing the label, so the network stops relying on absolute intensity.",
            (
                Param("brightness", "brightness strength s", 0.0, 0.9, 0.4, 0.05),
                Param("contrast", "contrast strength s", 0.0, 0.9, 0.4, 0.05),
            ),
            (Step(v2.ColorJitter, lambda v: {"brightness": v["brightness"], "contrast": v["contrast"]}),),
        ),
        Augmentation(
            "trivial_augment",
            "TrivialAugmentWide",
            "TrivialAugment (Müller & Hutter, 2021): per image, pick ONE operation uniformly from 14 and ONE "
            "magnitude bin uniformly from 31 (plus a random sign where it matters). No search and no tuning, "
            "yet as good as AutoAugment and RandAugment.",
            (),
            (Step(v2.TrivialAugmentWide, lambda v: {}),),
        ),
        Augmentation(
            "rand_augment",
            "RandAugment",
            "RandAugment (Cubuk et al., 2020): apply N operations drawn uniformly from 14, all at one fixed "
            "magnitude M. Two numbers replace AutoAugment's expensive policy search.",
            (
                Param("num_ops", "operations N", 1, 4, 2, 1),
                Param("magnitude", "magnitude bin M", 0, 30, 9, 1),
            ),
            (Step(v2.RandAugment, lambda v: {"num_ops": v["num_ops"], "magnitude": v["magnitude"]}),),
        ),
    )
}


# --- auto-augment operations ----------------------------------------------------------------------------


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


def augmentation_space(transform: AutoAugment) -> dict[str, tuple[Callable, bool]]:
    """The operation space, read from torchvision itself so it is exactly torchvision's."""
    return transform._AUGMENTATION_SPACE


def is_signed(transform: AutoAugment, name: str) -> bool:
    return augmentation_space(transform)[name][1]


def op_magnitudes(transform: AutoAugment, name: str, height: int, width: int) -> torch.Tensor | None:
    """All magnitudes of operation ``name`` (one per bin), or None if it has none."""
    magnitudes_fn, _ = augmentation_space(transform)[name]
    return magnitudes_fn(transform.num_magnitude_bins, height, width)


def make_op(transform: AutoAugment, name: str, bin: int | None, negative: bool, height: int, width: int) -> AugmentOp:
    """Operation ``name`` at magnitude ``bin`` with the given sign, for an image of the given size."""
    signed = is_signed(transform, name)
    magnitudes = op_magnitudes(transform, name, height, width)
    if magnitudes is None:
        return AugmentOp(name, None, transform.num_magnitude_bins, signed, False, 0.0)
    negative = negative and signed
    magnitude = float(magnitudes[bin])
    return AugmentOp(name, bin, transform.num_magnitude_bins, signed, negative, -magnitude if negative else magnitude)


def format_magnitude(name: str, magnitude: float) -> str:
    if name in ("ShearX", "ShearY"):
        return f"shear {magnitude:+.2f} ({math.degrees(math.atan(magnitude)):+.1f}°)"
    if name in ("TranslateX", "TranslateY"):
        return f"{magnitude:+.1f} px"
    if name == "Rotate":
        return f"{magnitude:+.1f}°"
    if name in ("Brightness", "Color", "Contrast", "Sharpness"):
        return f"factor {1.0 + magnitude:.2f}"
    if name == "Posterize":
        return f"keep {int(magnitude)} bits"
    if name == "Solarize":
        return f"invert above {magnitude:.0%} of white"
    return f"{magnitude:g}"


def _draw_ops(transform: AutoAugment, height: int, width: int) -> list[AugmentOp]:
    """The draws of TrivialAugmentWide.forward / RandAugment.forward, in their order."""
    names = tuple(augmentation_space(transform))
    ops = []
    for _ in range(transform.num_ops if isinstance(transform, v2.RandAugment) else 1):
        name = names[int(torch.randint(len(names), ()))]
        magnitudes = op_magnitudes(transform, name, height, width)
        if magnitudes is None:
            ops.append(make_op(transform, name, None, False, height, width))
            continue
        if isinstance(transform, v2.RandAugment):
            bin = transform.magnitude
        else:
            bin = int(torch.randint(transform.num_magnitude_bins, ()))
        negative = is_signed(transform, name) and bool(torch.rand(()) <= 0.5)
        ops.append(make_op(transform, name, bin, negative, height, width))
    return ops


def apply_op(transform: AutoAugment, image: Image.Image, op: AugmentOp) -> Image.Image:
    return transform._apply_image_or_video_transform(
        image, op.name, op.magnitude, interpolation=transform.interpolation, fill=transform._fill
    )


def trivial_augment_op(image: Image.Image, name: str, bin: int, negative: bool) -> tuple[Image.Image, AugmentOp]:
    """TrivialAugmentWide's operation ``name`` at magnitude ``bin`` and sign, applied by torchvision."""
    transform = v2.TrivialAugmentWide()
    op = make_op(transform, name, bin, negative, image.height, image.width)
    return apply_op(transform, image, op), op


def trivial_augment_space(height: int, width: int) -> list[dict[str, str]]:
    """One row per operation of TrivialAugmentWide: its magnitudes from bin 0 to the last, and its sign."""
    transform = v2.TrivialAugmentWide()
    rows = []
    for name in augmentation_space(transform):
        magnitudes = op_magnitudes(transform, name, height, width)
        if magnitudes is None:
            first = last = "no magnitude"
        else:
            first = format_magnitude(name, float(magnitudes[0]))
            last = format_magnitude(name, float(magnitudes[-1]))
        signed = "random ±" if is_signed(transform, name) else "—"
        rows.append({"operation": name, "bin 0": first, "bin 30": last, "sign": signed})
    return rows


# --- drawing and applying -------------------------------------------------------------------------------


def draw_params(transform: v2.Transform, image: Image.Image) -> dict[str, Any] | None:
    """Make the random draws ``transform(image)`` would make, from torch's global generator.

    Returns None for a random-apply transform (flips) whose coin said "skip".
    """
    if isinstance(transform, AutoAugment):
        width, height = image.size
        return {"ops": _draw_ops(transform, height, width)}
    # _RandomApplyTransform.forward tosses its coin before make_params; mirror that order exactly.
    if isinstance(transform, _RandomApplyTransform) and torch.rand(1) >= transform.p:
        return None
    return transform.make_params([image])


def apply_params(transform: v2.Transform, image: Image.Image, params: dict[str, Any] | None) -> Image.Image:
    if params is None:
        return image
    if isinstance(transform, AutoAugment):
        for op in params["ops"]:
            image = apply_op(transform, image, op)
        return image
    return transform.transform(image, params)


def describe_draw(transform: v2.Transform, params: dict[str, Any] | None, image: Image.Image) -> str:
    """What was drawn, in words, e.g. ``Rotate, bin 17/30, sign −: −76.5°``."""
    if isinstance(transform, (v2.RandomHorizontalFlip, v2.RandomVerticalFlip)):
        return "flipped" if params is not None else "not flipped"
    if isinstance(transform, AutoAugment):
        return " → ".join(op.describe() for op in params["ops"])
    if isinstance(transform, v2.RandomResizedCrop):
        width, height = image.size
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
        height, width = params["size"]
        return f"short side L = {min(height, width)} → {width}×{height}"
    if isinstance(transform, v2.ColorJitter):
        names = {0: "brightness", 1: "contrast"}
        order = [names[int(i)] for i in params["fn_idx"] if int(i) in names]
        factors = {"brightness": params["brightness_factor"], "contrast": params["contrast_factor"]}
        return ", ".join(f"{name} ×{factors[name]:.2f}" for name in order if factors[name] is not None) or "no change"
    return ", ".join(f"{key}={value}" for key, value in params.items()) if params else "no draw"


@dataclass(frozen=True)
class ChainItem:
    augmentation: Augmentation
    values: Mapping[str, Value]


BY_TITLE = {augmentation.title: augmentation for augmentation in AUGMENTATIONS.values()}
DEFAULT_CHAIN = ("Horizontal flip", "RandomResizedCrop", "TrivialAugmentWide")  # titles: they are what URLs carry


def chain_from_state(state: Mapping[str, Any]) -> list[ChainItem]:
    """The Studio's pipeline from its widget values (``chain``: titles, ``<key>.<param>``), defaults where unset.

    Unknown keys and invalid combinations are left out, as the Studio itself does.
    """
    chain = []
    for title in state.get("chain", DEFAULT_CHAIN):
        augmentation = BY_TITLE.get(title)
        if augmentation is None:
            continue
        key = augmentation.key
        values = augmentation.clean({p.name: state.get(f"{key}.{p.name}", p.default) for p in augmentation.params})
        if augmentation.problem(values) is None:
            chain.append(ChainItem(augmentation, values))
    return chain


def chain_titles(chain: Sequence[ChainItem]) -> str:
    return ", ".join(item.augmentation.title for item in chain) or "none"


@dataclass(frozen=True)
class AugmentedSample:
    image: Image.Image
    drawn: tuple[str, ...]  # one line per augmentation of the chain: "title: what was drawn"


def augment_once(image: Image.Image, chain: Sequence[ChainItem], stream: RngStream) -> AugmentedSample:
    drawn = []
    for item in chain:
        parts = []
        for transform in item.augmentation.build(item.values):
            with stream.active():  # only the draws hold the lock; applying runs in parallel
                params = draw_params(transform, image)
            parts.append(describe_draw(transform, params, image))
            image = apply_params(transform, image, params)
        drawn.append(f"{item.augmentation.title}: {'; '.join(parts)}")
    return AugmentedSample(image, tuple(drawn))


def sample_grid(image: Image.Image, chain: Sequence[ChainItem], count: int, seed: int) -> list[AugmentedSample]:
    """``count`` augmented samples: the same as ``torch.manual_seed(seed)`` and ``count`` calls of the pipeline."""
    stream = RngStream(seed)
    return [augment_once(image, chain, stream) for _ in range(count)]


def pipeline_code(chain: Sequence[ChainItem], seed: int, count: int) -> str:
    """A copyable ``torchvision.transforms.v2`` program that reproduces :func:`sample_grid` exactly."""
    calls = [call for item in chain for call in item.augmentation.code(item.values)]
    body = "".join(f"    {call},\n" for call in calls)
    return (
        "import torch\n"
        "from torchvision.transforms import v2\n\n"
        f"augment = v2.Compose([\n{body}])\n"
        "# image: a PIL image (RGB) or a uint8 tensor of shape (C, H, W)\n"
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
