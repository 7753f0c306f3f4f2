"""Input pre-processing as the lecture's slide lists it, and what augmenting on the fly costs against storing copies.

*Data pre-processing*: subtract the training set's mean image (AlexNet) or its per-channel mean, dividing by
the per-channel std (VGG-Net; ``v2.Normalize``). The statistics come from a real "dataset": the shipped
Fashion-MNIST training images, or the app's sample photos at one size. What it buys: the recap MLP trained on
raw, scaled and standardized pixels (its records; the loss bands and rows serve the Deep networks tab too).

*Augmentation, practical: memory vs speed*: measured on this server, the Studio's pipeline applied on the fly
against reading pre-computed copies from memory, and the memory those copies take.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image
from plotly.subplots import make_subplots
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from core.figures import PALETTE, sized
from core.mlp import INPUT_LABELS, INPUTS, chosen
from core.pipeline import AugmentationError, ChainItem
from core.rng import RngStream

PHOTO_SIDE = 64  # px: the sample photos as a tiny dataset, each resized and centre-cropped to this square
CHANNELS = ("red", "green", "blue")


def as_dataset(images: Sequence[Image.Image], side: int = PHOTO_SIDE) -> np.ndarray:
    """Photos as one array (N, side, side, 3) uint8: short side resized to ``side``, centre square kept."""
    square = v2.Compose([v2.Resize(side), v2.CenterCrop(side)])
    return np.stack([np.asarray(square(image.convert("RGB"))) for image in images])


def mean_image(images: np.ndarray) -> np.ndarray:
    """The per-pixel mean over the dataset (N, H, W[, C]) -> (H, W[, C]), in [0, 1] (AlexNet's subtraction)."""
    return images.astype(np.float64).mean(axis=0) / 255.0


def channel_stats(images: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std over every image and pixel, in [0, 1] (what ``v2.Normalize`` takes)."""
    values = images.astype(np.float64) / 255.0
    values = values.reshape(-1, 1) if values.ndim == 3 else values.reshape(-1, values.shape[-1])
    return tuple(values.mean(0).tolist()), tuple(values.std(0).tolist())


@dataclass(frozen=True)
class Views:
    """One picture at the dataset's size, as the network would receive it after each pre-processing."""

    original: np.ndarray  # (H, W, 3) in [0, 1]
    per_channel: np.ndarray  # v2.Normalize(mean, std): each channel standardized
    minus_mean_image: np.ndarray  # the dataset's mean image subtracted, pixel by pixel


def views(image: Image.Image, mean: np.ndarray, channel_mean: Sequence[float], channel_std: Sequence[float]) -> Views:
    """``image`` resized like the dataset (``mean``'s size), then both pre-processings applied."""
    side = mean.shape[0]
    square = as_dataset([image], side)[0]
    pixels = F.to_dtype(torch.from_numpy(square).permute(2, 0, 1), torch.float32, scale=True)  # (3, H, W) in [0, 1]
    standardized = v2.Normalize(mean=list(channel_mean), std=list(channel_std))(pixels)
    original = pixels.permute(1, 2, 0).numpy()
    return Views(original, standardized.permute(1, 2, 0).numpy(), original - mean)


def shown(values: np.ndarray, half_range: float | None = None) -> Image.Image:
    """A picture of network input values: [0, 1] as is, or centred values with −half_range … +half_range as
    black … white (0 is mid-grey)."""
    scaled = values if half_range is None else values / (2 * half_range) + 0.5
    pixels = (np.clip(scaled, 0, 1) * 255).round().astype(np.uint8)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    return Image.fromarray(pixels, "L" if pixels.ndim == 2 else "RGB")


def histogram_figure(panels: dict[str, np.ndarray], bins: int = 60) -> go.Figure:
    """Pixel values of each panel (H, W, 3) per channel, as counted outlines over a shared x range."""
    low = min(float(v.min()) for v in panels.values())
    high = max(float(v.max()) for v in panels.values())
    edges = np.linspace(low, high, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    figure = make_subplots(rows=1, cols=len(panels), subplot_titles=list(panels), shared_yaxes=True)
    colours = ("#D55E00", "#009E73", PALETTE[0])
    for column, values in enumerate(panels.values(), start=1):
        for channel, (name, colour) in enumerate(zip(CHANNELS, colours)):
            counts, _ = np.histogram(values[..., channel], edges)
            figure.add_scatter(
                x=centres,
                y=counts / counts.sum(),
                mode="lines",
                line=dict(color=colour, shape="hvh"),
                name=name,
                legendgroup=name,
                showlegend=column == 1,
                row=1,
                col=column,
            )
        figure.add_vline(x=0, line=dict(color="#999999", dash="dot"), row=1, col=column)
        figure.update_xaxes(title="pixel value", row=1, col=column)
    figure.update_yaxes(title="share of pixels", row=1, col=1)
    return sized(figure, 320)


# --- the recap MLP fed raw, scaled or standardized pixels (core.mlp's input experiment) ---------------------


def input_arms(records: list[dict]) -> dict[str, list[dict]]:
    """The input experiment's arms at their chosen rates, keyed by their labels."""
    return {INPUT_LABELS[inputs]: chosen(records, inputs=inputs) for inputs in INPUTS}


# --- memory vs speed -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    side: tuple[int, int]  # (width, height) of one augmented picture
    on_the_fly: float  # pictures per second: the pipeline drawn and applied to each
    precomputed: float  # pictures per second: one of K stored copies read from memory as a tensor
    bytes_per_picture: int  # stored as uint8


@dataclass(frozen=True)
class TrainingSet:
    pictures: int  # how many training pictures it holds
    side: int | None  # px of its square pictures (None: photos of many sizes, stored at the pipeline's output)
    channels: int  # 1: grey, 3: colour


TRAINING_SETS = {
    "Fashion-MNIST (60,000, 28×28 grey)": TrainingSet(60_000, 28, 1),
    "CIFAR-10 (50,000, 32×32)": TrainingSet(50_000, 32, 3),
    "ImageNet (1,281,167 photos)": TrainingSet(1_281_167, None, 3),
}


def as_training_picture(
    image: Image.Image, chain: Sequence[ChainItem], training_set: TrainingSet
) -> tuple[Image.Image, list[ChainItem]]:
    """The photo as one of ``training_set``'s pictures (its side, its channels) and the pipeline as one would set
    it for them: every crop or output size at that side. A 224 px crop of a 32 px CIFAR-10 picture would price
    each stored copy at 49 times the picture itself."""
    if training_set.side is None:
        return image, list(chain)
    side = training_set.side
    picture = F.resize(F.center_crop(image, [min(image.size)]), [side, side], antialias=True)
    picture = F.to_grayscale(picture) if training_set.channels == 1 else picture
    sized = [
        ChainItem(item.augmentation, {**item.values, "size": side}) if "size" in item.values else item for item in chain
    ]
    return picture, sized


def as_network_input(picture: Image.Image | torch.Tensor | np.ndarray) -> torch.Tensor:
    """What a loader hands the network: float (C, H, W) in [0, 1]."""
    return F.to_dtype(F.to_image(picture), torch.float32, scale=True)


def measure_throughput(
    image: Image.Image, chain: Sequence[ChainItem], pictures: int, copies: int, seed: int
) -> Throughput:
    """Time both ways of feeding ``pictures`` augmented pictures, on this machine, now: each ends in the float
    tensor the network gets.

    On the fly: the pipeline as a plain ``v2.Compose``, as a training loader would call it. Pre-computed:
    ``copies`` augmented versions made first (not timed: done once before training), stored as uint8, and each
    picture one of them at random. Raises AugmentationError when torchvision cannot apply the pipeline.
    """
    pipeline = v2.Compose([t for item in chain for t in item.augmentation.build(item.values)])
    stream = RngStream(seed)
    made = []
    started = time.perf_counter()
    try:
        for _ in range(pictures):
            with stream.active():  # the draws from torch's global generator, seeded
                made.append(as_network_input(pipeline(image)))
    except (ValueError, RuntimeError) as error:
        raise AugmentationError(f"torchvision cannot apply this pipeline to the image ({error})") from error
    on_the_fly = pictures / (time.perf_counter() - started)
    stored = [(picture * 255).round().to(torch.uint8).permute(1, 2, 0).numpy() for picture in made]  # (H, W, C)
    if len({picture.shape for picture in stored}) > 1:  # no fixed output size: store them at the first size
        size = stored[0].shape[1::-1]
        stored = [np.asarray(Image.fromarray(p.squeeze()).resize(size)).reshape(stored[0].shape) for p in stored]
    store = np.stack([stored[k % len(stored)] for k in range(copies)])  # (K, H, W, C) uint8
    picks = np.random.default_rng(seed).integers(0, copies, pictures)
    started = time.perf_counter()
    for k in picks:
        as_network_input(store[k])
    precomputed = pictures / (time.perf_counter() - started)
    height, width, channels = store.shape[1:]
    return Throughput((width, height), on_the_fly, precomputed, height * width * channels)


def storage_rows(throughput: Throughput, dataset: int, copies: Sequence[int], epochs: int) -> list[dict[str, object]]:
    """Per K: memory of K augmented copies of a ``dataset``-picture training set, and the time each way takes
    to feed ``epochs`` epochs (pre-computing counted once, at the on-the-fly rate)."""
    rows = []
    for k in copies:
        gigabytes = k * dataset * throughput.bytes_per_picture / 1e9
        made = k * dataset / throughput.on_the_fly
        read = epochs * dataset / throughput.precomputed
        rows.append(
            {
                "copies K": k,
                "memory of the copies": f"{gigabytes:,.2f} GB",
                f"pre-computed: make once + read {epochs} epochs": f"{(made + read) / 60:,.1f} min",
                f"on the fly: {epochs} epochs": f"{epochs * dataset / throughput.on_the_fly / 60:,.1f} min",
                "distinct views per picture": f"{k}" if k < epochs else f"{k} (≥ one per epoch)",
            }
        )
    return rows
