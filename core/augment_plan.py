"""Round 12's runs (``core.all_runs.shipped_runs`` lists them): "Test-time augmentation helps",
"Compare networks under the same augmentation" and "MC dropout calibrates" on 500 images, every arm at the rate
validation chose for it."""

from __future__ import annotations

from dataclasses import replace

from core.arms import ROUND12_TUNED
from core.models import CNNConfig
from core.runspec import TUNE_SEEDS, RunSpec, tuning_name
from core.small_plan import COMPARISON_AUGMENT, SMALL, SMALL_NARROW, fresh_small_run, round_arm, tuning_run
from core.trainer import TrainConfig

# Round 12 (registered on 2026-12-06 before its runs, after the ninth review found "Test-time augmentation helps" and
# "Compare networks under the same augmentation" judged with every network at Adam's untuned rate (1e-3), and "MC
# dropout calibrates" on 500 images at p 0.1, the lower edge of a p grid tuned at that rate): each augmented or narrow
# arm of the first two claims takes its rate from ROUND12_RATES by round 5's rule at TUNE_SEEDS (the highest mean
# validation accuracy at the end of the schedule, ties the lower mean validation loss; core.tuning), each tuning seed
# on its own draw of 500 training and 500 validation images; the network without augmentation (width 16) keeps its
# round 8 choice over the same rates by the same rule; dropout takes round 9's joint choice of rate and p (3e-3, 0.7:
# chosen for accuracy, not for calibration). Should an arm choose 3e-4 or 3e-2, every arm of its claim gains the next
# step beyond (1e-4 or 0.1) and every choice is made again over the whole grid; no second extension. Then each arm at
# its choice (ROUND12_TUNED, added once chosen, before its runs) at ROUND12_SEEDS, each seed on its own draw of images
# (no other run draws them). The verdicts, at the end of the schedule, on the 10,000 test images, paired t over the
# seeds, the minimums unchanged: TTA, the flip + crop network's average of the 6 views (original, mirror, 4 shifts of
# 2 px) minus the original alone on the clean test images (the transformed test images, 3 scales and the network
# without augmentation beside); the same-augmentation claim, the smaller of the two mean margins (round 3's measure:
# the fair ranking of width 16 and width 8, both with COMPARISON_AUGMENT, and its reversal when only the other one is
# augmented); MC dropout on 500 images, the ECE with dropout off minus that of the MC average of 50 passes
# (temperature scaling and the test loss beside). The earlier rounds are reported beside. Trained over more than one
# session: pending until its last run is recorded.
ROUND12_RATES = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)  # round 8's rates (core.plan.ROUND8_RATES; a test checks)
ROUND12_SEEDS = (45, 46, 47, 48, 49)
ROUND12_ARMS: dict[str, tuple[CNNConfig, TrainConfig]] = {  # the arms tuned in this round, at Adam's 1e-3
    "flip_shift": (CNNConfig(), replace(SMALL, augment="flip_shift")),
    COMPARISON_AUGMENT: (CNNConfig(), replace(SMALL, augment=COMPARISON_AUGMENT)),
    "narrow_none": (SMALL_NARROW, SMALL),
    f"narrow_{COMPARISON_AUGMENT}": (SMALL_NARROW, replace(SMALL, augment=COMPARISON_AUGMENT)),
}
TTA_ROUND12 = ("none", "flip_shift")  # the arms whose runs also measure test-time augmentation
# Chosen at 01:54 UTC on 2026-12-06, before its runs: flip + crop at 3e-3, inside its grid, so final (the TTA claim
# has no other tuned arm); the same-augmentation arms choose once all four grids are trained.
# Chosen at 05:11 UTC on 2026-12-06, before their runs: RandAugment 3e-3, width 8 1e-3, width 8 with RandAugment 3e-3,
# each inside its grid (and width 16 without augmentation round 8's 3e-3), so final: no extension.
SAME_ARMS = ("none", COMPARISON_AUGMENT, "narrow_none", f"narrow_{COMPARISON_AUGMENT}")  # width 16, then width 8
SAME_GRIDS = {arm: (ROUND12_RATES, (0.0,)) for arm in SAME_ARMS}  # width 16 without augmentation: round 8's, alike
ROUND12_GRIDS = {arm: (ROUND12_RATES, (0.0,)) for arm in ROUND12_ARMS}  # arm: (rates, doses), as core.tuning reads
# Amended at 01:55 UTC, before any verdict run had finished: each claim is judged once its own runs are recorded (TTA
# reads the flip + crop network and the one without augmentation, MC dropout the dropout network, and neither depends
# on another arm's choice), not when the round's last run is; those runs then ship (core.all_runs.shipped_runs).


def round12_point(arm: str, lr: float, dose: float) -> tuple[CNNConfig, TrainConfig]:
    """One arm of the round at rate ``lr`` (and, for dropout, p = ``dose``)."""
    if arm == "dropout":
        return CNNConfig(dropout=dose), replace(SMALL, lr=lr)
    model, train = ROUND12_ARMS.get(arm, (CNNConfig(), SMALL))  # "none": the width-16 network, not augmented
    return model, replace(train, lr=lr)


def round12_tuning_name(arm: str, lr: float, seed: int) -> str:
    """A tuning run's name, as core.plan.joint_name gives it for an arm without a dose."""
    return tuning_name(f"{arm}_lr{lr:g}", 0.0, seed)


def round12_runs() -> list[RunSpec]:
    """The tuning runs of the arms this round tunes, then each arm at its choice at ROUND12_SEEDS."""
    runs = [
        tuning_run(round12_tuning_name(arm, lr, seed), *round12_point(arm, lr, 0.0), seed)
        for arm in ROUND12_ARMS
        for lr in ROUND12_RATES
        for seed in TUNE_SEEDS
    ]
    for seed in ROUND12_SEEDS:
        for arm in ROUND12_TUNED:
            point = round12_point(arm, *ROUND12_TUNED[arm])
            spec = fresh_small_run(round_arm(arm, 12), *point, seed, tta=arm in TTA_ROUND12)
            runs.append(replace(spec, checkpoint=arm == "dropout"))  # the MC measures load dropout's weights
    return runs
