"""The ensembles' runs: the Ensembles tab's members, and the checkpoint comparison's single networks, snapshot runs
and one-cycle networks with their tuning, and round 10's longer pairs (``core.all_runs.shipped_runs`` lists them)."""

from __future__ import annotations

from dataclasses import replace

from core.arms import SNAPSHOT_TUNED, TUNED
from core.models import CNNConfig
from core.runspec import RunSpec, small_data_seed, tuning_data_seed, tuning_name
from core.trainer import TrainConfig

ENSEMBLE_SIZE = 6
# "An ensemble averages errors", round 3 (registered on 2026-12-05 before their runs, after a review found these
# members trained for 2 epochs at an untuned rate): judged on the checkpoint comparison's single networks (20 epochs
# at the rate validation chose, one per CHECKPOINT_SEEDS), their average against the mean member by the paired
# bootstrap over the test images, the minimum unchanged; these members stay the Ensembles tab's view, reported beside.
# Members are BN + dropout networks, so MC dropout on each member is compared with like (same net, same schedule).
ENSEMBLE_MODEL = CNNConfig(dropout=0.5)
ENSEMBLE_TRAIN = TrainConfig(steps=160, optimizer="adam", lr=2e-3, eval_every=10**9)  # 2 epochs of 10,000
MC_PASSES = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50)  # T of the recorded MC-dropout error curves
CALIBRATION_PASSES = 50  # T of the recorded MC calibration


# "Different checkpoints as ensemble members", at equal cost: one network trained for the whole budget, the
# checkpoints that end the cosine cycles of one run (Huang et al., 2017), or one network per cycle, each trained for a
# cycle. 20 epochs of 10,000 images in all: the budget chosen for this CPU at 5 seeds (the paper: 200 epochs in 5).
# Round 3 (registered on 2026-12-05 before these runs, after a review found round 2's rate (0.05) and 4 cycles chosen
# by hand): every setting chosen on validation by the dose rule (core.tuning), one run per grid point at each of
# TUNE_SEEDS on that seed's own draw of 10,000 training and 2,000 validation images. The single network's rate from
# CHECKPOINT_RATES; the snapshot run's rate from the same grid, its cycles from CHECKPOINT_CYCLES and how many of its
# last checkpoints are averaged (2 to all; Huang et al. average the last m). The lowest mean validation error of the
# (averaged) prediction wins, ties the lower mean validation loss. Then the chosen settings trained at
# CHECKPOINT_SEEDS, compared at the end of the schedule on the 10,000 test images, with the registry's minimum (0.3
# points) unchanged. The independent networks (the snapshot run's rate, all averaged) are reported, not judged.
# Amended the same day before any compared run, after a review (with 7 of the 36 tuning runs done): the compared runs
# at fresh seeds 5-9, since at seeds 0-4 a choice of round 2's settings would reproduce round 2's records; and should
# validation choose a grid edge (0.02 or 0.2) for either arm, both arms' grids gain the next step beyond it (0.01 or
# 0.5) at the 3 tuning seeds and the rule is applied again before the compared runs.
CHECKPOINT_IMAGES, CHECKPOINT_VALIDATION = 10_000, 2_000
CHECKPOINT = TrainConfig(steps=1560, lr=TUNED["ckpt_single"], cosine=True, eval_every=10**9)  # 20 epochs, SGD
CHECKPOINT_RATES = (0.02, 0.05, 0.1, 0.2)  # steps of at most 2.5x around round 2's 0.05
CHECKPOINT_CYCLES = (2, 4)  # cycles of 10 or 5 epochs
CHECKPOINT_MEMBERS, CHECKPOINT_AVERAGED = SNAPSHOT_TUNED["cycles"], SNAPSHOT_TUNED["averaged"]
CHECKPOINT_CYCLE = CHECKPOINT.steps // CHECKPOINT_MEMBERS
CHECKPOINT_SEEDS = (5, 6, 7, 8, 9)


def snapshot_training(cycles: int, lr: float, seed: int, budget: TrainConfig = CHECKPOINT) -> TrainConfig:
    """``budget``'s steps in ``cycles`` cosine cycles from ``lr``, keeping the weights where each cycle ends."""
    ends = tuple(budget.steps // cycles * (k + 1) for k in range(cycles))
    return replace(budget, lr=lr, seed=seed, restarts=cycles, snapshot_steps=ends)


SNAPSHOT = snapshot_training(CHECKPOINT_MEMBERS, TUNED["ckpt_snapshot"], seed=0)  # the snapshot arm, seed aside


def checkpoint_runs(seed: int) -> list[RunSpec]:
    """One seed's three arms of the checkpoint-ensemble comparison (each CHECKPOINT.steps in all)."""
    common = dict(checkpoint=False, train_images=CHECKPOINT_IMAGES, full_probs=True, threads=1)
    runs = [
        RunSpec(f"ckpt_single_seed{seed}", CNNConfig(), replace(CHECKPOINT, seed=seed), **common),
        RunSpec(f"ckpt_snapshot_seed{seed}", CNNConfig(), replace(SNAPSHOT, seed=seed), **common),
    ]
    for member in range(CHECKPOINT_MEMBERS):  # seeds 1000 + … never meet another arm's, nor a tuning seed
        short = replace(
            CHECKPOINT, steps=CHECKPOINT_CYCLE, lr=SNAPSHOT.lr, seed=1000 + CHECKPOINT_MEMBERS * seed + member
        )
        runs.append(RunSpec(f"ckpt_member{member}_seed{seed}", CNNConfig(), short, **common))
    return runs


def checkpoint_tuning_runs(seed: int) -> list[RunSpec]:
    """One tuning seed's runs of the checkpoint comparison: the single network at each rate, the snapshot run at
    each rate and cycle count; each keeps its (checkpoints') softmax outputs on its validation images."""
    common = dict(checkpoint=False, train_images=CHECKPOINT_IMAGES, validation=CHECKPOINT_VALIDATION, threads=1)
    common.update(val_probs=True, data_seed=tuning_data_seed(seed))
    runs = []
    for lr in CHECKPOINT_RATES:
        runs.append(
            RunSpec(tuning_name("ckpt_single", lr, seed), CNNConfig(), replace(CHECKPOINT, lr=lr, seed=seed), **common)
        )
        for cycles in CHECKPOINT_CYCLES:
            name = tuning_name(f"ckpt_snapshot{cycles}", lr, seed)
            runs.append(RunSpec(name, CNNConfig(), snapshot_training(cycles, lr, seed), **common))
    return runs


# Round 10 (registered on 2026-12-05 before its runs, after the eighth review found round 3's 20-epoch budget too
# short for the checkpoints to converge (cycles of 5 epochs, each checkpoint clearly weaker than the last) and the
# snapshot run chosen from more candidates than the single network): the claim is judged at Huang et al.'s 5 cycles,
# each as long as round 3's whole budget: LONG_BUDGET, 100 epochs of 10,000 images, at LONG_SEEDS, each seed on its
# own draw of images (no other run draws them). Nothing is tuned at this budget (one run takes about 22 minutes
# here): each arm keeps the rate round 3's validation chose for it from the same 4 rates (0.1 both), and the snapshot
# run's 5 cycles and its average of all 5 checkpoints (Huang et al. average the last m, m up to all) are fixed here,
# so each arm has one candidate. The verdict: the single network's test error minus the 5 checkpoints' average, at
# the end of each schedule on the 10,000 test images, paired t over the seeds, the minimum (0.3 points) unchanged; the
# averages of the last 2, 3 and 4 checkpoints and round 3's test reported beside. Its runs were trained over more
# than one session: pending (core.all_runs.pending_runs) until every seed's pair was recorded, read by no claim until
# then.
LONG_BUDGET = replace(CHECKPOINT, steps=5 * CHECKPOINT.steps)
LONG_CYCLES = 5
LONG_SEEDS = (35, 36, 37, 38, 39)


def long_checkpoint_runs(seed: int) -> list[RunSpec]:
    """One seed's pair of round 10: the single network and the snapshot run, each LONG_BUDGET's steps."""
    common = dict(checkpoint=False, train_images=CHECKPOINT_IMAGES, full_probs=True, threads=1)
    common.update(data_seed=small_data_seed(seed))
    snapshot = snapshot_training(LONG_CYCLES, TUNED["ckpt_snapshot"], seed, LONG_BUDGET)
    return [
        RunSpec(f"ckpt_long_single_seed{seed}", CNNConfig(), replace(LONG_BUDGET, seed=seed), **common),
        RunSpec(f"ckpt_long_snapshot_seed{seed}", CNNConfig(), snapshot, **common),
    ]
