"""Every run ``python -m core.train`` trains: those whose records ship (``shipped_runs``) and those of a round
still being trained (``pending_runs``), each built from its settings in core.plan and the rounds' own plans."""

from __future__ import annotations

from dataclasses import replace

from core.arms import ROUND7_ADAMW, ROUND8_TUNED, ROUND9_TUNED, ROUND15_TUNED, TUNED
from core.augment_plan import round12_runs
from core.ensemble_plan import (
    CHECKPOINT_SEEDS,
    ENSEMBLE_MODEL,
    ENSEMBLE_SIZE,
    ENSEMBLE_TRAIN,
    LONG_SEEDS,
    checkpoint_runs,
    checkpoint_tuning_runs,
    long_checkpoint_runs,
)
from core.models import CNNConfig
from core.plan import (
    ADAM_JOINT_DECAYS,
    AUGMENTATION_SEEDS,
    BN_COMPARISON,
    BN_SEEDS,
    DROPOUT,
    FRESH_ARMS,
    FRESH_INVARIANCE,
    FRESH_SEEDS,
    FULL_VERDICT_SEEDS,
    INVARIANCE_ARMS,
    JOINT_ARMS,
    JOINT_DOSES,
    JOINT_RATES,
    LR_MODELS,
    LR_SEEDS,
    LR_SWEEP,
    LR_SWEEP_TRAIN,
    LR_VERDICT_SEEDS,
    OTHER_NORMS,
    OVERCONFIDENT_RUN,
    RECIPE,
    ROUND7_RATES,
    ROUND7_RUNS,
    ROUND7_SEEDS,
    ROUND7_TUNED,
    ROUND8_GRIDS,
    ROUND8_SEEDS,
    ROUND9_GRIDS,
    ROUND9_SEEDS,
    ROUND15_ADDED,
    ROUND15_GRID,
    SEEDS,
    SMALL_ARMS,
    SMALL_CHECKPOINTS,
    TTA_ARMS,
    TUNING_GRIDS,
    dose_tuned_rate,
    dosed,
    full_run,
    joint_arm,
    joint_name,
    joint_point,
    round13_runs,
    round14_runs,
    round15_runs,
    round15_tuning_runs,
    tuning_split,
)
from core.runspec import TUNE_SEEDS, RunSpec, small_data_seed, tuning_name
from core.slow_plan import long_slow_runs, slow_runs
from core.small_plan import (
    GRID,
    GRID_SEED,
    SMALL,
    SMALL_IMAGES,
    SMALL_VALIDATION,
    fresh_small_run,
    grid_name,
    round_arm,
    tuning_run,
)


def shipped_runs() -> list[RunSpec]:
    """Every run whose record ships, in the order the rounds were registered."""
    runs = [
        RunSpec("plain", CNNConfig(norm="none"), BN_COMPARISON),
        RunSpec("batchnorm", CNNConfig(norm="batch"), BN_COMPARISON),
    ]
    runs += [RunSpec(f"dropout_p{p}", CNNConfig(norm="batch", dropout=p), DROPOUT) for p in (0.1, 0.2, 0.5)]
    comparison = replace(BN_COMPARISON, snapshot_steps=())
    for seed in BN_SEEDS:
        common = dict(checkpoint=False, bn_modes=True, threads=1)
        runs.append(RunSpec(f"bn_modes_seed{seed}", CNNConfig(norm="batch"), replace(comparison, seed=seed), **common))
    runs += [RunSpec(f"{norm}norm", CNNConfig(norm=norm), comparison) for norm in OTHER_NORMS]
    for norm in ("none", "batch"):
        for lr in LR_SWEEP:
            for seed in LR_SEEDS:
                config = replace(LR_SWEEP_TRAIN, lr=lr, seed=seed)
                runs.append(RunSpec(f"lr_{norm}_{lr}_seed{seed}", LR_MODELS[norm], config, False, threads=1))
    for seed in TUNE_SEEDS:
        for lr in LR_SWEEP:
            config = replace(LR_SWEEP_TRAIN, lr=lr, seed=seed)
            runs.append(RunSpec(tuning_name("lr_none", lr, seed), LR_MODELS["none"], config, False, threads=1))
    for norm in ("none", "batch"):
        for seed in LR_VERDICT_SEEDS:  # at the rate the plain network's tuning runs chose
            config = replace(LR_SWEEP_TRAIN, lr=TUNED["bn_stall_lr"], seed=seed)
            name = f"lr_{norm}_{config.lr}_seed{seed}"
            runs.append(RunSpec(name, LR_MODELS[norm], config, False, threads=1))
    for arm, (model, train) in SMALL_ARMS.items():
        for seed in SEEDS:
            runs.append(
                RunSpec(
                    f"small_{arm}_seed{seed}",
                    model,
                    replace(train, seed=seed),
                    checkpoint=arm in SMALL_CHECKPOINTS,
                    train_images=SMALL_IMAGES,
                    validation=SMALL_VALIDATION,
                    detailed=True,
                    invariance=arm in INVARIANCE_ARMS,
                    tta=arm in TTA_ARMS,
                    threads=1,
                    data_seed=small_data_seed(seed),
                )
            )
    runs.append(OVERCONFIDENT_RUN)
    fresh = {
        **{arm: SMALL_ARMS[arm] for arm in FRESH_ARMS},
        **{joint_arm(r): JOINT_ARMS[joint_arm(r)] for r in ADAM_JOINT_DECAYS},
    }
    for seed in FRESH_SEEDS:
        for arm, (model, train) in fresh.items():
            runs.append(
                fresh_small_run(arm, model, train, seed, invariance=arm in FRESH_INVARIANCE, tta=arm in TTA_ARMS)
            )
    for seed in AUGMENTATION_SEEDS:
        runs += [fresh_small_run(arm, *SMALL_ARMS[arm], seed, invariance=True) for arm in FRESH_INVARIANCE]
    for arm, grid in TUNING_GRIDS.items():
        images, validation = tuning_split(arm)
        for dose in grid:
            model, train = dosed(arm, dose)
            runs += [
                tuning_run(tuning_name(arm, dose, seed), model, train, seed, images, validation) for seed in TUNE_SEEDS
            ]
    round7 = {"sgd": SMALL_ARMS["sgd"], **{name: JOINT_ARMS[name] for name in map(joint_arm, ROUND7_TUNED)}}
    round7[ROUND7_RUNS["adamw"]] = joint_point("adamw", *ROUND7_ADAMW)
    for seed in ROUND7_SEEDS:
        runs += [fresh_small_run(arm, *config, seed) for arm, config in round7.items()]
    for seed in ROUND8_SEEDS:
        for arm, chosen in ROUND8_TUNED.items():
            runs.append(
                fresh_small_run(round_arm(arm, 8), *joint_point(arm, *chosen), seed, invariance=arm in FRESH_INVARIANCE)
            )
    for seed in ROUND9_SEEDS:
        runs += [
            fresh_small_run(round_arm(arm, 9), *joint_point(arm, *chosen), seed) for arm, chosen in ROUND9_TUNED.items()
        ]
    points = {(arm, lr, dose) for arm, doses in JOINT_DOSES.items() for lr in JOINT_RATES[arm] for dose in doses}
    points |= {("adamw", lr, dose) for lr in ROUND7_RATES["adamw"] for dose in JOINT_DOSES["adamw"]}
    for grids in (ROUND8_GRIDS, ROUND9_GRIDS):
        points |= {(arm, lr, dose) for arm, (rates, doses) in grids.items() for lr in rates for dose in doses}
    for arm, lr, dose in sorted(points):
        if not (dose_tuned_rate(arm, lr) and dose in TUNING_GRIDS[arm]):  # else the dose tuning's run
            model, train = joint_point(arm, lr, dose)
            runs += [tuning_run(joint_name(arm, lr, dose, seed), model, train, seed) for seed in TUNE_SEEDS]
    runs += [
        full_run(f"full_dropout_seed{seed}", TUNED["full_dropout"], seed) for seed in (*SEEDS, *FULL_VERDICT_SEEDS)
    ]
    for images, model in GRID:
        for augment in ("none", RECIPE):
            config = replace(SMALL, augment=augment, seed=GRID_SEED)
            common = dict(checkpoint=False, train_images=images, validation=SMALL_VALIDATION, detailed=True, threads=1)
            runs.append(RunSpec(grid_name(images, model, augment), model, config, **common))
    for member in range(ENSEMBLE_SIZE):
        seeded = replace(ENSEMBLE_TRAIN, seed=member)
        common = dict(checkpoint=False, train_images=10_000, full_probs=True, mc_errors=True, threads=1)
        runs.append(RunSpec(f"ensemble_seed{member}", ENSEMBLE_MODEL, seeded, **common))
        # Bagging members share the seed (initialization, data order, dropout): only their bootstrap sample differs.
        bagged = RunSpec(f"ensemble_bag{member}", ENSEMBLE_MODEL, ENSEMBLE_TRAIN, bootstrap_seed=member, **common)
        runs.append(bagged)
    runs += slow_runs()
    for seed in TUNE_SEEDS:
        runs += checkpoint_tuning_runs(seed)
    for seed in CHECKPOINT_SEEDS:
        runs += checkpoint_runs(seed)
    for seed in LONG_SEEDS:
        runs += long_checkpoint_runs(seed)
    round15 = round15_tuning_runs(ROUND15_GRID + ROUND15_ADDED) + round15_runs(ROUND15_TUNED)
    return runs + round12_runs() + round13_runs() + round14_runs() + long_slow_runs() + round15


def pending_runs() -> list[RunSpec]:
    """Registered runs of rounds still being trained (``python -m core.train`` runs them, no claim reads them): they
    move to ``shipped_runs`` once their round's last run is recorded. None at present."""
    return []
