"""How the weight-decay claims are measured (``core.measures`` has the others): L2 against decoupled decay on a
2-D surface, and the recorded CNN runs with each rule at the dose (or, for Adam against AdamW, the rate and λ)
validation chose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.arms import JOINT_TUNED, TUNED
from core.evidence import POINTS, Evidence, deterministic, paired, percent
from core.measures import FRESH_TEXT, ROUND7_TEXT, difference, joint_text, tuning_text
from core.plan import FRESH_SEEDS, ROUND7_RATES, ROUND7_RUNS, ROUND7_SEEDS, SEEDS, joint_arm
from core.runs import small_kept, small_records
from core.weight_decay import OPTIMIZERS, SURFACES, optimizer_path


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


def round7_text(arm: str, label: str, directory: Path) -> str:
    """A round 7 arm: how its rate (and λ) were chosen, and its figures on ROUND7_SEEDS."""
    if arm == "sgd":  # its rate from the five of round 2's grid, without decay
        chosen = f"{label} at rate {TUNED[arm]:g} ({tuning_text(arm, directory)})"
    else:
        chosen = joint_text(arm, label, directory, ROUND7_RATES.get(arm))
    return f"{chosen}: {_arm_figures(ROUND7_RUNS[arm], directory, ROUND7_SEEDS)}"


def decay_evidence(undecayed: str, decayed: str, label: str, directory: Path) -> Evidence:
    """Registered in round 7 (core.plan): a decayed arm at the rate and λ validation chose together against the
    same training without decay at its own chosen rate, on ROUND7_SEEDS; round 2's seeds beside."""
    none, decay = (
        small_kept(ROUND7_RUNS[arm], "test_accuracy", directory, ROUND7_SEEDS) for arm in (undecayed, decayed)
    )
    numbers = (
        f"{ROUND7_TEXT}, on the 10,000 test images at the end of the schedule: "
        f"{round7_text(undecayed, 'no decay', directory)}; {round7_text(decayed, label, directory)}. Round 2's "
        f"test, not this one's: seeds 0–4, {label} λ = {TUNED[decayed]:g} minus no decay "
        f"{difference(decayed, undecayed, directory, SEEDS)}"
    )
    return paired(100 * (decay - none), POINTS, numbers)


def weight_decay_evidence(directory: Path) -> Evidence:
    found = decay_evidence("none", "adamw", "AdamW", directory)
    lr, decay = JOINT_TUNED["adamw"]
    earlier = difference(joint_arm("adamw"), ROUND7_RUNS["none"], directory, ROUND7_SEEDS)
    beside = f"AdamW at round 5's choice (rate {lr:g}, λ = {decay:g}), trained before the extension: {earlier}"
    return replace(found, numbers=f"{found.numbers}; at the same seeds, {beside}")


def sgd_decay_evidence(directory: Path) -> Evidence:
    """SGD with momentum: without decay at the rate validation chose from five, with decay at the rate and λ chosen
    together."""
    return decay_evidence("sgd", "sgd_decay", "SGD + L2", directory)


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
    """Registered in round 5 (core.plan): each rule at the rate and λ validation chose together, on the fresh seeds;
    round 2's seeds, at the shared rate, beside."""
    surface, labels = SURFACES["ill-conditioned quadratic"], list(OPTIMIZERS)
    adam, adamw = (optimizer_path(surface, label, lr=0.02, decay=0.5, steps=500) for label in labels[4:])
    rules = {"adamw": "AdamW", "adam_l2": "Adam + L2"}
    joint = {rule: small_kept(joint_arm(rule), "test_accuracy", directory, FRESH_SEEDS) for rule in rules}
    numbers = (
        f"the two update rules differ (500 steps on the ill-conditioned quadratic, λ = 0.5, lr 0.02: largest gap "
        f"between the paths {float(np.abs(adam - adamw).max()):.2f}); {FRESH_TEXT}, on the 10,000 test images at "
        "the end of the schedule, each rule at the rate and λ its validation chose together: "
        + "; ".join(joint_arm_text(rule, label, directory, FRESH_SEEDS) for rule, label in rules.items())
        + f". Round 2's test, not this one's: seeds 0–4 at the shared rate (1e-3), AdamW minus Adam + L2 "
        f"{difference('adamw', 'adam_l2', directory, SEEDS)}: "
        + "; ".join(decay_arm_text(rule, label, directory) for rule, label in rules.items())
    )
    return paired(100 * (joint["adamw"] - joint["adam_l2"]), POINTS, numbers)
