"""How the weight-decay claims are measured (``core.measures`` has the others): L2 against decoupled decay on a
2-D surface, and the recorded CNN runs with each rule at the dose (or, for Adam against AdamW, the rate and λ)
validation chose."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.arms import JOINT_TUNED, ROUND7_ADAMW, ROUND8_TUNED, TUNED
from core.evidence import POINTS, Evidence, deterministic, paired, percent
from core.measures import FRESH_TEXT, ROUND7_TEXT, ROUND8_TEXT, difference, joint_text, round8_choice_text, tuning_text
from core.plan import (
    ADAM_JOINT_DECAYS,
    ADAM_RATES,
    FRESH_SEEDS,
    JOINT_DOSES,
    ROUND7_RATES,
    ROUND7_RUNS,
    ROUND7_SEEDS,
    ROUND8_SEEDS,
    ROUND14_SEEDS,
    ROUND14_TIED,
    SEEDS,
    joint_arm,
    round_arm,
)
from core.runs import small_kept, small_records
from core.weight_decay import OPTIMIZERS, SURFACES, optimizer_path

ROUND5_DOSES = len(ADAM_JOINT_DECAYS["adamw"])  # λ per rule in round 5's grids (the same count for both)


def _arm_figures(name: str, directory: Path, seeds: Sequence[int] = SEEDS) -> str:
    """An arm's test accuracy and loss, and its final weight norm, over ``seeds``."""
    norm = np.mean([r["weight_norm"][-1] for r in small_records(name, directory, seeds)])
    return (
        f"test {percent(small_kept(name, 'test_accuracy', directory, seeds))}, test loss "
        f"{small_kept(name, 'test_loss', directory, seeds).mean():.3f}, final weight norm {norm:.1f}"
    )


def decay_arm_text(name: str, label: str, directory: Path) -> str:
    """One decayed arm: its dose, test accuracy and loss, and final weight norm."""
    return f"{label} λ = {TUNED[name]:g} (the dose {tuning_text(name, directory)}): {_arm_figures(name, directory)}"


def joint_arm_text(name: str, label: str, directory: Path, seeds: Sequence[int]) -> str:
    """An Adam rule at the rate and λ validation chose together (every point of its grid given), on ``seeds``."""
    return f"{joint_text(name, label, directory)}: {_arm_figures(joint_arm(name), directory, seeds)}"


def sgd_round7_text(arm: str, label: str, directory: Path) -> str:
    """SGD (its rate from round 2's five) or SGD + L2 (rate and λ chosen together): its figures on ROUND7_SEEDS."""
    if arm == "sgd":
        chosen = f"{label} at rate {TUNED[arm]:g} ({tuning_text(arm, directory)})"
    else:
        chosen = joint_text(arm, label, directory)
    return f"{chosen}: {_arm_figures(ROUND7_RUNS[arm], directory, ROUND7_SEEDS)}"


def round8_text(arm: str, label: str, directory: Path) -> str:
    """A round 8 arm: its rate (and λ) chosen over its round 8 grid, and its figures on ROUND8_SEEDS."""
    return f"{round8_choice_text(arm, label, directory)}: {_arm_figures(round_arm(arm, 8), directory, ROUND8_SEEDS)}"


def round8_difference(arm_a: str, arm_b: str, directory: Path) -> np.ndarray:
    """Per seed of ROUND8_SEEDS, round 8's ``arm_a`` minus ``arm_b``: test accuracy points."""
    a, b = (small_kept(round_arm(arm, 8), "test_accuracy", directory, ROUND8_SEEDS) for arm in (arm_a, arm_b))
    return 100 * (a - b)


def _gains(arm_a: str, arm_b: str, directory: Path, seeds: Sequence[int]) -> np.ndarray:
    """Per seed, ``arm_a``'s test accuracy minus ``arm_b``'s, in points."""
    a, b = (small_kept(name, "test_accuracy", directory, seeds) for name in (arm_a, arm_b))
    return 100 * (a - b)


def weight_decay_evidence(directory: Path) -> Evidence:
    """Registered in round 14 (core.plan): round 8's two arms at ROUND14_SEEDS; AdamW at the λ that tied, rounds 8
    and 7, and all their seeds pooled beside."""
    lr, decay = JOINT_TUNED["adamw"]
    gains = {
        14: _gains(round_arm("adamw", 14), round_arm("none", 14), directory, ROUND14_SEEDS),
        8: round8_difference("adamw", "none", directory),
        7: _gains(ROUND7_RUNS["adamw"], ROUND7_RUNS["none"], directory, ROUND7_SEEDS),
    }
    tied = paired(_gains(round_arm("adamw_tied", 14), round_arm("none", 14), directory, ROUND14_SEEDS), "", "")
    pooled = paired(np.concatenate(list(gains.values())), "", "")
    (none_lr, _), (adamw_lr, adamw_decay) = ROUND8_TUNED["none"], ROUND8_TUNED["adamw"]
    grid = f"{len(ROUND7_RATES['adamw'])} rates × {len(JOINT_DOSES['adamw'])} λ"
    numbers = (
        f"seeds {ROUND14_SEEDS[0]}–{ROUND14_SEEDS[-1]} (round 14, registered before their runs, each on its own draw "
        f"of images), each arm at its round 8 choice, on the 10,000 test images at the end of the schedule: no decay "
        f"at rate {none_lr:g}: {_arm_figures(round_arm('none', 14), directory, ROUND14_SEEDS)}; AdamW at rate "
        f"{adamw_lr:g}, λ = {adamw_decay:g}: {_arm_figures(round_arm('adamw', 14), directory, ROUND14_SEEDS)}; "
        f"AdamW at λ = {ROUND14_TIED[1]:g} (tied with λ {adamw_decay:g} on validation accuracy in round 8; the tie "
        f"rule chose λ {adamw_decay:g} for its lower validation loss): "
        f"{_arm_figures(round_arm('adamw_tied', 14), directory, ROUND14_SEEDS)}, "
        f"{tied.brief()} points against no decay. Round 8's test ({ROUND8_TEXT}): "
        f"{round8_text('none', 'no decay', directory)}; {round8_text('adamw', 'AdamW', directory)}: "
        f"{paired(gains[8], '', '').brief()} points. Round 7's test ({ROUND7_TEXT}, AdamW over {grid} at rate "
        f"{ROUND7_ADAMW[0]:g}, λ = {ROUND7_ADAMW[1]:g}, the same two arms): {paired(gains[7], '', '').brief()} "
        f"points; there AdamW at round 5's choice (rate {lr:g}, λ = {decay:g}): "
        f"{difference(joint_arm('adamw'), ROUND7_RUNS['none'], directory, ROUND7_SEEDS)}. Rounds 7, 8 and 14 "
        f"pooled ({pooled.seeds} seeds): {pooled.brief()} points. Round "
        f"2's: seeds 0–4 at the shared rate 1e-3, AdamW λ = {TUNED['adamw']:g} minus no decay "
        f"{difference('adamw', 'none', directory, SEEDS)}"
    )
    return paired(gains[14], POINTS, numbers)


def sgd_decay_evidence(directory: Path) -> Evidence:
    """Registered in round 7 (core.plan): SGD with momentum without decay at the rate validation chose from five,
    and with L2 at the rate and λ chosen together, on ROUND7_SEEDS; round 2's seeds beside."""
    none, decay = (
        small_kept(ROUND7_RUNS[arm], "test_accuracy", directory, ROUND7_SEEDS) for arm in ("sgd", "sgd_decay")
    )
    numbers = (
        f"{ROUND7_TEXT}, on the 10,000 test images at the end of the schedule: "
        f"{sgd_round7_text('sgd', 'no decay', directory)}; {sgd_round7_text('sgd_decay', 'SGD + L2', directory)}. "
        f"Round 2's test, not this one's: seeds 0–4, SGD + L2 λ = {TUNED['sgd_decay']:g} minus no decay "
        f"{difference('sgd_decay', 'sgd', directory, SEEDS)}"
    )
    return paired(100 * (decay - none), POINTS, numbers)


def sgd_equivalence_evidence(directory: Path) -> Evidence:
    surface, labels = SURFACES["ill-conditioned quadratic"], list(OPTIMIZERS)
    paths = {label: optimizer_path(surface, label, lr=0.02, decay=0.5, steps=500) for label in labels[:4]}
    plain = float(np.abs(paths[labels[0]] - paths[labels[1]]).max())
    momentum = float(np.abs(paths[labels[2]] - paths[labels[3]]).max())
    numbers = (
        f"500 steps, λ = 0.5, lr 0.02: plain SGD with L2 in the loss vs the decoupled update written out, largest "
        f"gap {plain:.1g} (identical up to rounding); with momentum 0.9, largest gap {momentum:.2f}"
    )
    return deterministic(
        momentum,
        "largest gap between the two momentum paths",
        numbers,
        condition="the plain-SGD paths agree to 1e-9",
        condition_met=plain < 1e-9,
    )


def adam_difference_evidence(directory: Path) -> Evidence:
    """Registered in round 8 (core.plan): each rule at its choice over its round 8 grid, on ROUND8_SEEDS; round 5's
    test and round 2's seeds, at the shared rate, beside."""
    surface, labels = SURFACES["ill-conditioned quadratic"], list(OPTIMIZERS)
    adam, adamw = (optimizer_path(surface, label, lr=0.02, decay=0.5, steps=500) for label in labels[4:])
    rules = {"adamw": "AdamW", "adam_l2": "Adam + L2"}
    numbers = (
        f"the two update rules differ (500 steps on the ill-conditioned quadratic, λ = 0.5, lr 0.02: largest gap "
        f"between the paths {float(np.abs(adam - adamw).max()):.2f}); {ROUND8_TEXT}, on the 10,000 test images at "
        "the end of the schedule: "
        + "; ".join(round8_text(rule, label, directory) for rule, label in rules.items())
        + f". Round 5's test ({FRESH_TEXT}, each rule over {len(ADAM_RATES)} rates × {ROUND5_DOSES} λ): "
        + "; ".join(joint_arm_text(rule, label, directory, FRESH_SEEDS) for rule, label in rules.items())
        + f", AdamW minus Adam + L2 {difference(joint_arm('adamw'), joint_arm('adam_l2'), directory, FRESH_SEEDS)}. "
        f"Round 2's: seeds 0–4 at the shared rate (1e-3), AdamW minus Adam + L2 "
        f"{difference('adamw', 'adam_l2', directory, SEEDS)}: "
        + "; ".join(decay_arm_text(rule, label, directory) for rule, label in rules.items())
    )
    return paired(round8_difference("adamw", "adam_l2", directory), POINTS, numbers)
