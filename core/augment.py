"""The augmentations of the lecture, described once: each a short list of ``torchvision.transforms.v2`` transforms.

An :class:`Augmentation` carries its sliders (:class:`Param`), the transforms it builds from their values
(:class:`Step`), its explanation and its group in the picker. Drawing and applying them is
:mod:`core.draws`; chaining them into the Studio's pipeline is :mod:`core.pipeline`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torchvision.transforms import v2

Value = float | int | tuple[float, float]
GROUPS = ("Geometric", "Photometric", "Erasing", "Automatic policies")


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
BY_TITLE = {augmentation.title: augmentation for augmentation in AUGMENTATIONS.values()}


def titles_by_group(group: str) -> list[str]:
    return [spec.title for spec in AUGMENTATIONS.values() if spec.group == group]


def group_catalogue() -> str:
    """The picker's contents by group, one markdown line each (the picker lists them in this order)."""
    return "  \n".join(f"**{group}:** {', '.join(titles_by_group(group))}" for group in GROUPS)
