"""Doses chosen on validation: each dosed arm is trained once per point of its grid (``core.plan.TUNING_GRIDS``) at
each of ``TUNE_SEEDS``, and the point with the highest validation accuracy at the end of the schedule, averaged over
those seeds, is the one the compared runs use (ties: the lower mean validation loss). The checkpoint comparison's
settings are chosen by the same rule, on the (averaged) softmax outputs its tuning runs keep. The rate of
"BatchNorm tolerates larger learning rates" is chosen by the plain network's training loss (``stall_rate``); a rate
and dose together (each Adam rule's for "AdamW beats Adam + L2", the arms of rounds 7 and 8) by the dose rule over a
joint grid (``joint_choice``)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Hashable, Mapping, Sequence
from pathlib import Path

import numpy as np

from core.arms import JOINT_TUNED, ROUND7_ADAMW, ROUND8_TUNED, ROUND9_TUNED, ROUND12_TUNED, ROUND13_TUNED
from core.dropout_time import smoothed_curve
from core.ensemble_plan import CHECKPOINT_CYCLES, CHECKPOINT_RATES
from core.mc_dropout import MC_ARMS
from core.plan import (
    ADAM_JOINT_DECAYS,
    JOINT_DOSES,
    JOINT_RATES,
    LR_SWEEP,
    ROUND7_TUNED,
    ROUND15_EXTENSION,
    ROUND15_GRID,
    STALL_LOSS,
    STALL_STEPS,
    TUNE_SEEDS,
    TUNING_GRIDS,
    joint_name,
    tuning_name,
)
from core.runs import RUNS_DIR, load_record, load_val_probs
from core.slow_plan import LONG_SLOW_GRID


def tuning_records(
    arm: str, directory: Path = RUNS_DIR, doses: Sequence[float] | None = None
) -> dict[float, list[dict]]:
    """Per dose of ``arm``'s grid (``doses``, by default TUNING_GRIDS[arm]): its runs' records, one per tuning seed."""
    return {
        dose: [load_record(tuning_name(arm, dose, seed), directory) for seed in TUNE_SEEDS]
        for dose in doses or TUNING_GRIDS[arm]
    }


def tuning_results(
    arm: str, directory: Path = RUNS_DIR, doses: Sequence[float] | None = None
) -> dict[float, tuple[float, float]]:
    """Per dose of ``arm``'s grid (``doses``, by default TUNING_GRIDS[arm]): (validation accuracy, validation loss)
    at the end of the schedule, each the mean over the tuning seeds.

    The accuracy is rounded to 1e-6, far below one image in 1,500 (6.7e-4): the records hold float32 fractions, so
    equal numbers of right answers can differ in the last bits of their mean, and the tie rule would never apply.
    """
    return {dose: _validation_means(records) for dose, records in tuning_records(arm, directory, doses).items()}


def _validation_means(records: list[dict]) -> tuple[float, float]:
    """The runs' mean validation accuracy (rounded, as ``tuning_results`` says why) and loss at their end."""
    return (
        round(float(np.mean([record["val_accuracy"][-1] for record in records])), 6),
        float(np.mean([record["val_loss"][-1] for record in records])),
    )


def _best(found: Mapping[Hashable, tuple[float, float]]) -> Hashable:
    """The candidate with the highest validation accuracy; ties: the lower validation loss."""
    return max(found, key=lambda candidate: (found[candidate][0], -found[candidate][1]))


def chosen_dose(arm: str, directory: Path = RUNS_DIR, doses: Sequence[float] | None = None) -> float:
    """The dose validation chooses for ``arm`` (over ``doses``, by default TUNING_GRIDS[arm])."""
    return _best(tuning_results(arm, directory, doses))


def joint_results(
    arm: str,
    directory: Path = RUNS_DIR,
    rates: Sequence[float] | None = None,
    doses: Sequence[float] | None = None,
) -> dict[tuple[float, float], tuple[float, float]]:
    """Per (rate, dose) of an arm's joint grid (``rates`` × ``doses``, by default JOINT_RATES[arm] ×
    JOINT_DOSES[arm]): the mean validation accuracy and loss over the tuning seeds, as ``tuning_results`` gives
    them."""
    return {
        (lr, dose): _validation_means([load_record(joint_name(arm, lr, dose, seed), directory) for seed in TUNE_SEEDS])
        for lr in rates or JOINT_RATES[arm]
        for dose in doses or JOINT_DOSES[arm]
    }


def joint_choice(
    arm: str,
    directory: Path = RUNS_DIR,
    rates: Sequence[float] | None = None,
    doses: Sequence[float] | None = None,
) -> tuple[float, float]:
    """The (rate, dose) validation chooses for an arm, by the dose rule, over ``joint_results``' grid."""
    return _best(joint_results(arm, directory, rates, doses))


def averaged_scores(probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Validation error and loss (nats) of the members' averaged softmax: (members, N, 10), (N,)."""
    averaged = probs.mean(0)  # (N, 10)
    error = float((averaged.argmax(1) != labels).mean())
    # Clipped: float16 outputs round probabilities below 6e-8 to zero.
    loss = float(-np.log(np.clip(averaged[np.arange(len(labels)), labels], 1e-7, None)).mean())
    return error, loss


def checkpoint_candidates(directory: Path = RUNS_DIR) -> dict[tuple[str, int, float, int], tuple[float, float]]:
    """Per candidate (arm, cycles, rate, last checkpoints averaged): the mean over the tuning seeds of the validation
    error (rounded as in ``tuning_results``) and loss. The single network is ("single", 1, rate, 1); a snapshot
    run averages 2 to all of its checkpoints."""
    arms = [("single", 1, "ckpt_single")] + [("snapshot", c, f"ckpt_snapshot{c}") for c in CHECKPOINT_CYCLES]
    found = {}
    for (arm, cycles, prefix), lr in itertools.product(arms, CHECKPOINT_RATES):
        loaded = [load_val_probs(tuning_name(prefix, lr, seed), directory) for seed in TUNE_SEEDS]
        for last in [1] if arm == "single" else range(2, cycles + 1):
            scores = np.array([averaged_scores(probs[-last:], labels) for probs, labels in loaded])
            found[(arm, cycles, lr, last)] = (round(float(scores[:, 0].mean()), 6), float(scores[:, 1].mean()))
    return found


def checkpoint_choices(
    found: Mapping[tuple[str, int, float, int], tuple[float, float]],
) -> dict[str, tuple[int, float, int]]:
    """Per arm ("single", "snapshot"): the (cycles, rate, last checkpoints averaged) that validation chooses among
    ``checkpoint_candidates``."""
    return {
        arm: min((key for key in found if key[0] == arm), key=found.__getitem__)[1:] for arm in ("single", "snapshot")
    }


def checkpoint_summary(directory: Path = RUNS_DIR) -> str:
    """What validation chose for the checkpoint comparison, in words, with the chosen candidates' validation error."""
    found = checkpoint_candidates(directory)
    chosen = checkpoint_choices(found)
    (_, rate, _), (cycles, restart, last) = chosen["single"], chosen["snapshot"]
    single, snapshot = (100 * found[(arm, *chosen[arm])][0] for arm in ("single", "snapshot"))
    return (
        f"validation chose rate {rate:g} for the one network ({single:.2f} % validation error) and, for the snapshot "
        f"run, {cycles} cycles from rate {restart:g} with its last {last} checkpoints averaged ({snapshot:.2f} %)"
    )


def long_slow_choice(directory: Path = RUNS_DIR, grid: Sequence[float] = LONG_SLOW_GRID) -> float:
    """Round 11's p: the highest mean over TUNE_SEEDS of each tuning run's best smoothed validation accuracy over its
    30 epochs (core.dropout_time.smoothed_curve); ties: the lower p."""
    found = {
        p: np.mean([smoothed_curve(load_record(tuning_name("slow_long_dropout", p, seed), directory))[1].max()
                    for seed in TUNE_SEEDS])
        for p in grid
    }  # fmt: skip
    best = max(found.values())
    return min(p for p, mean in found.items() if mean == best)


def round15_losses(directory: Path = RUNS_DIR, grid: Sequence[float] = ROUND15_GRID) -> dict[float, np.ndarray]:
    """Per p of ``grid``: each arm's validation loss (MC_ARMS order), means over TUNE_SEEDS."""
    return {
        p: np.mean([[load_record(tuning_name("full_mc", p, seed), directory)["mc_val_loss"][arm] for arm in MC_ARMS]
                    for seed in TUNE_SEEDS], 0)
        for p in grid
    }  # fmt: skip


def _lowest_losses(losses: Mapping[float, np.ndarray]) -> dict[str, float]:
    """Per arm, the p of the lowest loss (ties: the lower p)."""
    return {arm: min(losses, key=lambda p: (losses[p][k], p)) for k, arm in enumerate(MC_ARMS)}


def round15_grid(directory: Path = RUNS_DIR) -> tuple[float, ...]:
    """ROUND15_GRID and, should either arm choose one of its edges, the step beyond that edge (once)."""
    chosen = _lowest_losses(round15_losses(directory))
    return tuple(sorted({*ROUND15_GRID, *(ROUND15_EXTENSION[p] for p in chosen.values() if p in ROUND15_EXTENSION)}))


def round15_choices(directory: Path = RUNS_DIR) -> dict[str, float]:
    """Round 15's p per arm (MC_ARMS): the lowest mean validation loss over TUNE_SEEDS on the grid after the edge
    rule; ties: the lower p."""
    return _lowest_losses(round15_losses(directory, round15_grid(directory)))


def stalls(record: dict) -> bool:
    """The run's training loss over its last STALL_STEPS steps averages above STALL_LOSS, or is not finite."""
    last = float(np.mean(record["train_loss"][-STALL_STEPS:]))
    return not np.isfinite(last) or last > STALL_LOSS


def stall_counts(directory: Path = RUNS_DIR) -> dict[float, int]:
    """Per rate of the sweep: at how many tuning seeds the plain network stalls."""
    return {
        lr: sum(stalls(load_record(tuning_name("lr_none", lr, seed), directory)) for seed in TUNE_SEEDS)
        for lr in LR_SWEEP
    }


def stall_rate(directory: Path = RUNS_DIR) -> float:
    """The lowest rate of the sweep at which the plain network stalls at 2 or more of the tuning seeds."""
    found = next((lr for lr, count in stall_counts(directory).items() if count >= 2), None)
    if found is None:  # the registered fallback (core.plan), never needed: the plain network stalls from 0.1
        raise LookupError("the plain network stalls at no rate of the sweep: the claim cannot be tested here")
    return found


def chosen_rounds(arm: str, rounds: Collection[int] = (5, 7, 8)) -> dict[tuple[float, float], list[int]]:
    """Each (rate, dose) one of ``rounds`` chose for ``arm`` over its joint grid, with the rounds that chose it: round 5
    the Adam rules' (3 rates), round 7 the no-decay network's, AdamW's over 4 rates and SGD + L2's, rounds 8, 9, 12
    and 13 their grids' (core.plan.ROUND8_GRIDS, ROUND9_GRIDS, ROUND13_GRIDS, core.augment_plan.ROUND12_GRIDS)."""
    by_round = {
        5: {rule: JOINT_TUNED[rule] for rule in ADAM_JOINT_DECAYS},
        7: {arm: ROUND7_ADAMW if arm == "adamw" else JOINT_TUNED[arm] for arm in ROUND7_TUNED},
        8: ROUND8_TUNED,
        9: ROUND9_TUNED,
        12: ROUND12_TUNED,
        13: ROUND13_TUNED,
    }
    found: dict[tuple[float, float], list[int]] = {}
    for number, chosen in by_round.items():
        if arm in chosen and number in rounds:
            found.setdefault(chosen[arm], []).append(number)
    return found


def joint_rows(
    found: Mapping[str, Mapping[tuple[float, float], tuple[float, float]]],
    chosen: Mapping[str, Mapping[tuple[float, float], Sequence[int]]],
    dose_name: str = "λ",
) -> list[dict[str, str]]:
    """One row per dose of each arm's joint grid (``joint_results``: (rate, dose) -> mean validation accuracy and
    loss), one column per rate of any arm: the validation accuracy in percent, ✓ and the rounds where validation
    chose (``chosen_rounds``: a grid may serve several claims, each choosing over its own part), – where the arm's
    grid has no such rate. The dose column (headed ``dose_name``) is left out when no arm has a dose."""
    rates = sorted({lr for grid in found.values() for lr, _ in grid})
    has_doses = any(dose for grid in found.values() for _, dose in grid)
    rows = []
    for name, grid in found.items():
        for dose in sorted({dose for _, dose in grid}):
            row = {"training": name, **({dose_name: f"{dose:g}"} if has_doses else {})}
            for lr in rates:
                rounds = chosen[name].get((lr, dose), ())
                cell = f"{100 * grid[(lr, dose)][0]:.1f}" if (lr, dose) in grid else "–"
                row[f"rate {lr:g}"] = cell + (f" ✓{','.join(map(str, rounds))}" if rounds else "")
            rows.append(row)
    return rows
