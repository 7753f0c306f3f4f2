"""core.norms: the four normalizations' groupings against torch.nn's own layers, on random and real activations."""

import numpy as np
import pytest
import torch
from torch import nn

from core import norms
from core.data import load_subset
from core.runs import load_run, private_model


@pytest.fixture(scope="module")
def real() -> dict[str, torch.Tensor]:
    """What enters each normalization of the shipped BN network for 16 test images."""
    run = load_run("batchnorm")
    images, _ = load_subset()["test"].tensors(16)
    return norms.normalization_inputs(private_model(run.config, run.final, train=False), images)


REFERENCES = {  # torch.nn's own layers, built here, not by the module under test
    "BatchNorm": lambda groups: nn.BatchNorm2d(16, affine=False, track_running_stats=False),
    "LayerNorm": lambda groups: nn.LayerNorm((16, 5, 7), elementwise_affine=False),
    "InstanceNorm": lambda groups: nn.InstanceNorm2d(16),
    "GroupNorm": lambda groups: nn.GroupNorm(groups, 16, affine=False),
}


@pytest.mark.parametrize("kind", norms.KINDS)
@pytest.mark.parametrize("groups", [1, 2, 4, 8, 16])
def test_each_grouping_equals_torchs_own_layer(kind, groups):
    """normalize(x, kind, G) and the page's torch_layer equal nn.BatchNorm2d / nn.LayerNorm / nn.InstanceNorm2d /
    nn.GroupNorm on x."""
    x = torch.randn(6, 16, 5, 7, generator=torch.Generator().manual_seed(0)) * 3 + 2
    expected = REFERENCES[kind](groups)(x)
    torch.testing.assert_close(norms.normalize(x, kind, groups), expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(norms.torch_layer(kind, 16, (5, 7), groups)(x), expected)


def test_torch_layers_are_the_plain_ones():
    """Without affine parameters; BatchNorm in training mode with batch statistics only."""
    layer = norms.torch_layer("BatchNorm", 4, (2, 2), 1)
    assert isinstance(layer, nn.BatchNorm2d) and layer.training and layer.running_mean is None and not layer.affine
    assert isinstance(norms.torch_layer("GroupNorm", 8, (2, 2), 4), nn.GroupNorm)


def test_the_sets_have_the_sizes_wu_and_he_draw():
    """N = 3, C = 8, G = 2: BN 8 sets of 3 columns, LN 3 of 8, IN 24 of 1, GN 6 of 4."""
    for kind, sets, per_set in (("BatchNorm", 8, 3), ("LayerNorm", 3, 8), ("InstanceNorm", 24, 1), ("GroupNorm", 6, 4)):
        ids = norms.set_ids(kind, 3, 8, 2)
        assert ids.shape == (3, 8) and len(np.unique(ids)) == sets
        assert set(np.bincount(ids.ravel())) == {per_set}
    with pytest.raises(ValueError):
        norms.set_ids("GroupNorm", 2, 6, 4)


def test_on_real_activations_only_batchnorm_depends_on_the_batch(real):
    """Every block: all four match torch; image 1 alone changes only BN's output; at N = 1 BN equals IN."""
    for x in real.values():
        reports = {r.kind: r for r in norms.compare(x[:8], 4)}
        assert all(r.torch_difference < 1e-4 for r in reports.values())
        assert reports["BatchNorm"].alone_difference > 0.05
        assert all(reports[k].alone_difference == 0 for k in ("LayerNorm", "InstanceNorm", "GroupNorm"))
        torch.testing.assert_close(norms.normalize(x[:1], "BatchNorm"), norms.normalize(x[:1], "InstanceNorm"))


def test_reported_statistics_are_those_of_the_first_set_by_numpy(real):
    """LayerNorm's first set is all of image 1: its mean and (biased) std by numpy."""
    x = real["block2"][:4]
    report = {r.kind: r for r in norms.compare(x, 2)}["LayerNorm"]
    values = x[0].numpy().astype(np.float64)
    assert report.first_mean == pytest.approx(values.mean()) and report.first_std == pytest.approx(values.std())
    assert report.sets == 4 and report.values_per_set == values.size


def test_the_cube_highlights_the_first_set_on_its_visible_faces():
    """Blue cells: the first set's front-face columns, top-face cells and right-face columns."""

    def blue_cells(kind: str, samples: int, channels: int, groups: int) -> int:
        xs, _ = norms._cell_polygons(kind, samples, channels, groups)[True]
        return xs.count(None)

    assert blue_cells("BatchNorm", 8, 16, 4) == 8 + 8 + 1  # and the right face's front column
    assert blue_cells("LayerNorm", 8, 16, 4) == 1 + 16
    assert blue_cells("InstanceNorm", 8, 16, 4) == 1 + 1
    assert blue_cells("GroupNorm", 8, 16, 4) == 1 + 4
    figure = norms.cube_figure(8, 16, 4)
    assert [a.text for a in figure.layout.annotations][:4] == [
        "BatchNorm",
        "LayerNorm",
        "InstanceNorm",
        "GroupNorm (G = 4)",
    ]
