"""The runs of "Dropout needs more training time" (``core.all_runs.shipped_runs`` lists them): the main CNN with
and without dropout on 10,000 images, each evaluated often enough to tell when its validation accuracy crosses a
line."""

from __future__ import annotations

from dataclasses import replace

from core.arms import TUNED
from core.models import CNNConfig
from core.runspec import TUNE_SEEDS, RunSpec, small_data_seed, tuning_data_seed, tuning_name
from core.trainer import TrainConfig

# "Dropout needs more training time": the main CNN with and without dropout on 10,000 images, Adam at a constant
# rate (a schedule would force both to settle when it ends), validated every 20 steps (a quarter epoch).
SLOW_ARMS = {"none": CNNConfig(), "dropout": CNNConfig(dropout=0.5)}
SLOW_IMAGES, SLOW_VALIDATION = 10_000, 2_000
SLOW = TrainConfig(steps=780, optimizer="adam", lr=1e-3, eval_every=20)  # 10 epochs
# Seeds 0-4: the first three's ratios (1.19, 1.64, 1.27) spread too widely for a verdict, so two were added after
# they were seen, and the target (dropout_time.TARGET_SHARE) was not fixed before them either. So the verdict is
# taken on five fresh seeds, registered on 2026-12-05 before their runs, with that target and rule on their own
# runs; seeds 0-4 are reported beside it.
SLOW_SEEDS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
SLOW_ROUND3_SEEDS = (5, 6, 7, 8, 9)
# Round 3 (registered on 2026-12-05 before its runs, after a review found p = 0.5 not chosen on validation): p chosen
# for this regime by the dose rule below ("slow_dropout", validated at the end of the 10 epochs), then the verdict
# taken at that p on SLOW_ROUND3_SEEDS with the same target rule and minimum; p = 0.5 reported beside.
SLOW_TUNED = f"dropout{TUNED['slow_dropout']:g}"  # the verdict's dropout arm (not trained at seeds 0-4)
# Round 4 (registered on 2026-12-05 before its runs, after the third review found that the first tuning seed's draw
# was the round 3 runs' own, so p was chosen partly on the validation images the measure reads, and that their runs
# without dropout had been seen before p was chosen): the verdict on SLOW_VERDICT_SEEDS, both arms trained afresh,
# each seed on its own draw of 10,000 + 2,000 images (small_data_seed: no other run draws it), with the same target
# rule and minimum; seeds 5-9 (round 3) and 0-4 reported beside.
SLOW_VERDICT_SEEDS = (10, 11, 12, 13, 14)


def slow_runs() -> list[RunSpec]:
    """Every seed's runs of the claim, without and with dropout."""
    runs = []
    common = dict(checkpoint=False, train_images=SLOW_IMAGES, validation=SLOW_VALIDATION, detailed=True, threads=1)
    for seed in SLOW_SEEDS:
        for arm, model in SLOW_ARMS.items():
            runs.append(RunSpec(f"slow_{arm}_seed{seed}", model, replace(SLOW, seed=seed), **common))
    tuned = CNNConfig(dropout=TUNED["slow_dropout"])
    for seed in SLOW_ROUND3_SEEDS:
        runs.append(RunSpec(f"slow_{SLOW_TUNED}_seed{seed}", tuned, replace(SLOW, seed=seed), **common))
    for seed in SLOW_VERDICT_SEEDS:
        for arm, model in (("none", SLOW_ARMS["none"]), (SLOW_TUNED, tuned)):
            spec = RunSpec(f"slow_{arm}_seed{seed}", model, replace(SLOW, seed=seed), **common)
            runs.append(replace(spec, data_seed=small_data_seed(seed)))
    return runs


# Round 11 (registered on 2026-12-05 before its runs, after the eighth review found p chosen at the end of the same 10
# epochs (a dose that pays off later loses there), one target shared by seeds that each draw their own images (so the
# hardest draw sets it), and that target crossed half-way through the runs): both arms trained for LONG_SLOW's 30
# epochs at Adam's constant rate 1e-3 (shared: the claim compares training time under one optimizer, and a rate chosen
# per arm would change the speed it measures), validated on their 2,000 held-out images every 20 steps (a quarter
# epoch; the test images at the end only). A validation curve is read smoothed, each evaluation averaged with up to
# three before it (one epoch; core.dropout_time), so that one lucky evaluation does not count. p is chosen from
# LONG_SLOW_GRID by the highest mean over TUNE_SEEDS of each run's best smoothed validation accuracy over its 30 epochs
# (ties: the lower p), each tuning seed on its own draw of 10,000 + 2,000 images; should the lowest or highest p win,
# the next step beyond (0.05 or 0.95) is added and the choice made again. Then the network without dropout, dropout at
# the chosen p and at 0.5 (the lecture's usual dose, reported beside should validation choose another) at
# LONG_SLOW_SEEDS, each seed on its own draw (no other run draws them). The verdict, per seed: the target is the lower
# of the two arms' best smoothed validation accuracies, so both reach it (the stronger arm no later than its best);
# the effect is dropout's epochs until its smoothed accuracy first reaches the target over those of the network
# without it, minus 1, in %, paired t over the seeds, the minimum (10 %) unchanged; 98 % and 99 % of that target and
# round 4's test reported beside. Trained over more than one session: pending until its last run is recorded.
# Amended on 2026-12-06 before any of its runs, after the ninth review: the target is 98 % of the lower of the two
# arms' best smoothed validation accuracies (a plateau's best is reached where a flat curve happens to peak, late and
# by chance, so the weaker arm's epochs to its own best would measure that chance); the best itself (100 %) and 99 %
# reported beside, the rest unchanged.
# Amended again on 2026-12-06 at 08:16 UTC, before any verdict run (6 of the 15 tuning runs recorded, whose choice
# rule this leaves as it was), after the tenth review (which read four tuning runs' curves: their 98 % crossings
# spread from 8.4 to 12.5 epochs): each smoothed value is placed at the mean epoch of the validations it
# averages (placed at the last one, both arms' crossings lag by 1.5 validations, which pulls their ratio towards 1);
# the effect is the mean of the per-seed log ratios of the epochs, with its t interval, taken back to % more (a ratio's
# spread is skewed); and 10 seeds instead of 5 (the crossing of a plateau's 98 % moves by epochs from seed to seed).
LONG_SLOW_TARGET_SHARE = 0.98
LONG_SLOW = replace(SLOW, steps=3 * SLOW.steps, eval_every=10**9, validate_every=20)  # 30 epochs
LONG_SLOW_GRID = (0.1, 0.25, 0.5, 0.7, 0.85)
LONG_SLOW_SEEDS = (40, 41, 42, 43, 44, 65, 66, 67, 68, 69)
# Chosen at 09:01 UTC, before any verdict run, by core.tuning.long_slow_choice: p 0.5 (mean best smoothed validation
# accuracy 89.97 %; 0.25: 89.75 %, 0.7: 89.58 %, 0.1: 89.48 %, 0.85: 87.86 %), inside the grid, so the verdict's
# dropout arm is the one registered at p 0.5.
LONG_SLOW_P = 0.5


def long_slow_runs() -> list[RunSpec]:
    """Round 11's runs: p's tuning, and the network without dropout and with p = 0.5 (validation's choice) at every
    seed."""
    common = dict(checkpoint=False, train_images=SLOW_IMAGES, validation=SLOW_VALIDATION, detailed=True, threads=1)
    runs = []
    for p in LONG_SLOW_GRID:
        for seed in TUNE_SEEDS:
            name, config = tuning_name("slow_long_dropout", p, seed), replace(LONG_SLOW, seed=seed)
            runs.append(RunSpec(name, CNNConfig(dropout=p), config, **common, data_seed=tuning_data_seed(seed)))
    for seed in LONG_SLOW_SEEDS:
        for arm, model in (("none", SLOW_ARMS["none"]), ("dropout0.5", SLOW_ARMS["dropout"])):
            config = replace(LONG_SLOW, seed=seed)
            runs.append(
                RunSpec(f"slow_long_{arm}_seed{seed}", model, config, **common, data_seed=small_data_seed(seed))
            )
    return runs
