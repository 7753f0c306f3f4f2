"""The runs of "Dropout needs more training time" (``core.plan.shipped_runs`` lists them): the main CNN with and
without dropout on 10,000 images, each evaluated often enough to tell when its validation accuracy crosses a line."""

from __future__ import annotations

from dataclasses import replace

from core.arms import TUNED
from core.models import CNNConfig
from core.runspec import RunSpec, small_data_seed
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
