"""How "Dropout reduces over-fitting" is measured (``core.measures`` has the other small-data claims): round 9's
network with and without dropout, each at the rate (and p) validation chose, on seeds of their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.arms import TUNED
from core.evidence import POINTS, Evidence, paired, percent
from core.measures import difference, joint_text, tuning_text
from core.plan import FRESH_SEEDS, ROUND9_SEEDS, ROUND13_DROPOUT_GRIDS, SEEDS, round_arm
from core.runs import small_kept, small_records
from core.tuning import joint_choice, joint_results

ROUND9_TEXT = (
    f"seeds {ROUND9_SEEDS[0]}–{ROUND9_SEEDS[-1]} (registered before their runs, each on its own draw of images, each "
    "arm at the rate (and p) validation chose)"
)


def _choice_text(arm: str, label: str, directory: Path) -> str:
    """An arm at its round 9 choice (dropout's confirmed over round 13's grid): every point of a rate-only grid, else
    the best three of its grid (the Small data tab's table shows every point)."""
    rates, doses = ROUND13_DROPOUT_GRIDS[arm]
    if len(doses) == 1:
        return joint_text(arm, label, directory, rates, doses, dose_name="p")
    found = joint_results(arm, directory, rates, doses)
    best = sorted(found, key=lambda point: (-found[point][0], found[point][1]))[:3]
    lr, p = joint_choice(arm, directory, rates, doses)
    points = "; ".join(f"rate {r:g}, p = {q:g}: {100 * found[(r, q)][0]:.1f} %" for r, q in best)
    return (
        f"{label} at rate {lr:g}, p = {p:g} (chosen on validation from {len(rates)} rates × {len(doses)} p, p "
        f"{doses[-1]:g} added in round 13, registered before its runs, and the choice made again; the best three: "
        f"{points})"
    )


def round9_text(arm: str, label: str, directory: Path) -> str:
    """A round 9 arm: its choice over its grid (``_choice_text``), then its training and test accuracy, test loss
    and ECE with dropout off on ROUND9_SEEDS."""
    name = round_arm(arm, 9)
    ece = np.mean([r["ece"]["dropout off"] for r in small_records(name, directory, ROUND9_SEEDS)])
    return (
        f"{_choice_text(arm, label, directory)}: train "
        f"{percent(small_kept(name, 'train_accuracy', directory, ROUND9_SEEDS))}, test "
        f"{percent(small_kept(name, 'test_accuracy', directory, ROUND9_SEEDS))}, test loss "
        f"{small_kept(name, 'test_loss', directory, ROUND9_SEEDS).mean():.3f}, ECE {100 * ece:.1f} %"
    )


def dropout_evidence(directory: Path) -> Evidence:
    """Registered in round 9 (core.plan): dropout's test accuracy minus the network's without it, each at its choice,
    on ROUND9_SEEDS; round 2's test (seeds 0-4, Adam's shared rate) and seeds 5-9 beside."""
    effects = [small_kept(round_arm(arm, 9), "test_accuracy", directory, ROUND9_SEEDS) for arm in ("dropout", "none")]
    numbers = (
        f"{ROUND9_TEXT}, on the 10,000 test images at the end of the schedule: "
        f"{round9_text('none', 'no dropout', directory)}; {round9_text('dropout', 'dropout', directory)}. Round 2's "
        f"test, not this one's: seeds 0–4 at Adam's shared rate 1e-3, p = {TUNED['dropout']:g} (p "
        f"{tuning_text('dropout', directory)}) minus no dropout {difference('dropout', 'none', directory, SEEDS)}; "
        f"the same arms on seeds {FRESH_SEEDS[0]}–{FRESH_SEEDS[-1]} (trained for other claims): "
        f"{difference('dropout', 'none', directory)}"
    )
    return paired(100 * (effects[0] - effects[1]), POINTS, numbers)
