"""Doses chosen on validation: each dosed arm of the small-data regime is trained once per point of its grid
(``core.plan.TUNING_GRIDS``, at ``TUNE_SEED``) and the point with the highest validation accuracy at the end of the
schedule is the one the compared runs use (ties: the lower validation loss)."""

from __future__ import annotations

from pathlib import Path

from core.plan import TUNING_GRIDS, tuning_name
from core.runs import RUNS_DIR, load_record


def tuning_results(arm: str, directory: Path = RUNS_DIR) -> dict[float, tuple[float, float]]:
    """Per dose of ``arm``'s grid: (validation accuracy, validation loss) at the end of the schedule."""
    found = {}
    for dose in TUNING_GRIDS[arm]:
        record = load_record(tuning_name(arm, dose), directory)
        found[dose] = (record["val_accuracy"][-1], record["val_loss"][-1])
    return found


def chosen_dose(arm: str, directory: Path = RUNS_DIR) -> float:
    """The dose validation chooses for ``arm``."""
    found = tuning_results(arm, directory)
    return max(found, key=lambda dose: (found[dose][0], -found[dose][1]))
