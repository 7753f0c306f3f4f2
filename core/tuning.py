"""Doses chosen on validation: each dosed arm of the small-data regime is trained once per point of its grid
(``core.plan.TUNING_GRIDS``) at each of ``TUNE_SEEDS``, and the point with the highest validation accuracy at the end
of the schedule, averaged over those seeds, is the one the compared runs use (ties: the lower mean validation loss)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.plan import TUNE_SEEDS, TUNING_GRIDS, tuning_name
from core.runs import RUNS_DIR, load_record


def tuning_records(arm: str, directory: Path = RUNS_DIR) -> dict[float, list[dict]]:
    """Per dose of ``arm``'s grid: its runs' records, one per tuning seed."""
    return {
        dose: [load_record(tuning_name(arm, dose, seed), directory) for seed in TUNE_SEEDS]
        for dose in TUNING_GRIDS[arm]
    }


def tuning_results(arm: str, directory: Path = RUNS_DIR) -> dict[float, tuple[float, float]]:
    """Per dose of ``arm``'s grid: (validation accuracy, validation loss) at the end of the schedule, each the mean
    over the tuning seeds.

    The accuracy is rounded to 1e-6, far below one image in 1,500 (6.7e-4): the records hold float32 fractions, so
    equal numbers of right answers can differ in the last bits of their mean, and the tie rule would never apply.
    """
    return {
        dose: (
            round(float(np.mean([record["val_accuracy"][-1] for record in records])), 6),
            float(np.mean([record["val_loss"][-1] for record in records])),
        )
        for dose, records in tuning_records(arm, directory).items()
    }


def chosen_dose(arm: str, directory: Path = RUNS_DIR) -> float:
    """The dose validation chooses for ``arm``."""
    found = tuning_results(arm, directory)
    return max(found, key=lambda dose: (found[dose][0], -found[dose][1]))
