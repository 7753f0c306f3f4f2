"""core.decay_measures: the weight-decay claims' effects recomputed from the shipped records and by hand."""

import numpy as np
import pytest

from core import all_runs, arms, claims, evidence, plan, tuning
from core.arms import JOINT_TUNED, ROUND7_ADAMW, TUNED
from core.weight_decay import OPTIMIZERS, SURFACES, decay_dose, optimizer_path

from .claim_records import assert_paired, final, planned, record, round_choice


def test_weight_decay_is_tested_at_round_eights_choices_on_round_fourteens_ten_seeds():
    """Round 14: AdamW and no decay, each at its choice over its round 8 grid, on seeds 70-79; round 8's test, the
    tied λ and all 20 seeds pooled beside; the recorded dose is Σ lr_t·λ of the run's schedule."""
    assert plan.ROUND8_SEEDS == (25, 26, 27, 28, 29) and plan.ROUND14_SEEDS == tuple(range(70, 80))
    for arm in ("adamw", "none"):
        for number in (8, 14):
            train = record(f"small_{plan.round_arm(arm, number)}_seed{70 if number == 14 else 25}")["train"]
            assert (train["lr"], train["weight_decay"]) == round_choice(arm)
    seeds, numbers = plan.ROUND14_SEEDS, claims.evidence("weight-decay-regularizes").numbers
    gain = 100 * (planned("adamw_round14", seeds) - planned("none_round14", seeds))
    assert_paired("weight-decay-regularizes", gain)
    round8 = 100 * (planned("adamw_round8", plan.ROUND8_SEEDS) - planned("none_round8", plan.ROUND8_SEEDS))
    round7 = 100 * (planned("adamw_round7", plan.ROUND7_SEEDS) - planned("none_joint", plan.ROUND7_SEEDS))
    tied = 100 * (planned("adamw_tied_round14", seeds) - planned("none_round14", seeds))
    for effects in (round8, tied, np.concatenate([gain, round8, round7])):
        assert beside(effects) in numbers
    for seed in seeds:
        shipped = record(f"small_adamw_round14_seed{seed}")
        assert shipped["decay_dose"] == pytest.approx(decay_dose(shipped["train"]))


def test_sgd_weight_decay_is_tested_at_the_rate_and_dose_validation_chose():
    """Round 7: SGD + L2 at the rate and λ chosen together against SGD without decay at the rate chosen for it from
    five, on seeds 20-24."""
    decayed = record("small_sgd_decay_joint_seed20")["train"]
    assert (decayed["lr"], decayed["weight_decay"]) == tuning.joint_choice("sgd_decay")
    assert record("small_sgd_seed20")["train"]["lr"] == TUNED["sgd"] == tuning.chosen_dose("sgd")
    assert_paired(
        "weight-decay-regularizes-sgd",
        100 * (planned("sgd_decay_joint", plan.ROUND7_SEEDS) - planned("sgd", plan.ROUND7_SEEDS)),
    )


def test_sgd_equivalence_by_hand_written_updates():
    """By hand: plain L2, w ← w − α(∇f + λw), and the slide's (1 − αλ)w − α∇f are both plain SGD's paths; with
    momentum, L2 (λw in the buffer) and decoupled decay (not in it) give the two momentum paths, which differ."""
    lr, decay, steps = 0.02, 0.5, 500

    def hand(momentum: float, decoupled: bool) -> np.ndarray:
        w, buffer, path = np.array([-2.5, -1.5]), np.zeros(2), []
        for step in range(steps + 1):
            path.append(w.copy())
            gradient = np.array([w[0] - 2.0, 20.0 * (w[1] - 1.0)]) + (0 if decoupled else decay * w)
            buffer = gradient if step == 0 else momentum * buffer + gradient
            w = (1 - lr * decay if decoupled else 1) * w - lr * buffer
        return np.array(path)

    surface = SURFACES["ill-conditioned quadratic"]
    labels = list(OPTIMIZERS)
    for label, (momentum, decoupled) in zip(labels, ((0, False), (0, True), (0.9, False), (0.9, True))):
        assert np.allclose(optimizer_path(surface, label, lr, decay, steps), hand(momentum, decoupled), atol=1e-9)
    found = claims.evidence("l2-equals-decay-for-sgd")
    assert found.effect == pytest.approx(float(np.abs(hand(0.9, False) - hand(0.9, True)).max()), abs=1e-9)
    assert found.condition_met and claims.verdict("l2-equals-decay-for-sgd") == claims.SHOWN


def test_adam_difference_is_jointly_tuned_adamw_minus_adam_l2_accuracy_on_fresh_seeds():
    """AdamW and Adam + L2, each at the rate and λ its validation chose together over its round 8 grid: the paired
    test-accuracy difference on seeds 25-29, each run on its seed's own draw of images."""
    for rule in ("adamw", "adam_l2"):
        train = record(f"small_{plan.round_arm(rule, 8)}_seed25")["train"]
        assert (train["lr"], train["weight_decay"]) == round_choice(rule)
        assert train["optimizer"] == ("adamw" if rule == "adamw" else "adam")
    adamw, adam_l2 = (planned(plan.round_arm(rule, 8), plan.ROUND8_SEEDS) for rule in ("adamw", "adam_l2"))
    assert_paired("l2-differs-from-decay-for-adam", 100 * (adamw - adam_l2))


def beside(effects: np.ndarray) -> str:
    """Per-seed effects as a claim's numbers report an earlier round: mean (interval) points."""
    return f"{evidence.paired(effects, '', '').brief()} points"


def test_the_weight_decay_claims_report_the_earlier_rounds_beside_round_eights_verdict():
    """Round 7's test (AdamW at its choice over 4 rates, and at round 5's, against no decay at seeds 20-24) beside
    the AdamW claim; round 5's (each Adam rule at its choice over 3 rates, seeds 5-9) beside the Adam + L2 claim."""
    assert plan.ROUND7_RUNS["adamw"] == "adamw_round7" and ROUND7_ADAMW != JOINT_TUNED["adamw"]
    none = planned("none_joint", plan.ROUND7_SEEDS)
    numbers = claims.evidence("weight-decay-regularizes").numbers
    for name in ("adamw_round7", "adamw_joint"):
        assert beside(100 * (planned(name, plan.ROUND7_SEEDS) - none)) in numbers
    for rule in ("adamw", "adam_l2"):
        train = record(f"small_{plan.joint_arm(rule)}_seed{plan.FRESH_SEEDS[0]}")["train"]
        assert (train["lr"], train["weight_decay"]) == JOINT_TUNED[rule]
    round5 = final("adamw_joint", seeds=plan.FRESH_SEEDS) - final("adam_l2_joint", seeds=plan.FRESH_SEEDS)
    assert beside(100 * round5) in claims.evidence("l2-differs-from-decay-for-adam").numbers


def test_round_fourteen_retrains_round_eights_two_arms_and_the_tied_lambda_at_ten_fresh_seeds():
    """Round 14: round 8's two choices and AdamW at λ 0.1 at seeds 70-79, each seed on a draw no other run makes."""
    runs = plan.round14_runs()
    others = [spec for spec in all_runs.shipped_runs() + all_runs.pending_runs() if spec not in runs]
    earlier = {spec.data_seed for spec in others}
    assert {spec.data_seed for spec in runs}.isdisjoint(earlier) and len(runs) == 3 * 10
    points = {(s.train.optimizer, s.train.lr, s.train.weight_decay) for s in runs}
    assert points == {("adam", 3e-3, 0.0), ("adamw", 1e-2, 1.0), ("adamw", 1e-2, 0.1)}
    assert arms.ROUND8_TUNED["none"] == (3e-3, 0.0) and arms.ROUND8_TUNED["adamw"] == (1e-2, 1.0)
