"""How "Compare networks only under the same augmentation" is measured (``core.measures`` has the other claims): a
wide and a narrow network, each trained without and with the same augmentation, ranked fairly and unfairly."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.arms import AUGMENTATION_LABELS, ROUND12_TUNED
from core.augment_plan import ROUND12_SEEDS, SAME_ARMS
from core.evidence import POINTS, Evidence, both_paired, paired, percent
from core.plan import FRESH_SEEDS, SEEDS
from core.regularization import same_augmentation_names
from core.runs import small_kept
from core.small_plan import COMPARISON_AUGMENT, round_arm


def _margins(seeds: tuple[int, ...], directory: Path, number: int | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """Per seed, in points: the fair margin (both widths trained with COMPARISON_AUGMENT, in the direction of the
    ranking it gives) and how far augmenting only the other network reverses that ranking; and the accuracies. The
    runs of round ``number`` (each arm at its chosen rate), or by default those at Adam's untuned rate."""
    wide_none, wide_aug, narrow_none, narrow_aug = (
        small_kept(round_arm(arm, number) if number else arm, "test_accuracy", directory, seeds) for arm in SAME_ARMS
    )
    fair = wide_aug - narrow_aug
    orientation = np.sign(fair.mean()) or 1.0  # the ranking the fair comparison gives
    unfair = orientation * np.where(orientation > 0, wide_none - narrow_aug, wide_aug - narrow_none)
    numbers = (
        f"width 16 vs width 8, both with {AUGMENTATION_LABELS[COMPARISON_AUGMENT]}: {100 * fair.mean():+.1f} points; "
        f"both without: {100 * (wide_none - narrow_none).mean():+.1f}; only the "
        f"{'narrow' if orientation > 0 else 'wide'} one augmented: {100 * orientation * unfair.mean():+.1f} (width 16 "
        f"{percent(wide_none)} without, {percent(wide_aug)} with; width 8 {percent(narrow_none)} without, "
        f"{percent(narrow_aug)} with)"
    )
    return 100 * orientation * fair, -100 * unfair, numbers


def same_augmentation_evidence(directory: Path) -> Evidence:
    """Registered in round 12 (core.augment_plan): every arm at the rate validation chose for it, on ROUND12_SEEDS,
    the smaller of the two mean margins (round 3's measure); beside it round 3's and round 2's seeds, every arm at
    Adam's untuned rate (round 2 with the statistic registered before its runs: the mean of each seed's smaller
    margin, biased low by the noise)."""
    fair, reversal, numbers = _margins(ROUND12_SEEDS, directory, 12)
    names = same_augmentation_names(AUGMENTATION_LABELS)
    rates = ", ".join(f"{name} {ROUND12_TUNED[arm][0]:g}" for name, arm in names.items())
    fair3, reversal3, numbers3 = _margins(FRESH_SEEDS, directory)
    round3 = both_paired(fair3, reversal3, POINTS, "")
    fair2, reversal2, numbers2 = _margins(SEEDS, directory)
    registered, smaller = paired(np.minimum(fair2, reversal2), POINTS, ""), both_paired(fair2, reversal2, POINTS, "")
    numbers = (
        f"seeds {', '.join(map(str, ROUND12_SEEDS))} (registered before their runs), each network at the rate "
        f"validation chose ({rates}): {numbers}; the two margins {fair.mean():+.2f} and {reversal.mean():+.2f} "
        f"points. At Adam's untuned rate 1e-3: seeds {', '.join(map(str, FRESH_SEEDS))} (round 3): {numbers3}; the "
        f"smaller of the two mean margins {round3.brief()}. Seeds {', '.join(map(str, SEEDS))} (round 2): "
        f"{numbers2}; its registered statistic, the mean of each seed's smaller margin, {registered.brief()}; the "
        f"smaller of the two mean margins {smaller.brief()}"
    )
    return both_paired(fair, reversal, POINTS, numbers)
