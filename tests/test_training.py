"""core.trainer, core.plan and core.live: deterministic, resumable CPU training; shipped checkpoints reproduce
their records."""

import json
import pickle
import re
import subprocess
import threading
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import torch
from torch import nn
from torchvision.transforms import v2

from core.all_runs import pending_runs, shipped_runs
from core.calibration import reliability
from core.data import Split, load_subset, normalize, to_tensor
from core.live import CHUNK_STEPS, LIVE_MODELS, LiveSettings, live_chunk
from core.mlp import experiment_runs
from core.models import CNNConfig
from core.rng import RngStream
from core.runs import RUNS_DIR, TEST_LABELS, load_record, load_run, private_model
from core.runspec import DATA_SEED
from core.train import PLAN_FILES, _report, provenance, temperature_scaling
from core.trainer import AUGMENTATIONS, TrainConfig, Trainer, accuracy, mean_loss, train

SUBSET = load_subset()
TINY_TRAIN = Split(SUBSET["train"].images[:512], SUBSET["train"].labels[:512])
TINY_TEST = Split(SUBSET["test"].images[:200], SUBSET["test"].labels[:200])
TINY = TrainConfig(steps=12, batch_size=32, lr=0.05, eval_every=6, snapshot_steps=(0, 6, 12))


def weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    return trainer.model.state_dict()


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_training_is_deterministic_for_a_seed_with_dropout():
    """Two runs with one seed give bit-identical losses and weights; another seed differs."""
    config = CNNConfig(dropout=0.3)
    first, second = train(config, TINY, TINY_TRAIN, TINY_TEST), train(config, TINY, TINY_TRAIN, TINY_TEST)
    assert first.curves.train_loss == second.curves.train_loss
    assert same_weights(weights(first), weights(second))
    other = train(config, TrainConfig(**{**TINY.__dict__, "seed": 1}), TINY_TRAIN, TINY_TEST)
    assert other.curves.train_loss != first.curves.train_loss


def test_training_is_deterministic_while_other_threads_draw_random_numbers():
    """Another session drawing from its own stream meanwhile does not change a seeded run."""
    expected = train(CNNConfig(dropout=0.5), TINY, TINY_TRAIN, TINY_TEST).curves.train_loss
    stop = threading.Event()

    def noise() -> None:
        stream = RngStream(99)
        while not stop.is_set():
            with stream.active():
                torch.rand(100)

    thread = threading.Thread(target=noise)
    thread.start()
    try:
        assert train(CNNConfig(dropout=0.5), TINY, TINY_TRAIN, TINY_TEST).curves.train_loss == expected
    finally:
        stop.set()
        thread.join()


def test_resuming_from_a_pickled_state_equals_an_uninterrupted_run():
    """Stop after 5 steps, pickle the state, continue: same losses, accuracies and weights."""
    config = CNNConfig(dropout=0.2)
    whole = train(config, TINY, TINY_TRAIN, TINY_TEST)
    first = Trainer(config, TINY, TINY_TRAIN, TINY_TEST)
    for _ in range(5):
        first.step()
    resumed = Trainer(config, TINY, TINY_TRAIN, TINY_TEST, pickle.loads(pickle.dumps(first.state())))
    while not resumed.done:
        resumed.step()
    assert resumed.curves.train_loss == whole.curves.train_loss
    assert resumed.curves.test_accuracy == whole.curves.test_accuracy
    assert same_weights(weights(resumed), weights(whole))


def test_snapshots_and_statistics_are_recorded_at_the_asked_steps():
    """Snapshots at 0, 6 and 12; accuracy at 0, 6 and 12; stats hold mean/std/quantiles per layer."""
    curves = train(CNNConfig(), TINY, TINY_TRAIN, TINY_TEST).curves
    assert sorted(curves.snapshots) == [0, 6, 12] and curves.eval_steps == [0, 6, 12]
    stats = curves.layer_stats[0]
    assert list(stats) == ["block1", "block2", "block3", "block4", "fc"]
    assert stats["block1"]["std"] == pytest.approx(1.0, abs=0.01)  # BN output at init, train mode
    assert stats["block1"]["q01"] < stats["block1"]["q50"] < stats["block1"]["q99"]
    histogram = stats["block1"]["histogram"]
    assert len(histogram["counts"]) == 40 and histogram["low"] < histogram["high"]
    assert sum(histogram["counts"]) == 200 * 16 * 28 * 28  # every value of the 200 test images' block 1


def test_divergence_stops_the_run():
    """An absurd learning rate ends the run early and is reported as diverged."""
    result = train(CNNConfig(norm="none"), TrainConfig(steps=40, lr=1e4, batch_size=32), TINY_TRAIN, TINY_TEST)
    assert result.curves.diverged and result.curves.step < 40 and result.done


def test_optimizers_are_torchs():
    """sgd, adam and adamw build the real torch.optim classes with the given decay."""
    model = torch.nn.Linear(2, 2)
    from core.trainer import make_optimizer

    assert isinstance(
        make_optimizer(model, TrainConfig(steps=1, optimizer="adamw", weight_decay=0.1)), torch.optim.AdamW
    )
    assert isinstance(make_optimizer(model, TrainConfig(steps=1, optimizer="adam")), torch.optim.Adam)
    sgd = make_optimizer(model, TrainConfig(steps=1, weight_decay=0.01))
    assert isinstance(sgd, torch.optim.SGD) and sgd.param_groups[0]["momentum"] == 0.9


@pytest.mark.parametrize("spec", [s for s in shipped_runs() if s.checkpoint], ids=lambda s: s.name)
def test_shipped_checkpoints_reproduce_their_recorded_accuracy(spec):
    """Each shipped checkpoint, loaded fresh, scores its recorded accuracy on the shipped test subset."""
    run = load_run(spec.name)
    test = SUBSET["test"]
    model = private_model(run.config, run.final, train=False)
    measured = accuracy(model, to_tensor(test.images), torch.from_numpy(test.labels))
    assert measured == pytest.approx(run.record["test_accuracy_subset"], abs=0.003)
    assert run.record["model"] == run.config.__dict__


def as_json(config: object) -> dict:
    """A config dataclass as its record holds it (tuples become lists)."""
    return json.loads(json.dumps(asdict(config)))


def test_every_shipped_run_has_a_record_and_the_main_model_reaches_90_percent():
    """All runs of `python -m core.train` are shipped (the recap experiments' too), but a pending round's, whose
    records so far each match their plan; BN + dropout p=0.1 reaches ≥ 90% on the full test set."""
    begun = [spec for spec in pending_runs() if (RUNS_DIR / f"{spec.name}.json").exists()]
    for spec in [*shipped_runs(), *begun]:
        assert (RUNS_DIR / f"{spec.name}.json").exists(), spec.name
        assert (RUNS_DIR / f"{spec.name}.pt").exists() == spec.checkpoint, spec.name
        assert (RUNS_DIR / f"{spec.name}.npz").exists() == (spec.full_probs or spec.val_probs), spec.name
    for group, runs in experiment_runs().items():  # the recap experiments: one record file each, every arm in it
        assert len(load_record(f"mlp_{group}")["runs"]) == len(runs), group
    defaults = {"model": as_json(CNNConfig()), "train": as_json(TrainConfig(steps=0))}
    for spec in [*shipped_runs(), *begun]:  # each record was made by its plan (a field added since: its default then)
        record = load_record(spec.name)
        for field, planned in (("model", as_json(spec.model)), ("train", as_json(spec.train))):
            recorded = {key: record[field].get(key, defaults[field][key]) for key in planned}
            assert recorded == planned, (spec.name, field)
        if spec.train_images is not None:  # the draw of its images (recorded since round 2; DATA_SEED before)
            assert record.get("data_seed", DATA_SEED) == spec.data_seed, spec.name
    planned = {spec.name for spec in (*shipped_runs(), *pending_runs())} | {
        f"mlp_{group}" for group in experiment_runs()
    }
    stale = {path.name for path in RUNS_DIR.iterdir() if path.stem not in planned and path.name != TEST_LABELS}
    assert not stale, f"files of runs no longer planned: {sorted(stale)}"
    assert load_record("dropout_p0.1")["test_accuracy_full"] >= 0.90
    assert load_record("batchnorm")["test_accuracy_full"] > load_record("plain")["test_accuracy_full"]


def test_live_chunks_continue_each_other():
    """Chunk 0 is the initialization, chunk k holds k × CHUNK_STEPS steps, the same as one long run."""
    settings = LiveSettings(lr=0.05, batch_size=16, steps=2 * CHUNK_STEPS)
    chunk0 = live_chunk(settings, None, TINY_TRAIN, TINY_TEST)
    chunk1 = live_chunk(settings, chunk0, TINY_TRAIN, TINY_TEST)
    chunk2 = live_chunk(settings, chunk1, TINY_TRAIN, TINY_TEST)
    assert [chunk.states["BatchNorm"].curves.step for chunk in (chunk0, chunk1, chunk2)] == [0, 25, 50]
    reference = train(LIVE_MODELS["BatchNorm"], settings.train_config(), TINY_TRAIN, TINY_TEST)
    assert chunk2.states["BatchNorm"].curves.train_loss == reference.curves.train_loss
    assert [h.layer for h in chunk2.histograms] == ["block1", "block2", "block3", "block4", "fc"]
    assert set(chunk2.histograms[0].fractions) == set(LIVE_MODELS)


def test_augmenting_pixels_then_normalizing_equals_augmenting_the_normalized_input():
    """flip_shift on uint8 pixels padded with 0 is the flip and shift of the normalized image padded with black."""
    pixels = torch.from_numpy(SUBSET["train"].images[:16]).unsqueeze(1)
    background = float(to_tensor(SUBSET["train"].images[:1] * 0).min())
    on_floats = v2.Compose([v2.RandomCrop(28, padding=2, fill=background), v2.RandomHorizontalFlip()])
    with RngStream(5).active():
        expected = torch.stack([on_floats(image) for image in normalize(pixels)])
    with RngStream(5).active():
        found = normalize(torch.stack([AUGMENTATIONS["flip_shift"](image) for image in pixels]))
    assert torch.equal(found, expected)


@pytest.mark.parametrize("name", ["trivial_augment", "rand_augment"])
def test_auto_policies_train_on_fresh_uint8_draws(name):
    """The auto policies run on uint8 pixels; a run with them is deterministic and differs from no augmentation."""
    config = TrainConfig(**{**TINY.__dict__, "augment": name})
    first, second = (train(CNNConfig(), config, TINY_TRAIN, TINY_TEST) for _ in range(2))
    assert first.curves.train_loss == second.curves.train_loss
    assert first.curves.train_loss != train(CNNConfig(), TINY, TINY_TRAIN, TINY_TEST).curves.train_loss


def test_detailed_runs_record_train_validation_and_test_curves():
    """A detailed run records train/validation accuracy and test loss at every evaluation."""
    curves = train(CNNConfig(), TINY, TINY_TRAIN, TINY_TEST, val_split=TINY_TEST, detailed=True).curves
    assert len(curves.train_accuracy) == len(curves.val_accuracy) == len(curves.test_loss) == len(curves.eval_steps)
    assert all(0 <= value <= 1 for value in curves.train_accuracy + curves.val_accuracy)


def test_runs_keep_the_weights_of_their_lowest_validation_loss_for_early_stopping():
    """The first evaluation with the lowest validation loss, and its weights; with validate_every, of those, and
    also the first with the highest validation accuracy."""
    for every in (0, 2):
        config = TrainConfig(
            **{**TINY.__dict__, "steps": 24, "eval_every": 4, "snapshot_steps": (), "validate_every": every}
        )
        curves = train(CNNConfig(), config, TINY_TRAIN, TINY_TEST, val_split=TINY_TEST, detailed=True).curves
        steps, losses = (curves.epoch_steps, curves.epoch_val_loss) if every else (curves.eval_steps, curves.val_loss)
        assert steps == list(range(0, 25, every or 4))
        best = losses.index(min(losses))
        assert curves.lowest_val_loss_step == steps[best]
        model = private_model(CNNConfig(), curves.lowest_val_loss_weights, train=False)
        assert mean_loss(model, *TINY_TEST.tensors()) == pytest.approx(losses[best], abs=1e-5)
        if every:  # and those of the highest validation accuracy (the first of equals), of the same evaluations
            top = curves.epoch_val_accuracy.index(max(curves.epoch_val_accuracy))
            assert curves.best_val_accuracy_step == steps[top]
            model = private_model(CNNConfig(), curves.best_val_accuracy_weights, train=False)
            assert accuracy(model, *TINY_TEST.tensors()) == pytest.approx(curves.epoch_val_accuracy[top])


def test_the_erasing_recipe_erases_boxes_of_black_on_uint8_pixels():
    """flip_shift_erase is crop + flip + torchvision's RandomErasing: some draws blank a box, the dtype stays."""
    pixels = torch.from_numpy(SUBSET["train"].images[:64]).unsqueeze(1)
    with RngStream(1).active():
        augmented = torch.stack([AUGMENTATIONS["flip_shift_erase"](image) for image in pixels])
    assert augmented.dtype == torch.uint8 and augmented.shape == pixels.shape
    with RngStream(1).active():
        without = torch.stack([AUGMENTATIONS["flip_shift"](image) for image in pixels])
    assert (augmented == 0).sum() > (without == 0).sum()  # the erased boxes add black pixels


def test_temperature_scaling_is_fitted_on_validation_and_measured_on_test_images():
    """T minimizes the validation cross-entropy; the ECE is of the test images' softmax(logits / T)."""
    model = train(CNNConfig(), TINY, TINY_TRAIN, TINY_TEST).trained_model()
    validation, (images, labels) = Split(TINY_TRAIN.images[:200], TINY_TRAIN.labels[:200]), TINY_TEST.tensors()
    found = temperature_scaling(model, validation, images, labels.numpy())
    with torch.no_grad():
        val_logits, val_labels = model(to_tensor(validation.images)), torch.from_numpy(validation.labels)
        nll = [
            float(nn.functional.cross_entropy(val_logits / t, val_labels))
            for t in found["temperature"] * torch.tensor([0.9, 1.0, 1.1])
        ]
        probs = torch.softmax(model(images) / found["temperature"], dim=1).numpy()
    assert nll[1] < min(nll[0], nll[2])
    assert found["ece"] == pytest.approx(reliability(probs.max(1), probs.argmax(1) == labels.numpy()).ece)


def test_provenance_names_the_checked_out_commit_and_whether_the_plan_is_committed():
    """The commit is git's HEAD, and the plan counts as committed exactly when git sees no change to it."""
    root = Path(__file__).parents[1]
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", *PLAN_FILES],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert provenance() == {"commit": head, "plan_committed": bool(head) and not changed}


def test_round_six_records_say_their_plan_was_committed_before_they_started():
    """Every record that carries its provenance was started from a commit (40 hex digits) with the plan committed,
    at a UTC time."""
    stamped = [r for r in map(json.loads, map(Path.read_text, RUNS_DIR.glob("*.json"))) if "commit" in r]
    assert stamped, "round 6's records carry their provenance"
    for record in stamped:
        assert record["plan_committed"] and re.fullmatch("[0-9a-f]{40}", record["commit"]), record.get("name")
        assert datetime.fromisoformat(record["started_at"]).utcoffset() == timedelta(0)


def test_the_log_shows_a_tuning_runs_validation_accuracy_and_never_its_test_accuracy(capsys):
    """A run with held-out images logs its last validation accuracy; one without, its test accuracy."""
    run = {"name": "x", "seconds": 1.0, "threads": 1, "test_accuracy_full": 0.9123, "test_accuracy_subset": 0.95}
    _report({**run, "val_accuracy": [0.5, 0.7777]})
    _report(run)
    tuned, other = capsys.readouterr().out.splitlines()
    assert "validation 0.7777" in tuned and "0.9123" not in tuned and "0.95" not in tuned
    assert "test 0.9123 (subset 0.9500)" in other
