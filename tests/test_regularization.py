"""The Regularization Lab's computations (core.weight_decay, core.early_stopping, core.ensembles,
core.regularization): optimizer paths from torch.optim, early stopping and ensemble numbers by hand."""

import numpy as np
import pytest

from core.early_stopping import early_stopping, early_stopping_losses, early_stopping_rows, epoch_means
from core.ensembles import (
    bootstrap_indices,
    disagreement,
    ensemble_series,
    error_correlation,
    errors_by_size,
    image_gains,
    leave_one_out_wins,
    member_errors,
    squared_error_series,
    squared_errors,
)
from core.regularization import (
    across_seeds,
    arm_summary,
    grid_rows,
    loss_change,
    same_augmentation_rows,
    train_validation_series,
)
from core.weight_decay import OPTIMIZERS, SURFACES, optimizer_path, surface_grid

LABELS = list(OPTIMIZERS)  # SGD L2 / decoupled, SGD momentum L2 / decoupled, Adam(weight_decay), AdamW


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("decay", [0.0, 0.1, 0.7])
def test_plain_sgd_l2_and_the_decoupled_update_agree_to_precision(surface, decay):
    """Plain gradient descent: L2 in the loss and the slide's (1 − αλ)Θ − α∇f give the same iterates."""
    first = optimizer_path(SURFACES[surface], LABELS[0], lr=0.02, decay=decay, steps=150)
    second = optimizer_path(SURFACES[surface], LABELS[1], lr=0.02, decay=decay, steps=150)
    assert np.allclose(first, second, atol=1e-12, rtol=0)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_with_momentum_l2_and_decoupled_decay_part_ways(surface):
    """SGD with momentum 0.9: the two rules agree at λ = 0 and differ at λ > 0."""
    same = [optimizer_path(SURFACES[surface], label, lr=0.02, decay=0.0, steps=100) for label in LABELS[2:4]]
    assert np.array_equal(*same)
    apart = [optimizer_path(SURFACES[surface], label, lr=0.02, decay=0.5, steps=100) for label in LABELS[2:4]]
    assert np.abs(apart[0] - apart[1]).max() > 0.05


def test_decoupled_momentum_step_by_hand():
    """Three steps of the decoupled rule with momentum on f(w) = ½‖w‖², written out with numpy."""
    surface = SURFACES["ill-conditioned quadratic"]
    lr, decay, momentum = 0.02, 0.5, 0.9
    w, buffer = np.array(surface.start), np.zeros(2)
    expected = [w.copy()]
    for step in range(3):
        gradient = np.array([w[0] - 2.0, 20.0 * (w[1] - 1.0)])  # ∇ of the quadratic surface
        buffer = gradient if step == 0 else momentum * buffer + gradient  # torch's SGD: first buffer = gradient
        w = (1 - lr * decay) * w - lr * buffer
        expected.append(w.copy())
    found = optimizer_path(surface, LABELS[3], lr=lr, decay=decay, steps=3)
    np.testing.assert_allclose(found, np.array(expected), atol=1e-12, rtol=0)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_adam_l2_and_adamw_differ_for_positive_lambda_and_agree_for_zero(surface):
    """Adam + L2 and AdamW coincide at λ = 0 and part ways at λ > 0."""
    same = [optimizer_path(SURFACES[surface], label, lr=0.05, decay=0.0, steps=100) for label in LABELS[4:]]
    assert np.array_equal(*same)
    apart = [optimizer_path(SURFACES[surface], label, lr=0.05, decay=0.5, steps=100) for label in LABELS[4:]]
    assert np.linalg.norm(apart[0][-1] - apart[1][-1]) > 0.05


def test_weight_decay_pulls_the_sgd_optimum_towards_the_origin():
    """On the quadratic, SGD with λ ends closer to the origin than without (the regularized optimum)."""
    surface = SURFACES["ill-conditioned quadratic"]
    free = optimizer_path(surface, LABELS[1], lr=0.04, decay=0.0, steps=400)[-1]
    decayed = optimizer_path(surface, LABELS[1], lr=0.04, decay=0.5, steps=400)[-1]
    assert np.linalg.norm(decayed) < np.linalg.norm(free)
    # The regularized quadratic's minimum, by hand: w1 = 2 / (1 + λ), w2 = 20 / (20 + λ).
    assert decayed == pytest.approx([2 / 1.5, 20 / 20.5], abs=1e-3)


def test_surface_grid_shape():
    """The contour grid is points × points with the loss of each (w1, w2)."""
    w1, w2, loss = surface_grid(SURFACES["two valleys (non-convex)"], points=30)
    assert loss.shape == (30, 30) and len(w1) == len(w2) == 30


def test_early_stopping_on_a_known_curve():
    """Losses 5,4,3,3.5,3.2,3.1,3.3: best at index 2; with patience 3 training stops at index 5."""
    losses = [5, 4, 3, 3.5, 3.2, 3.1, 3.3]
    assert early_stopping(losses, patience=3) == (5, 2)
    assert early_stopping(losses, patience=10) == (6, 2)  # never triggered: runs to the end
    assert early_stopping([3, 2, 1], patience=1) == (2, 2)


def test_epoch_means_align_with_evaluations():
    """Epoch 0 has no training loss; epoch k is the mean of its steps."""
    assert epoch_means([1, 3, 5, 7], 2) == pytest.approx([np.nan, 2, 6], nan_ok=True)


def make_probs(predictions: list[list[int]], classes: int = 3) -> np.ndarray:
    return np.eye(classes)[np.array(predictions)] * 0.8 + 0.2 / classes


def test_ensemble_of_one_is_the_member():
    """K = 1: the ensemble error is the single member's error."""
    labels = np.array([0, 1, 2, 0])
    probs = make_probs([[0, 1, 1, 0], [0, 2, 2, 1]])
    assert errors_by_size(probs, labels)[0] == member_errors(probs, labels)[0] == 0.25


def test_averaging_fixes_errors_that_are_not_shared():
    """Three members each wrong on a different image: the majority of the average is always right."""
    labels = np.array([0, 0, 0])
    probs = make_probs([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert member_errors(probs, labels).tolist() == pytest.approx([1 / 3] * 3)
    assert errors_by_size(probs, labels)[-1] == 0.0
    assert disagreement(probs)[0, 1] == pytest.approx(2 / 3)
    assert np.all(np.diag(disagreement(probs)) == 0)


def test_error_correlation_is_one_for_identical_mistakes():
    """Members with exactly the same mistakes have error correlation 1."""
    labels = np.array([0, 1, 2, 0])
    probs = make_probs([[1, 1, 2, 0], [1, 1, 2, 0], [1, 1, 2, 0]])
    assert error_correlation(probs, labels) == pytest.approx(1.0)


def test_bootstrap_indices_repeat_some_and_miss_some():
    """A bootstrap sample of 1,000 draws with replacement: about 63% distinct, seeded."""
    indices = bootstrap_indices(1000, seed=3)
    assert len(indices) == 1000 and 580 < len(np.unique(indices)) < 680
    assert np.array_equal(indices, bootstrap_indices(1000, seed=3))


def test_a_shorter_optimizer_run_is_a_prefix_of_a_longer_one():
    """The page computes paths once to 500 steps and slices: exactly what a 200-step run gives."""
    for surface in SURFACES.values():
        for label in OPTIMIZERS:
            long = optimizer_path(surface, label, 0.05, 0.1, 500)
            assert np.array_equal(long[:201], optimizer_path(surface, label, 0.05, 0.1, 200))


def _record(seed: int, accuracy: float, loss: float) -> dict:
    """A hand-made small-data record: two evaluations, 5 steps each."""
    return {
        "seed": seed,
        "train": {"eval_every": 5, "batch_size": 10},
        "eval_steps": [0, 5],
        "train_loss": [2.0, 1.0, 1.0, 1.0, 1.0],
        "train_accuracy": [0.1, 1.0],
        "val_accuracy": [0.2, accuracy],
        "test_accuracy": [0.1, accuracy],
        "val_loss": [2.3, loss],
        "test_loss": [2.3, loss],
        "train_images": 50,
        "kept_step": 5,
        "kept": {"train_accuracy": 1.0, "test_accuracy": accuracy, "test_loss": loss},
        "epoch_steps": [0, 5],
        "epoch_val_loss": [2.3, 1.9],
        "early_stopped": {"step": 5, "train_accuracy": 1.0, "test_accuracy": accuracy + 0.01, "test_loss": loss},
    }


def test_seed_tables_and_early_stopping_curves_by_hand():
    """across_seeds, same_augmentation_rows and early_stopping_losses on hand-made records."""
    records = [_record(0, 0.8, 0.5), _record(1, 0.6, 0.7)]
    epochs, mean, std = across_seeds(records, "test_accuracy", steps_per_epoch=5)
    assert epochs.tolist() == [0, 1] and mean == pytest.approx([0.1, 0.7]) and std[1] == pytest.approx(0.1414, abs=1e-4)
    arms = {name: records for name in ("none", "rand_augment", "narrow_none", "narrow_rand_augment")}
    rows = same_augmentation_rows(arms, {"none": "without", "rand_augment": "with"})
    assert [row["network"] for row in rows] == ["width 16 (the main CNN)", "width 8"]
    assert rows[0]["with"] == "70.0 ± 14.1"
    series, dashed = train_validation_series({"a": records}, steps_per_epoch=5)
    assert dashed == ["a: training"] and list(series) == ["a: validation", "a: training"]
    assert series["a: validation"][1] == pytest.approx([0.2, 0.7]) and series["a: training"][1] == pytest.approx(
        [0.1, 1]
    )
    summary = arm_summary("x", records)  # at the end of the schedule
    assert summary["gap (points)"] == "30.0 ± 14.1"
    assert loss_change([4.0] * 80 + [2.0] * 10 + [1.0] * 10) == pytest.approx(0.5)  # window 10: mean 2 → 1
    losses = early_stopping_losses(records[0], steps_per_epoch=5)
    epochs, training = losses["training loss (mean over the last 1 epochs)"]
    assert epochs.tolist() == [0, 1] and training == pytest.approx([np.nan, 1.2], nan_ok=True)
    epochs, validation = losses["validation loss (every epoch)"]
    assert epochs.tolist() == [0, 1] and validation.tolist() == [2.3, 1.9]
    records[1]["early_stopped_accuracy"] = {**records[1]["early_stopped"], "step": 0, "test_accuracy": 0.1}
    rows = early_stopping_rows(records, patience=1, steps_per_epoch=5)
    assert rows[0]["lowest validation loss: epoch"] == 1 and rows[0]["test accuracy, lowest loss"] == "81.0%"
    assert rows[0]["best validation accuracy: epoch"] == rows[0]["test accuracy there"] == "–"  # not kept before
    assert rows[1]["best validation accuracy: epoch"] == "0" and rows[1]["test accuracy there"] == "10.0%"


def test_grid_rows_take_the_end_of_the_schedule():
    """Each grid point's row: the last evaluation of both runs' curves, and their difference in points."""
    none, augmented = _record(0, 0.8, 0.5), _record(0, 0.83, 0.5)
    for record in (none, augmented):
        record["model"] = {"width": 16, "norm": "batch"}
    row = grid_rows([(none, augmented)])[0]
    assert (row["test %, no augmentation"], row["test %, augmented"], row["gain (points)"]) == ("80.0", "83.0", "+3.0")
    assert row["train %, augmented"] == "100.0" and row["training images"] == 50


def test_ensemble_series_are_the_averages_members_and_mc_means():
    """Seed and bagging curves are errors_by_size, members their own errors, MC the mean over members."""
    labels = np.array([0, 1])
    probs = {kind: np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.4, 0.6], [0.2, 0.8]]]) for kind in ("seed", "bag")}
    series = ensemble_series(probs, np.array([[0.5, 0.4], [0.3, 0.2]]), (1, 2), labels)
    assert list(series["ensemble of seeds"][1]) == [0.5, 0.0]  # member 1 misses item 1; the average gets both
    assert list(series["single members (seeds)"][1]) == [0.5, 0.5]
    assert list(series["MC dropout of one member, T passes (mean of 6)"][1]) == pytest.approx([0.4, 0.3])


def test_image_gains_by_hand():
    """Per image, a member's error (the best one's, or the members' mean) minus the average's."""
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(4), size=(5, 300))  # (K, N, C)
    labels = rng.integers(0, 4, 300)
    combined = probs.mean(0).argmax(-1) != labels
    best = int(np.argmin([(p.argmax(-1) != labels).mean() for p in probs]))
    singles = {
        "best": (probs[best].argmax(-1) != labels).astype(float),
        "mean": np.mean([(p.argmax(-1) != labels) for p in probs], axis=0),
    }
    for against, single in singles.items():
        assert image_gains(probs, labels, against) == pytest.approx(single - combined)
    assert 0 <= leave_one_out_wins(probs, labels) <= 5


def test_squared_errors_follow_the_variance_covariance_formula():
    """Averaged over all subsets, the measured error is v/k + (k − 1)c/k; its ends equal a direct computation."""
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), size=(4, 200))
    labels = rng.integers(0, 3, 200)
    found = squared_errors(probs, labels)
    onehot = np.eye(3)[labels]
    direct_one = np.mean([np.mean(np.sum((p - onehot) ** 2, axis=1)) for p in probs])
    direct_all = np.mean(np.sum((probs.mean(0) - onehot) ** 2, axis=1))
    assert found.measured[0] == pytest.approx(direct_one) and found.measured[-1] == pytest.approx(direct_all)
    series = squared_error_series(found)
    assert list(series) == ["measured: average of k members", "if the errors were uncorrelated: v/k",
                            "floor c: the error the members share"]  # fmt: skip
    assert np.all(series["floor c: the error the members share"][1] == found.covariance)
    k = found.sizes
    formula = found.variance / k + (k - 1) / k * found.covariance
    np.testing.assert_allclose(found.measured, formula, rtol=1e-10)
    np.testing.assert_allclose(found.uncorrelated, found.variance / found.sizes)


def test_decay_dose_sums_the_cosine_schedule():
    """Σ lr_t·λ equals the sum of torch's CosineAnnealingLR rates times λ."""
    from dataclasses import asdict

    import torch

    from core.trainer import TrainConfig
    from core.weight_decay import decay_dose

    config = TrainConfig(steps=50, lr=1e-3, weight_decay=2.0, cosine=True)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=config.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, config.steps)
    rates = []
    for _ in range(config.steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    assert decay_dose(asdict(config)) == pytest.approx(2.0 * sum(rates), rel=1e-9)
    assert decay_dose(asdict(config), until=10) == pytest.approx(2.0 * sum(rates[:10]), rel=1e-9)


def test_the_tta_table_reads_the_recorded_test_sets():
    """Every transformed test set of the TTA table is one that core.plan records, and the clean set is first."""
    from core.plan import TTA_TEST_SETS
    from core.regularization import TTA_TABLE_SETS

    assert list(TTA_TABLE_SETS.values())[0] is None
    assert set(list(TTA_TABLE_SETS.values())[1:]) == {f"{family} {strength:g}" for family, strength in TTA_TEST_SETS}
