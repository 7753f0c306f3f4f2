"""core.mlp and its records' analyses (core.deep, core.dropout_time, core.ensembles): the recap slides' network,
its measurements by hand, and what the sections compute from the records."""

import json
import math
import shutil

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from core import deep, dropout_time, ensemble_plan, ensembles, mlp, time_measures
from core.data import MEAN, STD, Split
from core.rng import RngStream
from core.runs import RUNS_DIR, TEST_LABELS, load_record
from core.runspec import small_data_seed
from core.slow_plan import LONG_SLOW_SEEDS, slow_runs

TINY = Split(
    np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype=np.uint8), np.arange(64, dtype=np.int64) % 10
)


def test_inputs_are_raw_unit_or_standardized():
    """Raw keeps [0, 255]; unit divides by 255; standard subtracts the training set's mean and divides by its std."""
    pixels = torch.tensor([[[0, 255]]], dtype=torch.uint8)
    assert mlp.scale_inputs(pixels, "raw").tolist() == [[0.0, 255.0]]
    assert mlp.scale_inputs(pixels, "unit").tolist() == [[0.0, 1.0]]
    assert mlp.scale_inputs(pixels, "standard")[0].tolist() == pytest.approx([-MEAN / STD, (1 - MEAN) / STD])
    with pytest.raises(ValueError):
        mlp.scale_inputs(pixels, "other")


def test_the_network_has_depth_linear_layers_and_batchnorm_when_asked():
    """depth hidden Linear layers (no bias before BN) plus the head; BatchNorm1d only with norm='batch'."""
    plain, normed = mlp.MLP(mlp.MLPConfig(depth=5)), mlp.MLP(mlp.MLPConfig(depth=5, norm="batch"))
    assert len(plain.linears()) == len(normed.linears()) == 6
    assert sum(isinstance(m, nn.BatchNorm1d) for m in normed.modules()) == 5
    assert all(linear.bias is None for linear in normed.linears()[:-1]) and plain.linears()[0].bias is not None
    assert plain(torch.zeros(3, 784)).shape == (3, 10)


def test_gradient_norms_are_autograds_on_a_copy():
    """‖∂L/∂W‖ per linear layer equals a hand-run backward pass; the model itself keeps no gradient."""
    model = mlp.MLP(mlp.MLPConfig(depth=3))
    x, y = torch.randn(8, 784), torch.arange(8) % 10
    found = mlp.gradient_norms(model, x, y)
    reference = mlp.MLP(mlp.MLPConfig(depth=3))
    reference.load_state_dict(model.state_dict())
    nn.functional.cross_entropy(reference(x), y).backward()
    assert found == pytest.approx([float(m.weight.grad.norm()) for m in reference.linears()], rel=1e-5)
    assert all(p.grad is None for p in model.parameters())


def test_dead_and_saturated_units_by_hand():
    """A ReLU unit pushed below zero for every input is dead; sigmoid units with huge inputs are saturated."""
    model = mlp.MLP(mlp.MLPConfig(depth=1, width=4))
    with torch.no_grad():
        model.hidden[0].weight.zero_()
        model.hidden[0].bias.copy_(torch.tensor([-1.0, -1.0, 1.0, 1.0]))
    assert mlp.unit_stats(model, torch.randn(5, 784)) == {"saturated": [0.0], "dead": [0.5]}
    squashed = mlp.MLP(mlp.MLPConfig(depth=1, width=4, activation="sigmoid"))
    with torch.no_grad():
        squashed.hidden[0].weight.zero_()
        squashed.hidden[0].bias.copy_(torch.tensor([10.0, -10.0, 0.0, 0.0]))
    assert mlp.unit_stats(squashed, torch.randn(5, 784)) == {"saturated": [0.5], "dead": [0.0]}


def test_training_is_seeded_and_records_before_and_after():
    """The same run twice gives the same record; the rate with the lowest validation loss is chosen, never a
    diverged one."""
    run = mlp.MLPRun("input", mlp.MLPConfig(width=16), "unit", lr=0.05, steps=20, batch_size=16)
    first, second = (mlp.train_mlp(run, TINY, TINY, TINY) for _ in range(2))
    assert first == second and len(first["train_loss"]) == 2 and not first["diverged"]
    assert len(first["init"]["gradients"]) == 3 and len(first["trained"]["dead"]) == 2
    diverged = {**first, "lr": 1.0, "val_loss": None, "diverged": True}
    better = {**first, "lr": 0.1, "val_loss": first["val_loss"] - 0.1}
    assert mlp.chosen([diverged, first, better], inputs="unit") == [better]
    assert mlp.chosen([diverged, first], inputs="unit") == [first]


def test_the_experiments_cover_every_arm_rate_and_seed():
    """3 inputs × 43 rates, 5 depths × 2 norms × 8 rates, the deepest alone × 2 norms × 8 rates (round 7), 4
    non-linearities × 3 rates; 5 seeds each (the inputs' and round 7's fresh ones); the input grid steps by at most
    1.67x (1, 1.5, 2, 3, 5, 7, 10, ...), the depth grid by at most 3.4x (1, 3, 10, ...), and the depth experiments'
    nets start from Kaiming's init."""
    runs = mlp.experiment_runs()
    counts = {"input": 645, "depth": 400, "depth_verdict": 80, "activation": 60, "input_round13": 1290}
    assert {k: len(v) for k, v in runs.items()} == counts
    fresh_seeds = ((mlp.INPUT_SEEDS, "input"), (mlp.DEPTH_VERDICT_SEEDS, "depth_verdict"))
    for fresh, group in (*fresh_seeds, (mlp.INPUT_ROUND13_SEEDS, "input_round13")):
        assert {run.seed for run in runs[group]} == set(fresh) and not set(fresh) & set(mlp.SEEDS)
    assert not set(mlp.INPUT_ROUND13_SEEDS) & set(mlp.INPUT_SEEDS) and len(mlp.INPUT_ROUND13_SEEDS) == 10
    assert {run.split_seed for run in runs["input_round13"]} == set(map(small_data_seed, mlp.INPUT_ROUND13_SEEDS))
    assert all(run.split_seed is None for group in counts if group != "input_round13" for run in runs[group])
    assert [(r.inputs, r.lr) for r in runs["input_round13"][:645]] == [(r.inputs, r.lr) for r in runs["input"]]
    assert {run.model.depth for run in runs["depth_verdict"]} == {max(mlp.DEPTHS)}
    for rates, step in ((mlp.INPUT_LRS, 5 / 3), (mlp.DEPTH_LRS, 3.4)):
        assert max(b / a for a, b in zip(rates, rates[1:])) <= step + 1e-9
    assert {run.model.init for run in runs["depth"] + runs["depth_verdict"]} == {"kaiming"}


def test_a_split_seed_holds_out_its_own_random_images():
    """By default the last VALIDATION images are held out; a split seed holds out a random draw of them, the same for
    the same seed, another for another seed, never overlapping the training images."""
    full = Split(np.arange(20_000, dtype=np.uint8).reshape(-1, 1, 1) % 251, np.arange(20_000, dtype=np.int64))
    train, val = mlp.split_for_training(full)
    assert val.labels.tolist() == list(range(20_000 - mlp.VALIDATION, 20_000)) and len(train) == 20_000 - mlp.VALIDATION
    first, again, other = (mlp.split_for_training(full, seed)[1].labels for seed in (1290, 1290, 1291))
    assert len(first) == mlp.VALIDATION and (first == again).all() and not (first == other).all()
    assert not set(first) & set(mlp.split_for_training(full, 1290)[0].labels.tolist())
    assert set(first.tolist()) != set(val.labels.tolist())  # not the last images


@pytest.mark.parametrize("group, rates", [("input", mlp.INPUT_LRS), ("depth", mlp.DEPTH_LRS)])
def test_no_arm_chose_its_grids_lowest_rate(group, rates):
    """The shipped records' chosen rates (per arm and seed, by validation loss) all lie above the grid's lowest."""
    records = load_record(f"mlp_{group}")["runs"]
    arms = {(r["inputs"], r["model"]["depth"], r["model"]["norm"]) for r in records}
    for inputs, depth, norm in arms:
        for record in mlp.chosen(records, inputs=inputs, model_depth=depth, model_norm=norm):
            assert record["lr"] > min(rates), (inputs, depth, norm, record["seed"])


def test_kaiming_init_keeps_a_deep_relu_stack_from_shrinking():
    """nn.init.kaiming_normal_ on every hidden layer: after 30 ReLU layers the signal keeps its scale, while
    nn.Linear's default init shrinks it by more than 10x."""
    x = torch.randn(512, 784)
    with RngStream(0).active():
        kaiming, default = mlp.MLP(mlp.MLPConfig(depth=30, init="kaiming")), mlp.MLP(mlp.MLPConfig(depth=30))
    with torch.no_grad():
        assert 0.3 < float(kaiming.hidden(x).std()) < 3 and float(default.hidden(x).std()) < 0.1
        assert float(kaiming.linears()[0].weight.std()) == pytest.approx((2 / 784) ** 0.5, rel=0.05)


def test_activation_derivatives_are_the_closed_forms():
    """σ' = σ(1 − σ), tanh' = 1 − tanh², ReLU' = step, Leaky ReLU' = 1 or the slide's slope 0.1."""
    curves = deep.activation_curves(points=101)
    z, s, ds = curves["sigmoid"]
    assert np.allclose(ds, s * (1 - s))
    _, t, dt = curves["tanh"]
    assert np.allclose(dt, 1 - t**2)
    _, _, dr = curves["ReLU"]
    assert np.array_equal(dr[z > 0], np.ones((z > 0).sum())) and not dr[z < 0].any()
    _, _, dl = curves["Leaky ReLU (0.1)"]
    assert np.allclose(dl[z < 0], 0.1)


def test_epochs_to_reach_and_the_fixed_target():
    """The first evaluation at or above the target, in epochs; the target is 98 % of the lowest best accuracy."""
    run = {"eval_steps": [0, 20, 40, 60], "val_accuracy": [0.1, 0.7, 0.9, 0.8], "train": {"batch_size": 100},
           "train_images": 1000}  # fmt: skip
    assert dropout_time.epochs_to_reach(run, 0.85) == 40 * 100 / 1000
    other = {**run, "val_accuracy": [0.1, 0.5, 0.6, 0.8]}
    assert dropout_time.slow_target({"a": [run], "b": [other]}) == pytest.approx(0.98 * 0.8)
    assert dropout_time.epochs_to_reach(other, 0.85) == math.inf
    row = dropout_time.slow_rows({"a": [run, other]}, 0.85)[0]
    assert row["epochs to the target (per seed)"] == "4.00, not reached" and row["mean"] == "—"


def test_round_elevens_smoothed_curve_and_per_seed_effect_by_hand():
    """Each validation averaged with up to three before it, placed at their mean epoch; the target is a share of the
    lower best smoothed accuracy of the seed's two runs, and each run's epochs to it."""
    none = {"epoch_steps": [0, 10, 20, 30, 40, 50], "epoch_val_accuracy": [0.1, 0.5, 0.9, 0.1, 0.9, 0.9],
            "train": {"batch_size": 100}, "train_images": 1000}  # fmt: skip
    epochs, smoothed = dropout_time.smoothed_curve(none)
    assert epochs.tolist() == [0, 0.5, 1, 1.5, 2.5, 3.5]  # the windows' middles
    assert smoothed == pytest.approx([0.1, 0.3, 0.5, 0.4, 0.6, 0.7])  # the lucky 0.9 at epoch 2 alone is not enough
    assert dropout_time.smoothed_epochs_to(none, 0.6) == 2.5 and dropout_time.smoothed_epochs_to(none, 0.8) == math.inf
    dropout = {**none, "epoch_val_accuracy": [0.1, 0.3, 0.5, 0.7, 0.8, 0.8]}  # smoothed 0.1, 0.2, 0.3, 0.4, 0.575, 0.7
    # Target 0.98 · min(0.7, 0.7) = 0.686: both at the last window (epochs 2 to 5).
    assert dropout_time.seed_target(none, dropout, 0.98) == pytest.approx(0.686)
    assert dropout_time.seed_epochs(none, dropout, 0.98) == (3.5, 3.5)
    # Target 0.5 · 0.7 = 0.35: without dropout at the third window (0.5, epoch 1), with it at the fourth: 50 % more.
    assert dropout_time.seed_epochs(none, dropout, 0.5) == (1, 1.5)
    row = {"seed": 7, "target": "35.0 %", "epochs without dropout": "1.00", "epochs with dropout": "1.50"}
    assert dropout_time.long_rows([7], [none], [dropout], 0.5) == [{**row, "more epochs with dropout": "+50 %"}]


def test_round_elevens_figure_draws_each_arms_mean_smoothed_curve():
    """One line per arm, the mean over seeds of the smoothed curves in %, and no target line (each seed has its own)."""
    run = {"epoch_steps": [0, 10, 20], "epoch_val_accuracy": [0.2, 0.4, 0.6], "train": {"batch_size": 100},
           "train_images": 1000}  # fmt: skip
    other = {**run, "epoch_val_accuracy": [0.4, 0.6, 0.8]}  # smoothed 0.4, 0.5, 0.6; the first 0.2, 0.3, 0.4
    figure = dropout_time.long_figure({"arm": [run, other]})
    (line,) = [trace for trace in figure.data if trace.name == "arm"]
    assert list(line.x) == [0, 0.5, 1] and np.allclose(line.y, [30, 40, 50]) and not figure.layout.shapes


def test_round_elevens_evidence_by_hand(tmp_path):
    """Per seed, dropout reaches 98 % of the best smoothed accuracy k epochs after the run without it (at the window of
    epochs 1-4, placed at 2.5): the effect is the mean log ratio (k + 2.5) / 2.5 taken back to % more, its interval
    Student's t on the logs; round 4's test is read beside from its own records."""

    def write(name: str, accuracy: list[float]) -> None:
        record = {"epoch_steps": list(range(len(accuracy))), "epoch_val_accuracy": accuracy, "train_images": 1}
        (tmp_path / f"{name}.json").write_text(json.dumps({**record, "train": {"batch_size": 1}}))

    for k, seed in enumerate(LONG_SLOW_SEEDS, 1):  # smoothed without dropout 0.5, 0.7, 0.77, 0.8, 0.9 …
        write(f"slow_long_none_seed{seed}", [0.5] + [0.9] * 12)
        write(f"slow_long_dropout0.3_seed{seed}", [0.5] * (1 + k) + [0.9] * 6)
        write(f"slow_long_dropout0.5_seed{seed}", [0.5] + [0.9] * 12)  # as fast as without dropout
    for spec in slow_runs():
        shutil.copy(RUNS_DIR / f"{spec.name}.json", tmp_path)
    found = time_measures.long_dropout_time_evidence(tmp_path, 0.3)
    logs = np.log((np.arange(1, len(LONG_SLOW_SEEDS) + 1) + 2.5) / 2.5)
    half = stats.t.ppf(0.975, len(logs) - 1) * logs.std(ddof=1) / np.sqrt(len(logs))
    expected = 100 * np.expm1([logs.mean(), logs.mean() - half, logs.mean() + half])
    assert [found.effect, found.ci_low, found.ci_high] == pytest.approx(expected) and found.seeds == len(logs)
    assert "2.50 / 3.50, 2.50 / 4.50" in found.numbers and "p = 0.5 at 98 %: +0.0 %" in found.numbers
    assert found.interval_of == f"paired t over {len(logs)} seeds on log ratios"
    round4 = time_measures.round4_dropout_time_evidence(RUNS_DIR)
    assert found.numbers.endswith(f"every evaluation read alone, {round4.brief(1, ' %')}): {round4.numbers}")


def test_ensemble_result_by_hand():
    """Two members over four images: their errors, the average's error and their disagreement."""
    probs = np.array(
        [[[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.4, 0.6]], [[0.8, 0.2], [0.3, 0.7], [0.3, 0.7], [0.7, 0.3]]]
    )
    labels = np.array([0, 0, 1, 1])
    found = ensembles.ensemble_result("x", probs, labels)
    assert found.member_errors.tolist() == [0.0, 0.5] and found.error == 0.5 and found.disagreement == 0.5
    assert ensembles.ensemble_result("one", probs[:1], labels).disagreement == 0.0


def test_round_ten_errors_and_rows_by_hand(tmp_path):
    """Two images, 5 checkpoints whose averages of the last 2 and of all 5 are worked out by hand; each seed alike."""
    np.save(tmp_path / TEST_LABELS, np.array([0, 1]))
    right, wrong, unsure = [0.9, 0.1], [0.1, 0.9], [0.45, 0.55]  # softmax over 2 classes, for image 0 (label 0)
    checkpoints = np.array([[p, [0.2, 0.8]] for p in (right, right, right, wrong, unsure)])  # image 1 always right
    for seed in ensemble_plan.LONG_SEEDS:
        np.savez(tmp_path / f"ckpt_long_single_seed{seed}.npz", probs=np.array([[wrong, [0.2, 0.8]]]))
        np.savez(tmp_path / f"ckpt_long_snapshot_seed{seed}.npz", probs=checkpoints)
    errors = time_measures.long_checkpoint_errors(tmp_path)
    # Image 0's mean probability of class 0: last 2 0.275 and last 3 (0.9 + 0.1 + 0.45) / 3 = 0.483, wrong; last 4
    # 0.5875 and all 5 0.65, right.
    expected = {"single": 50, "last 5": 0, "last 4": 0, "last 3": 50, "last 2": 50}
    expected |= {"checkpoint 1": 0, "checkpoint 2": 0, "checkpoint 3": 0, "checkpoint 4": 50, "checkpoint 5": 50}
    assert {key: found.tolist() for key, found in errors.items()} == {k: [v] * 5 for k, v in expected.items()}
    rows = ensembles.long_checkpoint_rows(errors, 100)
    assert [row["network or average"] for row in rows][:2] == [
        "one network, 100 epochs",
        "all 5 checkpoints averaged (the claim's test)",
    ]
    assert rows[5]["network or average"] == "checkpoint 1 alone (epoch 20)"
    assert (
        rows[0]["fewer errors than one network"] == "—" and rows[1]["fewer errors than one network"] == "+50.00 points"
    )


def test_snapshot_schedule_restarts_at_each_cycle():
    """torch's warm restarts: the snapshot rate where each cycle starts and about zero just before."""
    series = ensembles.schedule_series(ensemble_plan.CHECKPOINT, ensemble_plan.SNAPSHOT)
    _, cycles = series[ensembles.CHECKPOINT_ARMS["snapshot"]]
    assert series[ensembles.CHECKPOINT_ARMS["single"]][1][0] == pytest.approx(ensemble_plan.CHECKPOINT.lr)
    for start in range(0, ensemble_plan.CHECKPOINT.steps, ensemble_plan.CHECKPOINT_CYCLE):
        assert cycles[start] == pytest.approx(ensemble_plan.SNAPSHOT.lr)
        assert start == 0 or cycles[start - 1] < 1e-4
    assert series[ensembles.CHECKPOINT_ARMS["independent"]][1] == pytest.approx(cycles)


def test_stalled_depth_is_the_first_depth_where_every_seed_stays_near_chance():
    """Loss above 0.9 ln 10 at the end for all seeds (None for a diverged run) counts as stalled."""

    def arm(*final):
        return [{"train_loss": [2.3, value]} for value in final]

    arms = {("none", 4): arm(0.5, 0.6, 0.4), ("none", 10): arm(2.2, 0.9, 2.2), ("none", 20): arm(2.25, None, 2.3),
            ("none", 30): arm(2.3, 2.3, 2.3)}  # fmt: skip
    assert deep.stalled_depth(arms, "none") == 20
    assert math.isclose(deep.STALLED, 0.9 * math.log(10))


def test_checkpoint_tuning_rows_mark_each_arms_choice():
    """One row per candidate, its validation figures in percent and nats, the chosen one of each arm marked."""
    candidates = {("single", 1, 0.05, 1): (0.1, 0.3), ("single", 1, 0.1, 1): (0.0912, 0.25),
                  ("snapshot", 4, 0.1, 2): (0.095, 0.28)}  # fmt: skip
    chosen = {"single": (1, 0.1, 1), "snapshot": (4, 0.1, 2)}
    rows = ensembles.checkpoint_tuning_rows(candidates, chosen)
    assert [row["chosen"] for row in rows] == ["", "✓", "✓"]
    assert rows[1] == {"candidate": "one network, rate 0.1", "validation error %": "9.12", "validation loss": "0.250",
                       "chosen": "✓"}  # fmt: skip
    assert rows[2]["candidate"] == "snapshot: 4 cycles from rate 0.1, last 2 averaged"
