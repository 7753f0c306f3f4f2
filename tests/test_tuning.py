"""core.tuning: the doses core.plan trains at are the ones validation chose, by the rule, from the shipped records."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core import arms, augment_plan, ensemble_plan, plan, slow_plan, tuning
from core.runs import load_record, load_val_probs
from core.runspec import DATA_SEED, tuning_data_seed
from core.tuning import joint_rows
from core.weight_decay import tuning_rows


@pytest.mark.parametrize("arm", list(plan.TUNING_GRIDS))
def test_the_planned_dose_is_the_one_validation_chose(arm):
    """TUNED equals the grid point with the highest end-of-schedule validation accuracy (mean over the tuning
    seeds), and every grid run is the arm at that dose, at one of TUNE_SEEDS on that seed's own draw of images,
    measured at the end of its schedule."""
    found = tuning.tuning_results(arm)
    best = max(accuracy for accuracy, _ in found.values())
    ties = [dose for dose, (accuracy, _) in found.items() if accuracy == best]
    assert arms.TUNED[arm] == min(ties, key=lambda dose: found[dose][1]) == tuning.chosen_dose(arm)
    draws = set()
    for dose in plan.TUNING_GRIDS[arm]:
        model, train = plan.dosed(arm, dose)
        for seed in plan.TUNE_SEEDS:
            record = load_record(plan.tuning_name(arm, dose, seed))
            assert record["seed"] == seed not in plan.SEEDS
            assert record.get("data_seed", DATA_SEED) == tuning_data_seed(seed)  # seed 100's predates it
            assert record["model"]["dropout"] == model.dropout and record["train"]["weight_decay"] == train.weight_decay
            assert record["kept_step"] == train.steps
            draws.add(tuning_data_seed(seed))
    assert len(draws) == len(plan.TUNE_SEEDS) and not draws & {plan.small_data_seed(s) for s in plan.SEEDS}


@pytest.mark.parametrize("arm", list(plan.JOINT_DOSES))
def test_each_joint_grids_rate_and_dose_are_the_pair_validation_chose_together(arm):
    """JOINT_TUNED is the (rate, dose) of the arm's grid with the highest mean validation accuracy (ties: the lower
    mean validation loss), inside the rates (no registered extension was needed); every grid run is the arm at its
    rate and dose, measured at the end of its schedule, at a tuning seed on that seed's own draw."""
    found = tuning.joint_results(arm)
    rates = plan.JOINT_RATES[arm]
    assert list(found) == [(lr, dose) for lr in rates for dose in plan.JOINT_DOSES[arm]]
    best = max(accuracy for accuracy, _ in found.values())
    ties = [point for point, (accuracy, _) in found.items() if accuracy == best]
    chosen = min(ties, key=lambda point: found[point][1])
    assert arms.JOINT_TUNED[arm] == chosen == tuning.joint_choice(arm)
    assert rates[0] < chosen[0] < rates[-1]
    if arm in plan.TUNING_GRIDS:  # the dose chosen at the grid's shared rate is in the joint grid
        assert arms.TUNED[arm] in plan.JOINT_DOSES[arm] and plan.dosed(arm, 0)[1].lr in rates
    assert_grid_runs(arm, found)


def assert_grid_runs(arm: str, found: dict[tuple[float, float], tuple[float, float]], point=plan.joint_point) -> None:
    """Every run of a joint grid is the arm at its rate and dose (``point``'s network and training), measured at the
    end of its schedule, at a tuning seed on that seed's own draw."""
    for lr, dose in found:
        model, planned = point(arm, lr, dose)
        for seed in plan.TUNE_SEEDS:
            record = load_record(plan.joint_name(arm, lr, dose, seed))
            train = record["train"]
            assert (train["lr"], train["weight_decay"], train["seed"]) == (lr, planned.weight_decay, seed)
            assert (train["optimizer"], train["augment"]) == (planned.optimizer, planned.augment)
            assert record["model"]["dropout"] == model.dropout
            assert record.get("data_seed", DATA_SEED) == tuning_data_seed(seed)
            assert record["kept_step"] == train["steps"] == planned.steps


ROUNDS = {
    8: (plan.ROUND8_GRIDS, arms.ROUND8_TUNED),
    9: (plan.ROUND9_GRIDS, arms.ROUND9_TUNED),
    12: (augment_plan.ROUND12_GRIDS, arms.ROUND12_TUNED),
    13: ({arm: plan.ROUND13_GRIDS[arm] for arm in arms.ROUND13_TUNED}, arms.ROUND13_TUNED),  # those chosen so far
}


@pytest.mark.parametrize("number, arm", [(number, arm) for number, (grids, _) in ROUNDS.items() for arm in grids])
def test_each_rounds_choices_are_validations_over_each_arms_grid(number, arm):
    """ROUND8_TUNED, ROUND9_TUNED, ROUND12_TUNED and ROUND13_TUNED hold each arm's (rate, dose) with the highest mean
    validation accuracy over its grid of that round (ties: the lower mean validation loss), inside the grid's rates
    and doses (no further extension was needed) but round 9's p, at its extended grid's edge (inside round 13's), and
    round 13's p on 55,000 images, at its extended grid's lower edge;
    round 8's grids hold round 5's and round 7's points of the arm."""
    grids, tuned = ROUNDS[number]
    rates, doses = grids[arm]
    found = tuning.joint_results(arm, rates=rates, doses=doses)
    best = max(accuracy for accuracy, _ in found.values())
    chosen = min((point for point, (accuracy, _) in found.items() if accuracy == best), key=lambda p: found[p][1])
    assert tuned[arm] == chosen == tuning.joint_choice(arm, rates=rates, doses=doses)
    assert len(rates) == 1 or rates[0] < chosen[0] < rates[-1]  # one rate: the 55,000-image networks' shared one
    if (number, arm) == (9, "dropout"):  # the extension's p, where the rule allows no second extension
        assert chosen[1] == doses[-1] == 0.7
    elif (number, arm) == (13, "full_dropout"):  # likewise, after its one extension by the rule
        assert chosen[1] == doses[0] == 0.025
    else:
        assert len(doses) == 1 or doses[0] < chosen[1] < doses[-1]
    if arm in plan.JOINT_DOSES:  # round 5's and round 7's points of the arm are part of it
        earlier = plan.ROUND7_RATES.get(arm, plan.JOINT_RATES[arm])
        assert {(lr, dose) for lr in earlier for dose in plan.JOINT_DOSES[arm]} <= set(found)
    assert_grid_runs(arm, found, augment_plan.round12_point if number == 12 else plan.joint_point)


# The commit that fixed each verdict arm's choice, before its runs.
CHOSEN_AT = {
    **{plan.round_arm(arm, 8): "c1627e5" for arm in ("none", plan.RECIPE)},
    **{plan.round_arm(arm, 8): "dc07cd4" for arm in ("adamw", "adam_l2")},
    plan.round_arm("none", 9): "699f560",
    plan.round_arm("dropout", 9): "29af967",
    **{plan.round_arm(arm, 12): "8aed68c" for arm in ("none", "dropout")},  # round 8's and round 9's choices
    plan.round_arm("flip_shift", 12): "72b89c1",
    **{plan.round_arm(arm, 12): "5f3770e" for arm in ("rand_augment", "narrow_none", "narrow_rand_augment")},
}
SEEDS_OF_ROUND = {8: plan.ROUND8_SEEDS, 9: plan.ROUND9_SEEDS, 12: augment_plan.ROUND12_SEEDS}


@pytest.mark.parametrize("name, commit", CHOSEN_AT.items())
def test_each_verdict_run_started_from_its_arms_choice_or_later(name, commit):
    """Every verdict run of rounds 8, 9 and 12 records a committed plan at the commit that fixed its arm's choice or a
    later one (this needs the repository's history: skipped in a shallow clone)."""
    root = Path(__file__).parents[1]

    def git(*args: str) -> int:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True).returncode

    if git("cat-file", "-e", f"{commit}^{{commit}}"):
        pytest.skip("the repository's history is not here")
    for seed in SEEDS_OF_ROUND[int(name.rsplit("round", 1)[1])]:
        found = load_record(f"small_{name}_seed{seed}")
        assert found["plan_committed"] and git("merge-base", "--is-ancestor", commit, found["commit"]) == 0


def test_each_choice_is_marked_with_the_rounds_that_made_it():
    """Round 5 chose the Adam rules' points, round 7 the no-decay network's, AdamW's second and SGD + L2's, rounds 8,
    9 and 12 each of their arms'; a point several rounds chose names each."""
    assert tuning.chosen_rounds("adam_l2", (5,)) == {arms.JOINT_TUNED["adam_l2"]: [5]}
    assert tuning.chosen_rounds("sgd_decay") == {arms.JOINT_TUNED["sgd_decay"]: [7]}
    found = tuning.chosen_rounds("adamw")
    assert sorted(number for rounds in found.values() for number in rounds) == [5, 7, 8]
    assert found[arms.ROUND7_ADAMW][0] == 7 and 8 in found[arms.ROUND8_TUNED["adamw"]]
    assert tuning.chosen_rounds(plan.RECIPE) == {arms.ROUND8_TUNED[plan.RECIPE]: [8]}
    assert tuning.chosen_rounds("none", (8, 9, 12)) == {arms.ROUND8_TUNED["none"]: [8, 9, 12]}  # kept round 8's
    assert tuning.chosen_rounds("narrow_none", (12,)) == {(1e-3, 0.0): [12]}


def test_round_sevens_adamw_is_its_choice_over_the_extended_rates():
    """Over round 7's rates (round 5's and the edge rule's 1e-2), AdamW's choice is ROUND7_ADAMW, the arm its
    verdict runs train; the network without regularization's grid is those rates too."""
    assert plan.ROUND7_RATES["adamw"] == plan.JOINT_RATES["none"] == (*plan.ADAM_RATES, 1e-2)
    assert tuning.joint_choice("adamw", rates=plan.ROUND7_RATES["adamw"]) == arms.ROUND7_ADAMW
    model, train = plan.joint_point("adamw", *arms.ROUND7_ADAMW)
    assert (train.optimizer, train.lr, train.weight_decay, model.dropout) == ("adamw", *arms.ROUND7_ADAMW, 0)


def test_the_tuning_means_are_the_seeds_means():
    """Each dose's validation figures are the means of its runs' last evaluation, one run per tuning seed."""
    records = tuning.tuning_records("dropout")
    dose = plan.TUNING_GRIDS["dropout"][0]
    accuracy, loss = tuning.tuning_results("dropout")[dose]
    assert len(records[dose]) == len(plan.TUNE_SEEDS) >= 3
    assert accuracy == pytest.approx(sum(r["val_accuracy"][-1] for r in records[dose]) / len(records[dose]))
    assert loss == pytest.approx(sum(r["val_loss"][-1] for r in records[dose]) / len(records[dose]))


def test_equal_numbers_of_right_answers_tie_despite_float32_records(monkeypatch):
    """Two doses with the same right answers over the seeds (78.6 + 80.4 + 79.4 and 77.4 + 80.0 + 81.0 %, as float32
    fractions) have equal mean accuracies, so the lower mean validation loss decides."""

    def runs(accuracies, loss):
        return [{"val_accuracy": [float(np.float32(a))], "val_loss": [loss]} for a in accuracies]

    records = {0.1: runs((0.786, 0.804, 0.794), 0.9), 3.0: runs((0.774, 0.800, 0.810), 0.6)}
    monkeypatch.setattr(tuning, "tuning_records", lambda arm, directory=None, doses=None: records)
    found = tuning.tuning_results("adamw")
    assert found[0.1][0] == found[3.0][0] and tuning.chosen_dose("adamw") == 3.0


def test_the_chosen_dose_breaks_ties_by_the_lower_validation_loss(monkeypatch):
    """Equal validation accuracies: the lower validation loss wins, whatever the grid order."""
    found = {0.1: (0.8, 0.5), 0.3: (0.8, 0.4), 1.0: (0.7, 0.1)}
    monkeypatch.setattr(tuning, "tuning_results", lambda arm, directory=None, doses=None: found)
    assert tuning.chosen_dose("adamw") == 0.3


def test_tuning_rows_mark_the_chosen_dose_of_each_rule():
    """One row per grid point of each rule, the chosen one marked, validation and test figures as recorded."""
    record = {"val_accuracy": [0.1, 0.75], "val_loss": [2.3, 0.81234], "weight_norm": [5.0, 3.14159],
              "kept": {"test_accuracy": 0.7, "test_loss": 0.9}}  # fmt: skip
    other = {"val_accuracy": [0.1, 0.65], "val_loss": [2.3, 1.0], "weight_norm": [5.0, 4.0],
             "kept": {"test_accuracy": 0.6, "test_loss": 1.1}}  # fmt: skip
    rows = tuning_rows({"AdamW": {0.1: [record, other], 0.3: [record]}}, {"AdamW": 0.3})
    assert [(row["λ"], row["chosen"]) for row in rows] == [("0.1", ""), ("0.3", "✓")]
    assert rows[0]["validation accuracy %"] == "70.0" and rows[0]["validation loss"] == "0.906"  # means of the two
    assert rows[0]["weight norm, end"] == "3.6" and rows[0]["test accuracy %"] == "65.0"
    assert rows[1]["validation accuracy %"] == "75.0" and rows[1]["validation loss"] == "0.812"


def test_joint_rows_put_each_rate_in_a_column_and_mark_the_chosen_pair():
    """Two rates × two λ for one rule: a row per λ, the rates as columns in increasing order, ✓ and the rounds at
    the choices."""
    found = {(1e-3, 0.3): (0.797, 0.7), (3e-3, 0.3): (0.8, 0.6), (1e-3, 0.1): (0.7946, 0.8), (3e-3, 0.1): (0.79, 0.9)}
    rows = joint_rows({"AdamW": found}, {"AdamW": {(3e-3, 0.3): [5, 8], (1e-3, 0.1): [7]}})
    assert rows == [
        {"training": "AdamW", "λ": "0.1", "rate 0.001": "79.5 ✓7", "rate 0.003": "79.0"},
        {"training": "AdamW", "λ": "0.3", "rate 0.001": "79.7", "rate 0.003": "80.0 ✓5,8"},
    ]


def test_joint_rows_share_the_columns_of_every_rules_rates():
    """A rule without one of another rule's rates gets "–" there, never a blank or a shifted column; without any
    dose the λ column is left out."""
    rows = joint_rows({"A": {(1e-3, 0.0): (0.8, 0.5), (1e-2, 0.0): (0.81, 0.4)}, "B": {(1e-3, 0.3): (0.79, 0.6)}},
                      {"A": {(1e-2, 0.0): [8]}, "B": {(1e-3, 0.3): [5]}})  # fmt: skip
    assert rows == [
        {"training": "A", "λ": "0", "rate 0.001": "80.0", "rate 0.01": "81.0 ✓8"},
        {"training": "B", "λ": "0.3", "rate 0.001": "79.0 ✓5", "rate 0.01": "–"},
    ]
    rates = joint_rows({"A": {(1e-3, 0.0): (0.8, 0.5)}}, {"A": {}})
    assert rates == [{"training": "A", "rate 0.001": "80.0"}]


def test_the_checkpoint_settings_are_the_ones_validation_chose():
    """The planned SGD rates, cycles and averaged checkpoints are the candidates with the lowest mean validation
    error, and every tuning run is its arm at its setting, on its tuning seed's own draw, with the validation
    outputs of each checkpoint."""
    chosen = tuning.checkpoint_choices(tuning.checkpoint_candidates())
    assert (
        chosen["single"] == (1, arms.TUNED["ckpt_single"], 1)
        and ensemble_plan.CHECKPOINT.lr == arms.TUNED["ckpt_single"]
    )
    snapshot = (arms.SNAPSHOT_TUNED["cycles"], arms.TUNED["ckpt_snapshot"], arms.SNAPSHOT_TUNED["averaged"])
    assert (
        chosen["snapshot"] == snapshot and (ensemble_plan.SNAPSHOT.restarts, ensemble_plan.SNAPSHOT.lr) == snapshot[:2]
    )
    for seed in plan.TUNE_SEEDS:
        for spec in ensemble_plan.checkpoint_tuning_runs(seed):
            record = load_record(spec.name)
            assert (record["seed"], record["data_seed"]) == (seed, tuning_data_seed(seed))
            assert record["train"]["lr"] == spec.train.lr and record["train"]["restarts"] == spec.train.restarts
            probs, labels = load_val_probs(spec.name)
            assert (
                probs.shape
                == (spec.train.restarts, ensemble_plan.CHECKPOINT_VALIDATION, 10)
                == (*probs.shape[:1], *labels.shape, 10)
            )


def test_averaged_scores_average_the_softmax_outputs_before_scoring():
    """Two members on two images: the average [0.45, 0.55] misses the first, [0.325, 0.675] hits the second."""
    probs = np.array([[[0.6, 0.4], [0.2, 0.8]], [[0.3, 0.7], [0.45, 0.55]]])
    error, loss = tuning.averaged_scores(probs, np.array([0, 1]))
    assert error == 0.5 and loss == pytest.approx(-(np.log(0.45) + np.log(0.675)) / 2)


def test_the_checkpoint_choice_breaks_ties_by_the_lower_validation_loss():
    """Per arm, the lowest error wins and equal errors go to the lower loss, whatever the other arm's candidates."""
    found = {("single", 1, 0.05, 1): (0.1, 0.3), ("single", 1, 0.1, 1): (0.1, 0.2),
             ("snapshot", 4, 0.1, 2): (0.09, 0.5), ("snapshot", 2, 0.2, 2): (0.08, 0.9)}  # fmt: skip
    assert tuning.checkpoint_choices(found) == {"single": (1, 0.1, 1), "snapshot": (2, 0.2, 2)}


def test_the_learning_rate_claims_rate_is_the_lowest_at_which_the_plain_network_stalls():
    """TUNED's rate is the lowest of the sweep at which 2 of the 3 tuning seeds end with a mean training loss above
    2 nats over the last 10 steps; the tuning runs are the sweep's plain network, read by no test image."""
    counts = tuning.stall_counts()
    assert list(counts) == list(plan.LR_SWEEP)
    assert arms.TUNED["bn_stall_lr"] == tuning.stall_rate() == next(lr for lr, n in counts.items() if n >= 2)
    for lr in plan.LR_SWEEP:
        for seed in plan.TUNE_SEEDS:
            record = load_record(plan.tuning_name("lr_none", lr, seed))
            assert record["model"] == load_record(f"lr_none_{lr}_seed0")["model"]
            assert (record["train"]["lr"], record["seed"]) == (lr, seed)
            last = np.mean(record["train_loss"][-10:])
            assert tuning.stalls(record) == (not np.isfinite(last) or last > 2.0)


def test_a_run_whose_loss_is_not_finite_stalls():
    """A diverged run (NaN loss) counts as stalled; one that learns does not."""
    assert tuning.stalls({"train_loss": [0.5] * 5 + [float("nan")] * 10})
    assert not tuning.stalls({"train_loss": [2.3] * 5 + [0.4] * 10})


def test_round_twelve_tunes_every_arm_over_round_eights_rates():
    """Round 12's arms choose from the five rates the network without augmentation chose from in round 8."""
    assert augment_plan.ROUND12_RATES == plan.ROUND8_RATES == plan.ROUND8_GRIDS["none"][0]
    assert arms.ROUND12_TUNED["none"] == arms.ROUND8_TUNED["none"]


def test_round_elevens_verdict_runs_dropout_at_the_p_validation_chose():
    """The shipped tuning records choose LONG_SLOW_P, and the verdict's dropout runs are at it."""
    assert slow_plan.LONG_SLOW_P == tuning.long_slow_choice()
    doses = {spec.model.dropout for spec in slow_plan.long_slow_runs() if spec.name.startswith("slow_long_dropout")}
    assert slow_plan.LONG_SLOW_P in doses and 0.5 in doses


def test_round_elevens_p_is_the_best_mean_smoothed_validation_accuracy(tmp_path):
    """A lucky single validation does not win: p 0.1 peaks higher once, p 0.5 holds a higher smoothed accuracy."""
    curves = {0.1: [0.1, 0.5, 0.95, 0.5, 0.5], 0.5: [0.1, 0.8, 0.8, 0.8, 0.8], 0.7: [0.1, 0.8, 0.8, 0.8, 0.8]}
    for p, accuracy in curves.items():
        for seed in plan.TUNE_SEEDS:
            record = {"epoch_steps": list(range(5)), "epoch_val_accuracy": accuracy, "train": {"batch_size": 1}}
            path = tmp_path / f"{plan.tuning_name('slow_long_dropout', p, seed)}.json"
            path.write_text(json.dumps({**record, "train_images": 1}))
    assert tuning.long_slow_choice(tmp_path, grid=tuple(curves)) == 0.5  # tied with 0.7: the lower p


def test_round_fifteen_chooses_each_arms_p_by_its_own_validation_loss_with_one_edge_extension(tmp_path):
    """Dropout off is best at 0.1, the grid's lower edge, so 0.05 joins both arms' grid: it wins dropout off; the MC
    average is best at 0.25 (tied with 0.5: the lower p)."""
    losses = {0.05: (0.20, 0.30), 0.1: (0.21, 0.25), 0.25: (0.25, 0.22), 0.5: (0.30, 0.22), 0.7: (0.1, 0.1)}
    for p, (off, mc) in losses.items():
        for seed in plan.TUNE_SEEDS:
            record = {"mc_val_loss": {"dropout off": off, "MC average": mc}}
            (tmp_path / f"{plan.tuning_name('full_mc', p, seed)}.json").write_text(json.dumps(record))
    assert tuning.round15_grid(tmp_path) == (0.05, 0.1, 0.25, 0.5)  # 0.7 is not reached: no second extension
    assert tuning.round15_choices(tmp_path) == {"dropout off": 0.05, "MC average": 0.25}


def test_round_fifteens_verdict_runs_each_arms_choice():
    """The shipped tuning records choose ROUND15_TUNED, and round 15's networks are at its p, on fresh seeds."""
    assert arms.ROUND15_TUNED == tuning.round15_choices()
    runs = plan.round15_runs(arms.ROUND15_TUNED)
    assert {spec.model.dropout for spec in runs} == set(arms.ROUND15_TUNED.values())
    assert {spec.train.seed for spec in runs} == set(plan.ROUND15_SEEDS)
    assert len(runs) == len(plan.ROUND15_SEEDS) * len(set(arms.ROUND15_TUNED.values()))
