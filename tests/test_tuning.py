"""core.tuning: the doses core.plan trains at are the ones validation chose, by the rule, from the shipped records."""

import pytest

from core import arms, plan, tuning
from core.runs import load_record
from core.weight_decay import tuning_rows


@pytest.mark.parametrize("arm", list(plan.TUNING_GRIDS))
def test_the_planned_dose_is_the_one_validation_chose(arm):
    """TUNED equals the grid point with the highest end-of-schedule validation accuracy, and every grid run is
    the arm at that dose, at TUNE_SEED, measured at the end of its schedule."""
    found = tuning.tuning_results(arm)
    best = max(accuracy for accuracy, _ in found.values())
    ties = [dose for dose, (accuracy, _) in found.items() if accuracy == best]
    assert arms.TUNED[arm] == min(ties, key=lambda dose: found[dose][1]) == tuning.chosen_dose(arm)
    for dose in plan.TUNING_GRIDS[arm]:
        record = load_record(plan.tuning_name(arm, dose))
        model, train = plan.dosed(arm, dose)
        assert record["seed"] == plan.TUNE_SEED not in plan.SEEDS
        assert record["model"]["dropout"] == model.dropout and record["train"]["weight_decay"] == train.weight_decay
        assert record["kept_step"] == train.steps


def test_the_chosen_dose_breaks_ties_by_the_lower_validation_loss(monkeypatch):
    """Equal validation accuracies: the lower validation loss wins, whatever the grid order."""
    found = {0.1: (0.8, 0.5), 0.3: (0.8, 0.4), 1.0: (0.7, 0.1)}
    monkeypatch.setattr(tuning, "tuning_results", lambda arm, directory=None: found)
    assert tuning.chosen_dose("adamw") == 0.3


def test_tuning_rows_mark_the_chosen_dose_of_each_rule():
    """One row per grid point of each rule, the chosen one marked, validation and test figures as recorded."""
    record = {"val_accuracy": [0.1, 0.75], "val_loss": [2.3, 0.81234], "weight_norm": [5.0, 3.14159],
              "kept": {"test_accuracy": 0.7, "test_loss": 0.9}}  # fmt: skip
    rows = tuning_rows({"AdamW": {0.1: record, 0.3: record}}, {"AdamW": 0.3})
    assert [(row["λ"], row["chosen"]) for row in rows] == [(0.1, ""), (0.3, "✓")]
    assert rows[0]["validation accuracy %"] == "75.0" and rows[0]["validation loss"] == 0.812
    assert rows[0]["weight norm, end"] == 3.1 and rows[0]["test accuracy %"] == "70.0"
