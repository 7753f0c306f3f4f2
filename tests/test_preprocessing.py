"""core.preprocessing: mean image and per-channel statistics against numpy, v2.Normalize by hand, throughput."""

import numpy as np
import pytest
from PIL import Image

from core import preprocessing as pre
from core.augment import BY_TITLE
from core.data import MEAN, STD, load_subset
from core.pipeline import ChainItem


def test_mean_image_and_channel_statistics_by_numpy():
    """A 3-image RGB 'dataset' and Fashion-MNIST's greyscale subset: per-pixel mean, per-channel mean and std."""
    images = np.random.default_rng(0).integers(0, 256, (3, 4, 5, 3), dtype=np.uint8)
    assert np.allclose(pre.mean_image(images), (images[0] / 255 + images[1] / 255 + images[2] / 255) / 3)
    means, stds = pre.channel_stats(images)
    for channel in range(3):
        values = images[..., channel].astype(float).ravel() / 255
        assert means[channel] == pytest.approx(values.mean()) and stds[channel] == pytest.approx(values.std())
    items = load_subset()["train"].images
    (mean,), (std,) = pre.channel_stats(items)
    assert mean == pytest.approx(MEAN, abs=0.01) and std == pytest.approx(STD, abs=0.01)  # the subset ~ the full set
    assert pre.mean_image(items).shape == (28, 28)


def test_views_are_normalize_and_mean_subtraction_by_hand():
    """Per channel (x − mean) / std, and x − mean image, on the image resized to the dataset's side."""
    image = Image.fromarray(np.random.default_rng(1).integers(0, 256, (40, 60, 3), dtype=np.uint8))
    mean_image = np.full((8, 8, 3), 0.25)
    found = pre.views(image, mean_image, (0.5, 0.4, 0.3), (0.2, 0.25, 0.5))
    original = pre.as_dataset([image], 8)[0] / 255.0
    assert found.original.shape == (8, 8, 3) and np.allclose(found.original, original, atol=1e-6)
    expected = (original - np.array([0.5, 0.4, 0.3])) / np.array([0.2, 0.25, 0.5])
    assert np.allclose(found.per_channel, expected, atol=1e-5)
    assert np.allclose(found.minus_mean_image, original - 0.25, atol=1e-6)


def test_shown_maps_the_range_to_black_and_white():
    """0 is mid-grey; ±half_range are black and white; values outside are clipped."""
    picture = np.asarray(pre.shown(np.array([[[-3.0] * 3, [0.0] * 3, [9.0] * 3]]), 3.0))
    assert picture[0, :, 0].tolist() == [0, 128, 255]


def test_throughput_and_storage_arithmetic():
    """Both rates positive; K copies of D pictures take K·D·H·W·3 bytes; times from the measured rates."""
    image = Image.new("RGB", (300, 200), "orange")
    crop = BY_TITLE["RandomResizedCrop"]
    chain = [ChainItem(crop, {p.name: p.default for p in crop.params})]
    found = pre.measure_throughput(image, chain, pictures=6, copies=3, seed=0)
    assert found.on_the_fly > 0 and found.precomputed > 0
    assert found.bytes_per_picture == found.side[0] * found.side[1] * 3
    fixed = pre.Throughput((50, 20), on_the_fly=100.0, precomputed=1000.0, bytes_per_picture=3000)
    rows = pre.storage_rows(fixed, dataset=1_000_000, copies=[2], epochs=10)
    assert rows[0]["memory of the copies"] == "6.00 GB"  # 2 × 1,000,000 × 3,000 bytes
    assert rows[0]["on the fly: 10 epochs"] == "1,666.7 min"  # 10 × 1,000,000 / 100 per s
    assert (
        rows[0]["pre-computed: make once + read 10 epochs"] == "500.0 min"
    )  # (2,000,000 / 100 + 10,000,000 / 1,000) s


def test_a_training_set_prices_its_own_pictures():
    """CIFAR-10's copies are 32×32×3 bytes even through a 224 px RandomResizedCrop (its size set to the set's
    side), Fashion-MNIST's 28×28 grey; ImageNet's photos stay as loaded, cropped as the pipeline says."""
    image = Image.new("RGB", (300, 200), "orange")
    crop, flip = BY_TITLE["RandomResizedCrop"], BY_TITLE["Horizontal flip"]
    chain = [ChainItem(crop, {p.name: p.default for p in crop.params}), ChainItem(flip, {"p": 0.5})]
    expected = {
        "CIFAR-10": ((32, 32), 32 * 32 * 3),
        "Fashion-MNIST": ((28, 28), 28 * 28),
        "ImageNet": ((224, 224), 224 * 224 * 3),
    }
    for name, training_set in pre.TRAINING_SETS.items():
        picture, sized = pre.as_training_picture(image, chain, training_set)
        found = pre.measure_throughput(picture, sized, pictures=2, copies=2, seed=0)
        assert (found.side, found.bytes_per_picture) == expected[name.split(" (")[0]], name
        assert sized[1] == chain[1]  # a transform without a size is left as it was
