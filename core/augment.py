"""The augmentations of the lecture, described once, drawn and applied the way torchvision does it.

Every augmentation is a short list of ``torchvision.transforms.v2`` transforms. To show *what was drawn*
for each sample, drawing is kept apart from applying, as in torchvision's own ``make_params`` /
``transform`` split: :func:`draw_params` makes exactly the random draws that the transform's ``forward``
makes, in the same order, and :func:`apply_params` applies them with torchvision's own code. The tests prove
that a seeded grid equals ``torch.manual_seed(seed)`` followed by calls of the plain ``v2.Compose``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from torchvision.transforms.v2._transform import _RandomApplyTransform

from core.rng import RngStream

Value = float | int | tuple[float, float]
AutoAugment = v2.AutoAugment | v2.TrivialAugmentWide | v2.RandAugment
GROUPS = ("Geometric", "Photometric", "Erasing", "Automatic policies")
# Transforms that only convert PIL <-> tensor (for those torchvision applies to tensors only): nothing to draw.
CONVERSIONS = (v2.PILToTensor, v2.ToPILImage)


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
    arguments: Callable[[Mapping[str, Value]], dict[str, Any]] = lambda values: {}


def _code_value(value: Any) -> str:
    """An argument as a person would type it (enums as ``v2.AutoAugmentPolicy.IMAGENET``, not their repr)."""
    if isinstance(value, enum.Enum):
        return f"v2.{type(value).__name__}.{value.name}"
    return repr(value)


@dataclass(frozen=True)
class Augmentation:
    key: str  # stable identifier (URLs, widget keys)
    title: str  # what the picker and the URL show
    group: str  # one of GROUPS, to keep the picker navigable
    explanation: str  # one paragraph tied to the lecture
    params: tuple[Param, ...]
    steps: tuple[Step, ...]
    check: Callable[[Mapping[str, Value]], str | None] = lambda values: None  # combinations torchvision accepts
    # but that fail later on the image (e.g. a crop larger than the resized image)

    def clean(self, values: Mapping[str, Value]) -> dict[str, Value]:
        """Slider values rounded to their step (a browser may send 0.30000000000000004)."""
        return {param.name: param.round(values[param.name]) for param in self.params}

    def defaults(self) -> dict[str, Value]:
        return {param.name: param.default for param in self.params}

    def build(self, values: Mapping[str, Value]) -> list[v2.Transform]:
        return [step.transform(**step.arguments(values)) for step in self.steps]

    def problem(self, values: Mapping[str, Value]) -> str | None:
        """Why these values cannot be used, in words; torchvision's own constructors judge what they refuse."""
        problem = self.check(values)
        if problem:
            return problem
        try:
            self.build(values)
        except (ValueError, TypeError) as error:
            return f"torchvision refuses these settings ({error})"
        return None

    def code(self, values: Mapping[str, Value]) -> list[str]:
        """Constructor calls, one per step, as a person would type them."""
        calls = []
        for step in self.steps:
            arguments = ", ".join(f"{name}={_code_value(value)}" for name, value in step.arguments(values).items())
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


def _named(*names: str) -> Callable[[Mapping[str, Value]], dict[str, Any]]:
    """Constructor arguments that are the sliders of the same names (pairs are already tuples)."""
    return lambda values: {name: values[name] for name in names}


def _probability(default: float = 0.5) -> Param:
    return Param("p", "probability p", 0.0, 1.0, default, 0.05)


def _by_name(
    key: str, title: str, group: str, explanation: str, transform: type[v2.Transform], *params: Param
) -> Augmentation:
    """A one-transform augmentation whose sliders are its constructor arguments, by name."""
    names = (param.name for param in params)
    return Augmentation(key, title, group, explanation, params, (Step(transform, _named(*names)),))


def _random_apply(
    key: str, title: str, group: str, explanation: str, transform: type[v2.Transform], *params: Param
) -> Augmentation:
    """An augmentation applied with probability p, its other sliders passed to the constructor by name."""
    return _by_name(key, title, group, explanation, transform, *params, _probability())


def _on_tensor(step: Step) -> tuple[Step, ...]:
    """torchvision applies some transforms to tensors only: convert the PIL image there and back."""
    return (Step(v2.PILToTensor), step, Step(v2.ToPILImage))


def _auto_augment(policy: v2.AutoAugmentPolicy, name: str) -> Augmentation:
    return Augmentation(
        f"auto_augment_{policy.value}",
        f"AutoAugment ({name})",
        "Automatic policies",
        f"AutoAugment (Cubuk et al., 2019): a policy found by reinforcement learning on {name}: 25 "
        "sub-policies of two operations, each applied with its own probability and fixed magnitude. Per image "
        "one sub-policy is drawn; searching for the policy cost thousands of GPU hours.",
        (),
        (Step(v2.AutoAugment, lambda v, policy=policy: {"policy": policy}),),
    )


GEOMETRIC = (
    Augmentation(
        "hflip",
        "Horizontal flip",
        "Geometric",
        "Mirror the image left-right with probability p. A cat facing left is still a cat, so the label is "
        "kept and the training set doubles for free; it is the augmentation nearly every vision network uses.",
        (_probability(),),
        (Step(v2.RandomHorizontalFlip, _named("p")),),
    ),
    Augmentation(
        "vflip",
        "Vertical flip",
        "Geometric",
        "Mirror the image upside-down with probability p. Label-preserving for satellite or microscope "
        "images, but not for most photos: an upside-down street scene is not a realistic input.",
        (_probability(),),
        (Step(v2.RandomVerticalFlip, _named("p")),),
    ),
    Augmentation(
        "random_crop",
        "Random crop",
        "Geometric",
        "Cut a fixed-size window at a random position, so the network cannot rely on where the object "
        "sits. Images smaller than the crop are padded with black first.",
        (Param("size", "crop size (px)", 32, 512, 224, 8),),
        (Step(v2.RandomCrop, lambda v: {"size": v["size"], "pad_if_needed": True}),),
    ),
    _by_name(
        "random_resized_crop",
        "RandomResizedCrop",
        "Geometric",
        "Inception-style crop: pick an area fraction (scale) and an aspect ratio at random, cut that window "
        "and resize it to a fixed size. Small scales zoom in on details; this is the standard ImageNet "
        "training augmentation.",
        v2.RandomResizedCrop,
        Param("size", "output size (px)", 32, 512, 224, 8),
        Param("scale", "area fraction (scale)", 0.02, 1.0, (0.08, 1.0), 0.02),
        Param("ratio", "aspect ratio w/h", 0.25, 4.0, (0.75, 1.33), 0.01),
    ),
    Augmentation(
        "scale_augmentation",
        "Scale augmentation",
        "Geometric",
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
        "rotation",
        "RandomRotation",
        "Geometric",
        "Rotate by an angle drawn uniformly from the range; corners that leave the frame are filled with black. "
        "Small angles mimic a tilted camera; large ones can change the label (a 6 becomes a 9).",
        (Param("degrees", "angle range (°)", -180, 180, (-30, 30), 1),),
        (Step(v2.RandomRotation, _named("degrees")),),
    ),
    Augmentation(
        "affine",
        "RandomAffine",
        "Geometric",
        "Rotation, shift, zoom and shear in one random affine map, each drawn from its range: the network "
        "sees the object where, how large and how slanted it may appear in real photos.",
        (
            Param("degrees", "rotation range (°)", -180, 180, (-15, 15), 1),
            Param("translate", "largest shift (fraction of width/height)", 0.0, 1.0, 0.1, 0.05),
            Param("scale", "zoom range", 0.0, 2.0, (0.8, 1.2), 0.05, "torchvision refuses a zoom of 0."),
            Param("shear", "horizontal shear range (°)", -60, 60, (-10, 10), 1),
        ),
        (
            Step(
                v2.RandomAffine,
                lambda v: {
                    "degrees": tuple(v["degrees"]),
                    "translate": (v["translate"], v["translate"]),
                    "scale": tuple(v["scale"]),
                    "shear": tuple(v["shear"]),
                },
            ),
        ),
    ),
    _random_apply(
        "perspective",
        "RandomPerspective",
        "Geometric",
        "Move each corner inwards by a random amount (up to distortion × half the side) and warp the image to "
        "match, as if the photo were taken from another viewpoint.",
        v2.RandomPerspective,
        Param("distortion_scale", "distortion", 0.0, 1.0, 0.5, 0.05),
    ),
    _by_name(
        "elastic",
        "ElasticTransform",
        "Geometric",
        "Displace every pixel by a smooth random field (uniform noise blurred with σ, scaled by α): the image "
        "wobbles like seen through water. Classic for handwritten digits (Simard et al., 2003).",
        v2.ElasticTransform,
        Param("alpha", "strength α", 0.0, 250.0, 50.0, 5.0),
        Param("sigma", "smoothness σ", 0.0, 20.0, 5.0, 0.5),
    ),
)

PHOTOMETRIC = (
    _by_name(
        "color_jitter",
        "ColorJitter",
        "Photometric",
        "Random brightness, contrast and saturation factors in [1 − s, 1 + s] and a hue shift in [−h, h], "
        "applied in random order. Lighting and colour change, the label does not, so the network stops relying "
        "on absolute intensity and exact colour.",
        v2.ColorJitter,
        Param("brightness", "brightness strength s", 0.0, 2.0, 0.4, 0.05),
        Param("contrast", "contrast strength s", 0.0, 2.0, 0.4, 0.05),
        Param("saturation", "saturation strength s", 0.0, 2.0, 0.4, 0.05),
        Param("hue", "hue shift h", 0.0, 0.6, 0.1, 0.01, "torchvision accepts at most 0.5 (half the hue circle)."),
    ),
    Augmentation(
        "gaussian_blur",
        "GaussianBlur",
        "Photometric",
        "Blur with a Gaussian kernel whose σ is drawn from the range: the network learns not to depend on fine "
        "texture and edges that a defocused camera would lose.",
        (
            Param("kernel_size", "kernel size (px, odd)", 1, 31, 9, 2),
            Param("sigma", "σ range", 0.1, 10.0, (0.1, 2.0), 0.1),
        ),
        (Step(v2.GaussianBlur, _named("kernel_size", "sigma")),),
    ),
    Augmentation(
        "gaussian_noise",
        "GaussianNoise",
        "Photometric",
        "Add independent Gaussian noise N(mean, σ²) to every pixel value (on a 0–1 scale), like sensor noise "
        "in a dark photo. torchvision applies it to tensors only, hence the conversions around it.",
        (
            Param("sigma", "noise σ", 0.0, 0.5, 0.1, 0.01),
            Param("mean", "noise mean", -0.5, 0.5, 0.0, 0.01),
        ),
        _on_tensor(Step(v2.GaussianNoise, _named("mean", "sigma"))),
    ),
    _random_apply(
        "grayscale",
        "RandomGrayscale",
        "Photometric",
        "Drop the colour with probability p (kept as three equal channels), so the network also learns shape "
        "and texture cues rather than colour alone.",
        v2.RandomGrayscale,
    ),
    _random_apply(
        "invert",
        "RandomInvert",
        "Photometric",
        "Invert every pixel value (255 − x) with probability p: a photo negative. Label-preserving for "
        "shapes, not for colour-defined classes.",
        v2.RandomInvert,
    ),
    _random_apply(
        "posterize",
        "RandomPosterize",
        "Photometric",
        "Keep only the top bits of every colour channel with probability p: fewer grey levels, visible bands.",
        v2.RandomPosterize,
        Param("bits", "bits kept", 0, 8, 3, 1),
    ),
    _random_apply(
        "solarize",
        "RandomSolarize",
        "Photometric",
        "Invert only the pixel values at or above a threshold, with probability p: bright areas turn dark.",
        v2.RandomSolarize,
        Param("threshold", "threshold (0–255)", 0, 255, 128, 1),
    ),
    _random_apply(
        "sharpness",
        "RandomAdjustSharpness",
        "Photometric",
        "Sharpen (factor > 1) or blur (factor < 1) with probability p; factor 1 leaves the image unchanged.",
        v2.RandomAdjustSharpness,
        Param("sharpness_factor", "sharpness factor", 0.0, 10.0, 2.0, 0.1),
    ),
    _random_apply(
        "autocontrast",
        "RandomAutocontrast",
        "Photometric",
        "Stretch each channel so its darkest value becomes 0 and its brightest 255, with probability p.",
        v2.RandomAutocontrast,
    ),
    _random_apply(
        "equalize",
        "RandomEqualize",
        "Photometric",
        "Equalize the histogram of each channel with probability p: every grey level about equally frequent.",
        v2.RandomEqualize,
    ),
    Augmentation(
        "jpeg",
        "JPEG",
        "Photometric",
        "Compress and decompress as JPEG at a quality drawn from the range: blocky artefacts like those of "
        "images found on the web, which the network should ignore.",
        (Param("quality", "quality range (1–100)", 1, 100, (5, 50), 1),),
        (Step(v2.JPEG, _named("quality")),),
    ),
)

ERASING = (
    Augmentation(
        "random_erasing",
        "RandomErasing (cutout)",
        "Erasing",
        "With probability p, blank a random rectangle (area fraction and aspect ratio drawn from their ranges). "
        "The network cannot rely on one part of the object and must use the rest (Zhong et al.; DeVries & "
        "Taylor's cutout). torchvision erases tensors only, hence the conversions around it.",
        (
            _probability(),
            Param("scale", "area fraction", 0.01, 1.0, (0.02, 0.33), 0.01),
            Param("ratio", "aspect ratio h/w", 0.1, 10.0, (0.3, 3.3), 0.1),
            Param("value", "fill grey level (0–255)", 0, 255, 0, 1),
        ),
        _on_tensor(
            Step(
                v2.RandomErasing,
                _named("p", "scale", "ratio", "value"),
            )
        ),
    ),
)

POLICIES = (
    _auto_augment(v2.AutoAugmentPolicy.IMAGENET, "ImageNet"),
    _auto_augment(v2.AutoAugmentPolicy.CIFAR10, "CIFAR-10"),
    _auto_augment(v2.AutoAugmentPolicy.SVHN, "SVHN"),
    Augmentation(
        "trivial_augment",
        "TrivialAugmentWide",
        "Automatic policies",
        "TrivialAugment (Müller & Hutter, 2021): per image, pick ONE operation uniformly from 14 and ONE "
        "magnitude bin uniformly from 31 (plus a random sign where it matters). No search and no tuning, "
        "yet as good as AutoAugment and RandAugment.",
        (),
        (Step(v2.TrivialAugmentWide),),
    ),
    _by_name(
        "rand_augment",
        "RandAugment",
        "Automatic policies",
        "RandAugment (Cubuk et al., 2020): apply N operations drawn uniformly from 14, all at one fixed "
        "magnitude M. Two numbers replace AutoAugment's expensive policy search.",
        v2.RandAugment,
        Param("num_ops", "operations N", 1, 4, 2, 1),
        Param("magnitude", "magnitude bin M", 0, 30, 9, 1),
    ),
    _by_name(
        "augmix",
        "AugMix",
        "Automatic policies",
        "AugMix (Hendrycks et al., 2020): make a few edited copies of the photo (by default 3, each through 1 "
        "to 3 random edits such as a rotation or more contrast), then average the copies and the photo itself "
        "with random shares. The result still looks like the photo, which makes networks more robust to blur, "
        "noise and other corruptions. Under each sample: each share and the edits of each copy.",
        v2.AugMix,
        Param("severity", "severity (magnitude bins 0 … severity − 1)", 1, 10, 3, 1),
        Param("mixture_width", "chains mixed", 1, 5, 3, 1),
        Param("chain_depth", "operations per chain", -1, 3, -1, 1, "−1 or 0: a random depth 1–3 per chain."),
        Param("alpha", "Dirichlet/Beta α", 0.1, 2.0, 1.0, 0.1),
    ),
)

AUGMENTATIONS: dict[str, Augmentation] = {spec.key: spec for spec in GEOMETRIC + PHOTOMETRIC + ERASING + POLICIES}


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


def _draw_ops(transform: v2.TrivialAugmentWide | v2.RandAugment, height: int, width: int) -> list[AugmentOp]:
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


def _draw_auto_augment(transform: v2.AutoAugment, height: int, width: int) -> dict[str, Any]:
    """The draws of AutoAugment.forward: a sub-policy, then a coin per operation and its sign."""
    index = int(torch.randint(len(transform._policies), ()))
    ops, skipped = [], []
    for name, probability, bin in transform._policies[index]:
        if not torch.rand(()) <= probability:
            skipped.append(name)
            continue
        ops.append(_draw_op(transform, name, height, width, AUTO_AUGMENT_BINS, bin, AUTO_AUGMENT_BINS))
    return {"policy": index, "of": len(transform._policies), "ops": ops, "skipped": skipped}


def _draw_augmix(transform: v2.AugMix, height: int, width: int) -> dict[str, Any]:
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


# --- drawing and applying -------------------------------------------------------------------------------

Picture = Image.Image | torch.Tensor  # PIL between steps; a (C, H, W) uint8 tensor inside _on_tensor steps
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
            return {"rng_state": state, **_draw_augmix(transform, height, width)}
        noise = torch.randn_like(image, dtype=torch.float32)  # (C, H, W), as the uint8 kernel draws it
        return {"rng_state": state, "noise_range": (float(noise.min()), float(noise.max()))}
    if isinstance(transform, v2.AutoAugment):
        return _draw_auto_augment(transform, height, width)
    if isinstance(transform, (v2.TrivialAugmentWide, v2.RandAugment)):
        return {"ops": _draw_ops(transform, height, width)}
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


@dataclass(frozen=True)
class ChainItem:
    augmentation: Augmentation
    values: Mapping[str, Value]


BY_TITLE = {augmentation.title: augmentation for augmentation in AUGMENTATIONS.values()}


def titles_by_group(group: str) -> list[str]:
    return [spec.title for spec in AUGMENTATIONS.values() if spec.group == group]


def group_catalogue() -> str:
    """The picker's contents by group, one markdown line each (the picker lists them in this order)."""
    return "  \n".join(f"**{group}:** {', '.join(titles_by_group(group))}" for group in GROUPS)


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
