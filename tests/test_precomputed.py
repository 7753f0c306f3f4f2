"""The shipped precomputed results equal a fresh computation, and read back as the live functions give them."""

import json

import numpy as np
import pytest
import torch

from core import claims, precomputed
from core.bn_lab import images_to_fashion_input
from core.calibration import calibration
from core.data import load_subset, to_tensor
from core.mc_dropout import embeddings, mc_head_logits, ood_inputs, uncertainty_groups
from core.precomputed import DATASET_SEED, MAX_PASSES
from core.weight_decay import OPTIMIZERS, PATH_STEPS, SURFACES, optimizer_path

pytestmark = pytest.mark.slow  # rebuilds every precomputed result (about a minute)

# Another CPU's kernels (AVX2 or AVX-512) change float32 results in their last digits: floats may differ by about
# that; keys, texts and shapes may not. A value within that of a bin edge can also land in the neighbouring bin: a
# reliability bin's count may differ by FLIPS predictions (its mean and the ECE by as many predictions' worth), a
# histogram's fraction by about 3 of the smallest layer's 32,768 values. A change of the code moves far more.
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
        if key.startswith("calibration/") and not key.endswith("/edges"):
            assert_same_bins(shipped.arrays, arrays, key)
        elif values.dtype.kind in "iu":
            np.testing.assert_array_equal(shipped.arrays[key], values, err_msg=key)
        else:
            np.testing.assert_allclose(shipped.arrays[key], values, atol=TOLERANCE, rtol=0, err_msg=key)


def assert_same_bins(shipped: dict[str, np.ndarray], fresh: dict[str, np.ndarray], key: str) -> None:
    """A reliability diagram's per-bin counts, accuracies, mean confidences or ECE (one row per T): equal up to
    FLIPS predictions that sit within float error of a bin edge and landed in the neighbouring bin."""
    counts = fresh[key.rsplit("/", 1)[0] + "/counts"]
    difference = np.abs(shipped[key].astype(float) - fresh[key].astype(float))
    if key.endswith("/counts"):
        assert difference.max() <= FLIPS, key
        return
    if key.endswith("/ece"):  # a moved prediction weighs 1/N in the two bins it leaves and joins
        assert np.all(difference <= 2 * FLIPS / counts.sum(axis=-1) + TOLERANCE), key
        return
    filled = counts > FLIPS  # a bin of a few predictions may be empty in one and not the other
    assert np.array_equal(np.isnan(shipped[key][filled]), np.isnan(fresh[key][filled])), key
    bound = FLIPS / np.maximum(counts - FLIPS, 1) + TOLERANCE  # FLIPS predictions' worth of a bin's mean
    assert np.all(np.nan_to_num(difference)[filled] <= bound[filled]), key


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


@pytest.mark.parametrize(("name", "passes"), [("dropout_p0.1", 1), ("dropout_p0.2", 37), ("small_dropout_seed0", 200)])
def test_calibration_reads_back_as_a_live_computation(shipped, name, passes):
    """A shipped reliability diagram is the one ``mc_dropout.calibration`` computes for that network and T."""
    model, test = precomputed.network(name), load_subset()["test"]
    live = calibration(model, embeddings(model, to_tensor(test.images)), test.labels, passes, DATASET_SEED)
    read = shipped.calibration(name, passes)
    assert list(read) == list(live) == ["dropout off", f"MC average of {passes}"]
    for label in live:
        np.testing.assert_array_equal(read[label].counts, live[label].counts)
        np.testing.assert_allclose(read[label].accuracy, live[label].accuracy, atol=TOLERANCE)
        np.testing.assert_allclose(read[label].confidence, live[label].confidence, atol=TOLERANCE)
        assert read[label].ece == pytest.approx(live[label].ece, abs=TOLERANCE)


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
