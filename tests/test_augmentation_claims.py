"""The augmentation claims' effects (round 8) recomputed from the shipped records."""

import numpy as np
import pytest
from scipy import stats

from core import claims, evidence, plan

from .claim_records import assert_paired, final, planned, record, round_choice

AUGMENTATION = plan.ROUND8_SEEDS  # round 8: each arm at the rate validation chose
NONE_RUN, RECIPE_RUN = plan.round_arm("none", 8), plan.round_arm(plan.RECIPE, 8)


def test_augmentation_effect_is_the_named_recipe_minus_none_per_fresh_seed():
    """Flip + crop + erasing minus no augmentation, paired by seed, in points, on seeds 25-29 (round 8), each arm at
    the rate validation chose, both on each seed's own draw of images."""
    assert plan.RECIPE == "flip_shift_erase" and AUGMENTATION == (25, 26, 27, 28, 29)
    for arm, name in (("none", NONE_RUN), (plan.RECIPE, RECIPE_RUN)):
        assert record(f"small_{name}_seed25")["train"]["lr"] == round_choice(arm)[0]
    assert_paired(
        "augmentation-generalizes", 100 * (planned(RECIPE_RUN, AUGMENTATION) - planned(NONE_RUN, AUGMENTATION))
    )


def test_invariance_effect_is_the_accuracy_lost_to_the_changes_the_recipe_simulates():
    """Clean accuracy minus the mean over the shifted (2 and 4 px) and mirrored test sets: none's loss minus the
    recipe's, per seed."""

    def lost(name: str) -> np.ndarray:
        reports = [record(f"small_{name}_seed{s}")["invariance"] for s in AUGMENTATION]
        return np.array([r["clean"][0] - np.mean(r["shift"] + r["mirror"]) for r in reports])

    assert_paired("augmentation-buys-invariance", 100 * (lost(NONE_RUN) - lost(RECIPE_RUN)))
    for name in (NONE_RUN, RECIPE_RUN):  # the clean entry is the kept weights' test accuracy
        assert [r["invariance"]["clean"][0] for r in map(record, [f"small_{name}_seed{s}" for s in AUGMENTATION])] == (
            pytest.approx(list(final(name, seeds=AUGMENTATION)))
        )


def test_gap_effect_counts_only_when_the_test_figures_improve():
    """Gap without minus gap with the recipe; shown only if test accuracy or test loss improves (either interval
    above 0)."""
    gaps = {
        name: final(name, "train_accuracy", AUGMENTATION) - final(name, seeds=AUGMENTATION)
        for name in (NONE_RUN, RECIPE_RUN)
    }
    assert_paired("augmentation-shrinks-gap", 100 * (gaps[NONE_RUN] - gaps[RECIPE_RUN]))
    accuracy = final(RECIPE_RUN, seeds=AUGMENTATION) - final(NONE_RUN, seeds=AUGMENTATION)
    loss = final(NONE_RUN, "test_loss", AUGMENTATION) - final(RECIPE_RUN, "test_loss", AUGMENTATION)
    improves = any(stats.ttest_1samp(v, 0).confidence_interval(0.95).low > 0 for v in (accuracy, loss))
    assert claims.evidence("augmentation-shrinks-gap").condition_met == improves
    if not improves:
        assert claims.verdict("augmentation-shrinks-gap") == claims.NOT_SHOWN


def test_the_augmentation_claims_report_the_earlier_rounds_beside_round_eights_verdict():
    """Rounds 6 (seeds 15-19), 4 (5-9) and 2 (0-4), both arms at Adam's 1e-3, beside round 8's verdict."""
    numbers = claims.evidence("augmentation-generalizes").numbers
    for seeds in (plan.AUGMENTATION_SEEDS, plan.FRESH_SEEDS, plan.SEEDS):
        effects = 100 * (final(plan.RECIPE, seeds=seeds) - final("none", seeds=seeds))
        assert f"seeds {seeds[0]}–{seeds[-1]} (round" in numbers
        assert f"{evidence.paired(effects, '', '').brief()} points" in numbers
