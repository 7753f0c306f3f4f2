"""core.dropout_bn: the variance shift of dropout before BatchNorm, against its hand computation."""

import numpy as np
import torch

from core.dropout_bn import ARRANGEMENTS, variance_shift, variance_shift_figure


def relu_features(units: int = 64, items: int = 2000) -> torch.Tensor:
    """Activations as a ReLU hands them on: non-negative, each unit with its own mean and spread."""
    generator = torch.Generator().manual_seed(0)
    scale = torch.linspace(0.5, 2.0, units)
    return torch.relu(torch.randn(items, units, generator=generator) * scale + 0.3)  # (N, H)


def test_the_stored_variance_is_the_hand_computed_one():
    """Dropout p before BatchNorm: its running variance is Var/(1−p) + p/(1−p)·mean² of what it sees at test
    time (inverted dropout keeps the mean and adds variance), per unit, within sampling error."""
    found = variance_shift(relu_features(), 0.5, seed=1)
    assert np.allclose(found.stored_over_test, found.predicted, rtol=0.12)
    assert abs(np.median(found.stored_over_test / found.predicted) - 1) < 0.03


def test_only_dropout_before_batchnorm_shrinks_the_test_outputs():
    """Dropout first: test outputs spread about 1/√(stored ratio); BatchNorm first: 1, as in training."""
    found = variance_shift(relu_features(), 0.5, seed=1)
    before, after = (found.output_std[name] for name in ARRANGEMENTS)
    assert np.allclose(before, 1 / np.sqrt(found.stored_over_test), rtol=0.02)
    assert np.median(before) < 0.75
    assert abs(np.median(after) - 1) < 0.02


def test_no_dropout_no_shift_and_the_seed_decides():
    """p = 0 leaves the variance alone; the same seed gives the same numbers, another seed other masks."""
    features = relu_features()
    assert abs(np.median(variance_shift(features, 0.0, seed=1).stored_over_test) - 1) < 0.02
    first, again, other = (variance_shift(features, 0.2, seed=s) for s in (3, 3, 4))
    assert np.array_equal(first.stored_over_test, again.stored_over_test)
    assert not np.array_equal(first.stored_over_test, other.stored_over_test)


def test_units_that_never_fire_are_left_out_and_the_figure_has_both_orders():
    features = relu_features()
    features[:, 0] = 0.0  # a dead unit: no variance to shift
    found = variance_shift(features, 0.5, seed=1)
    assert len(found.predicted) == features.shape[1] - 1
    assert [trace.name for trace in variance_shift_figure(found).data] == list(ARRANGEMENTS)
