"""core.models and core.data: the CNN family and Fashion-MNIST, checked against torch's own layers."""

import gzip

import numpy as np
import pytest
import torch
from torch import nn

from core.data import CLASSES, DEBIAN_DIR, MEAN, STD, load_debian, load_subset, read_idx, stratified_indices, to_tensor
from core.models import (
    ACTIVATIONS,
    NORMS,
    CNNConfig,
    ConvBlock,
    SmallCNN,
    activation_modules,
    make_norm,
    norm_modules,
    recorded_io,
)


def fashion_batch(count: int = 128) -> torch.Tensor:
    return to_tensor(load_subset()["test"].images[:count])


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_configuration_builds_and_classifies(norm, activation):
    """All norms × activations give (B, 10) logits, with the norm right after each convolution."""
    model = SmallCNN(CNNConfig(norm=norm, activation=activation, init="kaiming" if activation == "relu" else "xavier"))
    assert model(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    expected = {
        "none": nn.Identity,
        "batch": nn.BatchNorm2d,
        "group": nn.GroupNorm,
        "layer": nn.GroupNorm,
        "instance": nn.InstanceNorm2d,
    }[norm]
    blocks = [module for module in model.modules() if isinstance(module, ConvBlock)]
    assert len(blocks) == 4
    for block in blocks:
        assert list(block.children()) == [block.conv, block.norm, block.act]
        assert type(block.norm) is expected


def test_layer_norm_is_groupnorm_with_one_group():
    """norm='layer' normalizes each image over (C, H, W), exactly as nn.LayerNorm does."""
    x = torch.randn(4, 8, 5, 5)
    ours = make_norm("layer", 8, groups=4)
    reference = nn.LayerNorm([8, 5, 5], elementwise_affine=False)
    assert torch.allclose(ours(x), reference(x), atol=1e-5)


def test_fresh_batchnorm_output_is_standardized_per_channel():
    """At initialization each BN layer's output has mean ≈ 0 and std ≈ 1 per channel on the batch."""
    torch.manual_seed(0)
    model = SmallCNN(CNNConfig(norm="batch")).train()
    with torch.no_grad(), recorded_io(norm_modules(model)) as recorded:
        model(fashion_batch())
    for _, output in recorded.values():
        per_channel = output.transpose(0, 1).flatten(1)
        assert per_channel.mean(1).abs().max() < 1e-5
        assert (per_channel.std(1, unbiased=False) - 1).abs().max() < 1e-3


def test_recorded_io_removes_hooks_even_after_an_error():
    """No hook survives the context manager, also when the forward pass raises."""
    model = SmallCNN(CNNConfig())
    with pytest.raises(RuntimeError), recorded_io(activation_modules(model)):
        model(torch.randn(2, 3, 28, 28))  # wrong channel count
    assert all(not module._forward_hooks for module in model.modules())


def test_initializations_set_the_expected_variance():
    """Kaiming gives conv weights of variance 2 / fan_in for ReLU; Xavier 2 / (fan_in + fan_out), no gain."""
    torch.manual_seed(0)
    kaiming = SmallCNN(CNNConfig(init="kaiming", width=64, depth=4))
    conv = kaiming.features[3].conv  # 64 -> 128 channels, 3x3
    assert conv.weight.var().item() == pytest.approx(2 / (64 * 9), rel=0.05)
    xavier = SmallCNN(CNNConfig(init="xavier", activation="tanh", width=64))
    conv = xavier.features[3].conv
    assert conv.weight.var().item() == pytest.approx(2 / (64 * 9 + 128 * 9), rel=0.05)  # Glorot & Bengio


def test_read_idx_parses_a_hand_made_file(tmp_path):
    """A 2×3 idx file of unsigned bytes, gzipped, reads back exactly."""
    data = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
    path = tmp_path / "tiny-idx2-ubyte.gz"
    path.write_bytes(gzip.compress(data))
    assert read_idx(path).tolist() == [[1, 2, 3], [4, 5, 6]]
    (tmp_path / "bad").write_bytes(b"nope")
    with pytest.raises(ValueError):
        read_idx(tmp_path / "bad")


def test_shipped_subset_is_balanced_and_small():
    """4,000 training and 2,000 test images, equally many of each of the ten classes."""
    subset = load_subset()
    assert len(subset["train"]) == 4000 and len(subset["test"]) == 2000
    for split in subset.values():
        assert np.bincount(split.labels).tolist() == [len(split) // len(CLASSES)] * len(CLASSES)
        assert split.images.dtype == np.uint8 and split.images.shape[1:] == (28, 28)


def test_stratified_indices_take_the_first_of_each_class():
    """Indices are the first per_class occurrences of every label, sorted."""
    labels = np.array([3, 1, 3, 0, 1, 3, 2, 2, 0, 4, 5, 6, 7, 8, 9, 9, 8])
    chosen = stratified_indices(labels, 1)
    assert chosen.tolist() == sorted([3, 1, 6, 0, 9, 10, 11, 12, 13, 14])


@pytest.mark.skipif(not DEBIAN_DIR.exists(), reason="Debian package dataset-fashion-mnist is not installed")
def test_debian_files_match_the_normalization_constants_and_the_subset():
    """MEAN/STD are the training set's statistics, and the shipped subset is taken from the Debian files."""
    full = load_debian()
    pixels = full["train"].images / 255.0
    assert pixels.mean() == pytest.approx(MEAN, abs=1e-4) and pixels.std() == pytest.approx(STD, abs=1e-4)
    subset = load_subset()
    first = stratified_indices(full["test"].labels, 200)
    assert np.array_equal(full["test"].images[first], subset["test"].images)
