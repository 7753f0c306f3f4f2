"""The shipped precomputed results equal a fresh computation, and read back as the live functions give them."""

import dataclasses
import json

import numpy as np
import pytest
import torch

from core import claims, precomputed
from core.bn_lab import images_to_fashion_input
from core.calibration import Reliability, calibration
from core.data import load_subset, to_tensor
from core.labs import OVERCONFIDENT
from core.mc_dropout import embeddings, mc_head_logits, ood_inputs, uncertainty_groups
from core.precomputed import DATASET_SEED, MAX_PASSES
from core.weight_decay import OPTIMIZERS, PATH_STEPS, SURFACES, optimizer_path

pytestmark = pytest.mark.slow  # rebuilds every precomputed result (about a minute)

# Another CPU's kernels change float32 results in their last digits: floats may differ by about that; keys, texts
# and shapes may not. A value within that of a bin edge can also land in the neighbouring bin. Measured: files built
# on an earlier machine, rebuilt on an AMD EPYC with AVX2 only (2026-12-03): one prediction moved in 4 of the 804
# reliability rows (T = 1..200 and dropout off, of 4 networks), ECE then 5e-4 apart (1/2,000 test images); a
# histogram fraction 1.2e-6 apart (2 of a layer's 1.6 million values). Allowed: FLIPS predictions per row, and
# FRACTION_TOLERANCE (about 3 of the smallest layer's 32,768 values) per histogram bin. A change of the code moves
# far more.
TOLERANCE = 1e-6
RELATIVE = 1e-5  # float32 sums and quantiles of millions of values
FLIPS = 2
FRACTION_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def fresh():
    """Everything recomputed from the shipped runs and data (about a minute), JSON-normalized like the file."""
    arrays, summary = precomputed.build()
    return arrays, json.loads(json.dumps(summary))


@pytest.fixture(scope="module")
def shipped():
    return precomputed.load()


def assert_same(shipped: object, fresh: object, where: str = "") -> None:
    if isinstance(fresh, dict):
        assert shipped.keys() == fresh.keys(), where
        for key in fresh:
            assert_same(shipped[key], fresh[key], f"{where}/{key}")
    elif isinstance(fresh, list):
        assert len(shipped) == len(fresh), where
        for index, (a, b) in enumerate(zip(shipped, fresh)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(fresh, float):
        tolerance = FRACTION_TOLERANCE if "/fractions/" in where else TOLERANCE
        assert shipped == pytest.approx(fresh, rel=RELATIVE, abs=tolerance), where
    else:
        assert shipped == fresh, where


def test_shipped_arrays_equal_a_fresh_computation(shipped, fresh):
    """Calibration per network and T, in-vs-out uncertainty per p and T: same keys, shapes and values."""
    arrays, _ = fresh
    assert shipped.arrays.keys() == arrays.keys()
    for key, values in arrays.items():
        assert shipped.arrays[key].shape == values.shape, key
        if key.startswith("calibration/"):
            if key.endswith("/counts"):  # one check per diagram, of all its fields
                diagram = key.removesuffix("/counts")
                fields = [field.name for field in dataclasses.fields(Reliability)]
                assert_same_bins(*({f: found[f"{diagram}/{f}"] for f in fields} for found in (shipped.arrays, arrays)))
        elif values.dtype.kind in "iu":
            np.testing.assert_array_equal(shipped.arrays[key], values, err_msg=key)
        else:
            np.testing.assert_allclose(shipped.arrays[key], values, atol=TOLERANCE, rtol=0, err_msg=key)


def assert_same_bins(shipped: dict[str, np.ndarray], fresh: dict[str, np.ndarray]) -> None:
    """Reliability diagrams (``Reliability``'s fields; one row per T, or one diagram): equal up to FLIPS predictions
    per row that sit within float error of a bin edge and landed in the neighbouring bin."""
    np.testing.assert_array_equal(shipped["edges"], fresh["edges"])
    counts = np.asarray(fresh["counts"])
    moved = np.abs(np.asarray(shipped["counts"]) - counts)
    assert moved.max() <= FLIPS and moved.sum(axis=-1).max() <= 2 * FLIPS  # each move: -1 in one bin, +1 in another
    filled = counts > FLIPS  # a bin of a few predictions may be empty in one and not the other
    width = np.diff(fresh["edges"], axis=-1)  # a prediction moves a bin's mean confidence by at most its width / n
    for field, spread in (("accuracy", 1.0), ("confidence", width)):
        difference = np.abs(np.asarray(shipped[field]) - np.asarray(fresh[field]))
        assert np.array_equal(np.isnan(shipped[field])[filled], np.isnan(fresh[field])[filled]), field
        bound = FLIPS * spread / np.maximum(counts - FLIPS, 1) + TOLERANCE
        assert np.all(np.nan_to_num(difference)[filled] <= bound[filled]), field
    # A moved prediction weighs 1/N in the two bins it leaves and joins.
    assert np.all(np.abs(np.asarray(shipped["ece"]) - fresh["ece"]) <= 2 * FLIPS / counts.sum(axis=-1) + TOLERANCE)


def test_shipped_summary_equals_a_fresh_computation(shipped, fresh):
    """TTA, histograms, train/eval-mode accuracies, the batch-size sweep and every claim's evidence."""
    assert_same(shipped.summary, fresh[1])
    assert set(shipped.summary["evidence"]) == {claim.name for claim in claims.CLAIMS}


def test_t_passes_are_the_first_t_of_the_longest_draw():
    """The masks of T passes are the first T rows of MAX_PASSES passes with the same seed: one draw serves every T."""
    model = precomputed.network("dropout_p0.5")
    features = embeddings(model, to_tensor(load_subset()["test"].images[:64]))
    longest = mc_head_logits(model, features, MAX_PASSES, DATASET_SEED)
    for passes in (1, 7, 50, 199):
        assert torch.equal(mc_head_logits(model, features, passes, DATASET_SEED), longest[:passes])


@pytest.mark.parametrize(("name", "passes"), [("dropout_p0.1", 1), ("dropout_p0.2", 37), (OVERCONFIDENT, 200)])
def test_calibration_reads_back_as_a_live_computation(shipped, name, passes):
    """A shipped reliability diagram is the one ``calibration.calibration`` computes for that network and T."""
    model, test = precomputed.network(name), load_subset()["test"]
    live = calibration(model, embeddings(model, to_tensor(test.images)), test.labels, passes, DATASET_SEED)
    read = shipped.calibration(name, passes)
    assert list(read) == list(live) == ["dropout off", f"MC average of {passes}"]
    for label in live:
        assert_same_bins(dataclasses.asdict(read[label]), dataclasses.asdict(live[label]))


@pytest.mark.parametrize(("p", "passes"), [(0.1, 3), (0.5, 50)])
def test_in_vs_out_reads_back_as_a_live_computation(shipped, p, passes):
    """Shipped in- and out-of-distribution uncertainty equals ``uncertainty_groups`` on the same inputs."""
    test = load_subset()["test"]
    photos = images_to_fashion_input(precomputed.sample_photos(), invert=True)
    groups = ood_inputs(test.images, photos, DATASET_SEED)
    live = uncertainty_groups(precomputed.network(f"dropout_p{p}"), groups, passes, DATASET_SEED)
    read = shipped.ood(p, passes)
    assert list(read) == list(live)
    for group, numbers in live.items():
        for field in ("predictive_entropy", "expected_entropy", "mutual_information"):
            np.testing.assert_allclose(getattr(read[group], field), getattr(numbers, field), atol=TOLERANCE)


def test_shipped_arrays_are_read_only(shipped):
    """Every session shares them: writing to one raises instead of changing another student's view."""
    with pytest.raises(ValueError):
        shipped.calibration("dropout_p0.1", 5)["dropout off"].counts[0] = 1


@pytest.mark.parametrize(
    ("surface", "lr", "decay"), [("ill-conditioned quadratic", 0.1, 0.0), ("two valleys (non-convex)", 0.005, 1.0)]
)
def test_optimizer_paths_read_back_as_live_runs(shipped, surface, lr, decay):
    """A shipped path is the iterates torch.optim produces for that surface, learning rate and λ."""
    read = shipped.paths(surface, lr, decay)
    assert list(read) == list(OPTIMIZERS)
    for label, path in read.items():
        np.testing.assert_allclose(path, optimizer_path(SURFACES[surface], label, lr, decay, PATH_STEPS), atol=1e-12)
