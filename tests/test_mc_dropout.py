"""core.mc_dropout: batched MC dropout equals the naive loop, and the uncertainty numbers equal hand computations."""

import threading

import numpy as np
import pytest
import torch

from core.calibration import calibrated_ece, calibration_change, reliability
from core.data import load_subset, to_tensor
from core.mc_dropout import (
    deterministic_probs,
    entropy,
    fashion_position,
    mc_probs,
    mc_probs_loop,
    perturbation_sweep,
    perturbed_features,
    prediction_numbers,
    running_mean,
    sweep_series,
    tta_report,
    tta_views,
    uncertainty,
    votes,
    weight_scaling,
)
from core.models import CNNConfig
from core.runs import load_run, private_model

IMAGES = to_tensor(load_subset()["test"].images[:16])


@pytest.fixture(scope="module")
def model():
    run = load_run("dropout_p0.2")
    return private_model(run.config, run.final, train=False)


def state(model) -> dict[str, torch.Tensor]:
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def test_p_zero_makes_every_pass_the_deterministic_output(model):
    """With dropout p = 0 all T passes equal the dropout-off prediction."""
    run = load_run("dropout_p0.2")
    no_dropout = private_model(CNNConfig(**{**run.config.__dict__, "dropout": 0.0}), run.final, train=False)
    samples = mc_probs(no_dropout, IMAGES, passes=7, seed=0)
    assert torch.allclose(samples, deterministic_probs(no_dropout, IMAGES).expand(7, -1, -1), atol=1e-6)


def test_batched_equals_the_loop_of_full_passes(model):
    """Same seed: the batched path draws the same masks as T separate full passes."""
    for images in (IMAGES[:1], IMAGES):
        batched, looped = mc_probs(model, images, 30, seed=4), mc_probs_loop(model, images, 30, seed=4)
        assert batched.shape == looped.shape == (30, len(images), 10)
        assert torch.allclose(batched, looped, atol=1e-6)


def test_passes_differ_and_the_seed_fixes_them(model):
    """Dropout makes passes differ; the same seed repeats them exactly, another seed does not."""
    first, again, other = (mc_probs(model, IMAGES[:2], 20, seed) for seed in (1, 1, 2))
    assert not torch.allclose(first[0], first[1])
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_shared_model_is_untouched_also_by_two_threads(model):
    """MC calls leave the model bit-identical, in eval mode and hook-free, even when two threads run them."""
    before = state(model)
    results: dict[int, torch.Tensor] = {}

    def work(seed: int) -> None:
        results[seed] = mc_probs(model, IMAGES, 50, seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert torch.equal(results[0], mc_probs(model, IMAGES, 50, 0))
    assert all(torch.equal(before[name], tensor) for name, tensor in model.state_dict().items())
    assert not model.training and not any(m.training for m in model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_entropy_and_mutual_information_match_numpy_by_hand():
    """Two passes that disagree completely: entropy of the mean is ln 2, each pass has entropy 0, MI = ln 2."""
    probs = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])  # (T=2, B=1, C=2)
    numbers = uncertainty(probs)
    assert numbers.predictive_entropy[0] == pytest.approx(np.log(2))
    assert numbers.expected_entropy[0] == pytest.approx(0.0)
    assert numbers.mutual_information[0] == pytest.approx(np.log(2))
    agreeing = uncertainty(np.array([[[0.5, 0.5]], [[0.5, 0.5]]]))
    assert agreeing.mutual_information[0] == pytest.approx(0.0)
    p = np.array([0.7, 0.2, 0.1])
    assert entropy(p) == pytest.approx(-(0.7 * np.log(0.7) + 0.2 * np.log(0.2) + 0.1 * np.log(0.1)))


def test_votes_and_running_mean():
    """Votes count each pass's argmax; the running mean after k passes is the mean of the first k."""
    probs = np.array([[[0.6, 0.4]], [[0.3, 0.7]], [[0.8, 0.2]]])
    assert votes(probs).tolist() == [[2, 1]]
    assert running_mean(probs)[:, 0, 0] == pytest.approx([0.6, 0.45, 1.7 / 3])


def test_ece_matches_a_hand_computed_example():
    """Bins of width 0.5: (0.3 wrong, 0.4 right) and (0.8 right, 0.9 right, 0.6 wrong)."""
    confidence = np.array([0.3, 0.4, 0.8, 0.9, 0.6])
    correct = np.array([False, True, True, True, False])
    curve = reliability(confidence, correct, bins=2)
    # bin 1: acc 0.5, conf 0.35 -> gap 0.15, weight 2/5; bin 2: acc 2/3, conf 0.7667 -> gap 0.1, weight 3/5
    assert curve.ece == pytest.approx(2 / 5 * 0.15 + 3 / 5 * 0.1)
    assert curve.counts.tolist() == [2, 3]
    assert curve.accuracy == pytest.approx([0.5, 2 / 3])


def test_a_perfectly_calibrated_network_measures_a_binning_floor_that_shrinks_with_the_test_set():
    """Outcomes drawn with their confidences: certainty gives 0; otherwise the ECE is above 0, shrinking about as
    1 / sqrt(N) (for one bin of confidence 0.7 the mean gap |accuracy - 0.7| is sqrt(2 · 0.21 / (π N)))."""
    assert calibrated_ece(np.ones(100), draws=5).tolist() == [0.0] * 5
    small, large = (calibrated_ece(np.full(n, 0.7), draws=400).mean() for n in (100, 10_000))
    assert small == pytest.approx(np.sqrt(2 * 0.21 / (np.pi * 100)), rel=0.1)
    assert large == pytest.approx(np.sqrt(2 * 0.21 / (np.pi * 10_000)), rel=0.1)
    assert calibrated_ece(np.full(50, 0.7), draws=3, seed=1).tolist() == calibrated_ece(np.full(50, 0.7), 3, 1).tolist()


def test_confidence_on_a_bin_edge_goes_to_the_lower_bin():
    """Bins are (lo, hi]: a confidence of exactly 0.5 belongs to the first of two bins; 0 is kept too."""
    curve = reliability(np.array([0.5, 0.0, 1.0]), np.array([True, True, False]), bins=2)
    assert curve.counts.tolist() == [2, 1]


def test_weight_scaling_rule_against_pytorch_dropout():
    """E[z] without rescaling is q·θx; with PyTorch's inverted dropout it is θx, and real draws agree."""
    theta, x = np.array([2.0, -1.0]), np.array([1.0, 3.0])
    for p in (0.0, 0.3, 0.5, 0.9):
        demo = weight_scaling(theta, x, p)
        assert demo.lecture_expectation == pytest.approx((1 - p) * demo.full)
        assert demo.pytorch_expectation == pytest.approx(demo.full)
        assert demo.pytorch_monte_carlo == pytest.approx(demo.full, abs=0.05 * (1 + p * 10))


def test_perturbation_grows_uncertainty_on_a_sneaker(model):
    """Rotating a sneaker by 90° or more raises mutual information above the upright one's."""
    strengths, numbers, confidence = perturbation_sweep(model, perturbed_features(model, IMAGES[0], "rotate"), 40, 0)
    assert strengths[0] == 0 and len(strengths) == len(confidence) == 13
    assert numbers.mutual_information[6:].max() > numbers.mutual_information[0]


def test_sweeps_from_features_equal_full_passes_of_the_perturbed_images(model):
    """A sweep or rotation scatter from features computed once equals full passes of the perturbed images."""
    from core.mc_dropout import ROTATION_STEPS, STRENGTHS, perturbed, rotation_features, rotation_scatter

    for kind in ("rotate", "brightness"):
        images = perturbed(IMAGES[1], kind, STRENGTHS[kind])
        _, numbers, confidence = perturbation_sweep(model, perturbed_features(model, IMAGES[1], kind), 30, seed=3)
        expected = uncertainty(mc_probs(model, images, 30, seed=3).numpy())
        np.testing.assert_allclose(numbers.mutual_information, expected.mutual_information, atol=1e-6)
        np.testing.assert_allclose(confidence, deterministic_probs(model, images).max(1).values.numpy(), atol=1e-6)
    scatter = rotation_scatter(model, rotation_features(model, IMAGES[1]), 20, seed=5)
    full = mc_probs(model, perturbed(IMAGES[1], "rotate", ROTATION_STEPS), 20, seed=5).numpy()
    np.testing.assert_allclose(scatter.probs, full, atol=1e-6)


def test_tta_views_and_report(model):
    """Six views of the same shape; the report has one accuracy per view and two averages."""
    views = tta_views(IMAGES)
    assert [name for name, _ in views][:2] == ["original", "mirrored"] and len(views) == 6
    assert all(view.shape == IMAGES.shape for _, view in views)
    labels = torch.from_numpy(load_subset()["test"].labels[:16])
    report = tta_report(model, IMAGES, labels)
    assert report["original only"] == pytest.approx(
        float((deterministic_probs(model, IMAGES).argmax(1) == labels).float().mean())
    )
    assert "average without the mirror" in report


def test_prediction_numbers_explain_themselves():
    """Five figures, each with a one-line explanation where it is not self-evident."""
    samples = np.array([[0.9, 0.1], [0.7, 0.3]])
    numbers = prediction_numbers(samples, np.array([0.85, 0.15]), ("a", "b"))
    assert [n.label for n in numbers][2:] == ["Predictive entropy", "Expected entropy", "Mutual information"]
    assert numbers[1].value == "a" and numbers[1].note == "80.0% confident"
    assert all(n.help for n in numbers)


def test_passes_from_cached_features_equal_passes_from_images(model):
    """Features computed once (as the Calibration tab caches them) give exactly the same passes and outputs."""
    from core.mc_dropout import head_probs, mc_head_probs

    images = to_tensor(load_subset()["test"].images[:32])
    with torch.inference_mode():
        features = model.embed(images)
    assert torch.equal(mc_head_probs(model, features, 20, seed=4), mc_probs(model, images, 20, seed=4))
    assert torch.allclose(head_probs(model, features), deterministic_probs(model, images), atol=1e-6)


def test_calibration_from_embeddings_matches_full_passes(model):
    """The tab's cached-embedding route gives the ECE of full dropout-off and MC passes over the images."""
    from core.calibration import calibration
    from core.mc_dropout import embeddings

    test = load_subset()["test"]
    images, labels = to_tensor(test.images[:300]), test.labels[:300]
    curves = calibration(model, embeddings(model, images), labels, 10, seed=2)
    off = deterministic_probs(model, images).numpy()
    mc = mc_probs(model, images, 10, seed=2).numpy().mean(0)
    assert curves["dropout off"].ece == pytest.approx(reliability(off.max(1), off.argmax(1) == labels).ece, abs=1e-6)
    assert curves["MC average of 10"].ece == pytest.approx(reliability(mc.max(1), mc.argmax(1) == labels).ece)


def test_sweep_series_names_the_lines_and_the_axis():
    """Mutual information, predictive entropy and confidence over the strengths; the axis says the perturbation."""
    strengths, confidence = np.array([0.0, 90.0]), np.array([0.9, 0.4])
    numbers = uncertainty(np.array([[[0.9, 0.1], [0.5, 0.5]], [[0.7, 0.3], [0.1, 0.9]]]))
    series, x_title = sweep_series("rotate", strengths, numbers, confidence)
    assert list(series) == ["mutual information", "predictive entropy", "dropout-off confidence"]
    assert (
        series["mutual information"][1] is numbers.mutual_information
        and series["dropout-off confidence"][1] is confidence
    )
    assert x_title == "rotation (degrees)" and sweep_series("brightness", strengths, numbers, confidence)[1].startswith(
        "brightness"
    )


def test_fashion_position_counts_within_the_class():
    """The 2nd item of class 1 in [1, 0, 1, 1] sits at position 2."""
    assert fashion_position(np.array([1, 0, 1, 1]), 1, 1) == 2


def test_ece_uses_fifteen_bins_as_guo_et_al():
    """A hand-binned example: 15 equal-width bins put 0.64 and 0.68 apart (0.6–0.667, 0.667–0.733); 10 would not."""
    confidence = np.array([0.64, 0.68, 0.70, 0.72, 0.95])
    correct = np.array([True, False, True, True, True])
    curve = reliability(confidence, correct)
    assert len(curve.counts) == 15 and curve.counts.sum() == 5
    # Bins by hand: (0.6, 0.667]: {0.64} right; (0.667, 0.733]: {0.68, 0.70, 0.72}, 2 of 3 right; (0.933, 1]: {0.95}.
    expected = (abs(1 - 0.64) + 3 * abs(2 / 3 - (0.68 + 0.70 + 0.72) / 3) + abs(1 - 0.95)) / 5
    assert curve.ece == pytest.approx(expected)


def test_calibration_change_says_what_averaging_did():
    """Lower ECE reads 'lowers'; an average whose confidence is below its accuracy reads 'under-confident'."""
    off = reliability(np.array([0.99, 0.99, 0.99, 0.99]), np.array([True, True, False, False]))
    mc = reliability(np.array([0.6, 0.6, 0.6, 0.6]), np.array([True, True, True, False]))
    text = calibration_change(off, mc)
    assert "lowers" in text and "under-confident" in text and "75.0%" in text
