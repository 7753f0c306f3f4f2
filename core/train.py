"""The offline runner: ``python -m core.train`` reproduces every shipped run of ``core.plan`` from the Debian
Fashion-MNIST files: checkpoints (``<name>.pt``) and records (``<name>.json``: configs, seed, accuracies, curves,
per-layer pre-activation statistics) in ``core/assets/runs/``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from core.all_runs import pending_runs, shipped_runs
from core.bn_lab import mode_accuracies
from core.calibration import calibration, fit_temperature, reliability
from core.data import Split, load_debian, load_subset, normalize, to_tensor, write_subset
from core.ensemble_plan import CALIBRATION_PASSES, MC_PASSES
from core.ensembles import bootstrap_indices
from core.invariance import invariance_report, transformed_set
from core.mc_dropout import (
    MC_ARMS,
    cross_entropy,
    embeddings,
    mc_errors,
    off_and_mc_probs,
    tta_report,
    tta_scales_report,
)
from core.mlp import MLPRun, experiment_runs, split_for_training, train_mlp
from core.models import CNNConfig, SmallCNN
from core.plan import INVARIANCE_SEED, TTA_TEST_SETS, RunSpec
from core.runs import RUNS_DIR, TEST_LABELS, private_model
from core.trainer import accuracy, loss_and_accuracy, train
from core.weight_decay import decay_dose


def training_data(spec: RunSpec, full: Split) -> tuple[Split, Split | None]:
    """The run's training images (all, a fixed subset, or a bootstrap sample of it) and validation images."""
    if spec.train_images is None:
        return full, None
    order = np.random.default_rng(spec.data_seed).permutation(len(full))
    train_split = full.take(order[: spec.train_images])
    if spec.bootstrap_seed is not None:
        train_split = train_split.take(bootstrap_indices(len(train_split), spec.bootstrap_seed))
    held_out = order[spec.train_images : spec.train_images + spec.validation]
    return train_split, full.take(held_out) if spec.validation else None


PLAN_FILES = (
    "core/plan.py",
    "core/all_runs.py",
    "core/runspec.py",
    "core/ensemble_plan.py",
    "core/slow_plan.py",
    "core/small_plan.py",
    "core/augment_plan.py",
    "core/arms.py",
    "core/mlp.py",
)


def provenance() -> dict[str, object]:
    """Which commit of the plan a run was started from, so a record shows that its design was registered before it:
    the checked-out commit and whether the plan (PLAN_FILES) has uncommitted changes."""
    git = ["git", "-C", str(Path(__file__).parents[1])]
    plan = ["status", "--porcelain", *PLAN_FILES]
    try:
        commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        changed = subprocess.run([*git, *plan], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:  # no git: nothing to show
        return {"commit": "", "plan_committed": False}
    return {"commit": commit, "plan_committed": bool(commit) and not changed}


def run_and_save(
    spec: RunSpec,
    full: dict[str, Split],
    subset: dict[str, Split],
    out: Path,
    origin: Mapping[str, object] | None = None,
) -> dict:
    """Train one run and write its record (and checkpoint): ``origin`` is ``provenance()``, written into the record
    with the time the run started."""
    started, started_at = time.perf_counter(), datetime.now(UTC).isoformat(timespec="seconds")
    train_split, val_split = training_data(spec, full["train"])
    # Curves on the shipped 2,000 test images.
    trainer = train(spec.model, spec.train, train_split, subset["test"], val_split, spec.detailed)
    # Every arm is measured at the end of its schedule (core.plan's checkpoint rule).
    model, curves = trainer.trained_model(), trainer.curves
    full_images, full_labels = to_tensor(full["test"].images), torch.from_numpy(full["test"].labels)
    test_images, test_labels = subset["test"].tensors()
    full_loss, full_accuracy = loss_and_accuracy(model, full_images, full_labels)
    record = {
        "name": spec.name,
        "model": asdict(spec.model),
        "train": asdict(spec.train),
        "train_images": len(train_split),
        "seed": spec.train.seed,
        "data_seed": spec.data_seed if spec.train_images is not None else None,  # the shuffle the images came from
        "test_accuracy_full": full_accuracy,  # the 10,000 Debian test images
        "test_accuracy_subset": accuracy(model, test_images, test_labels),  # the shipped 2,000
        "diverged": curves.diverged,
        "train_loss": [round(x, 5) for x in curves.train_loss],
        "eval_steps": curves.eval_steps,
        "test_accuracy": curves.test_accuracy,
        "val_loss": curves.val_loss,
        "weight_norm": curves.weight_norm,
        "layer_stats": {str(step): stats for step, stats in curves.layer_stats.items()},
    }
    if spec.detailed:
        train_images, train_labels = to_tensor(train_split.images), torch.from_numpy(train_split.labels)
        record.update(
            train_accuracy=curves.train_accuracy,
            val_accuracy=curves.val_accuracy,
            test_loss=curves.test_loss,
            kept_step=curves.step,
            kept={  # the weights at the end of the schedule; test figures on the 10,000 test images
                "train_accuracy": accuracy(model, train_images, train_labels),
                "test_accuracy": record["test_accuracy_full"],
                "test_loss": full_loss,
                "weight_norm": float(torch.cat([p.flatten() for p in model.parameters()]).norm()),
            },
            decay_dose=decay_dose(asdict(spec.train)) if spec.train.optimizer == "adamw" else 0.0,
            ece=recorded_ece(model, full_images, full_labels.numpy()),
        )
        if val_split is not None:
            record["temperature_scaling"] = temperature_scaling(model, val_split, full_images, full_labels.numpy())
        stops = {  # what early stopping keeps, by each criterion, on the 10,000 test images
            "early_stopped": (curves.lowest_val_loss_step, curves.lowest_val_loss_weights),
            "early_stopped_accuracy": (curves.best_val_accuracy_step, curves.best_val_accuracy_weights),
        }
        for key, (step, weights) in stops.items():
            if weights is not None:
                stopped = private_model(spec.model, weights, train=False)
                stopped_loss, stopped_accuracy = loss_and_accuracy(stopped, full_images, full_labels)
                record[key] = {
                    "step": step,
                    "train_accuracy": accuracy(stopped, train_images, train_labels),
                    "test_accuracy": stopped_accuracy,
                    "test_loss": stopped_loss,
                }
        if spec.train.validate_every:
            record.update(
                epoch_steps=curves.epoch_steps,
                epoch_val_loss=curves.epoch_val_loss,
                epoch_val_accuracy=curves.epoch_val_accuracy,
            )
    pixels = torch.from_numpy(full["test"].images.copy()).unsqueeze(1)  # uint8 (N, 1, 28, 28), for transforming
    if spec.invariance:
        record["invariance"] = invariance_report(model, pixels, full_labels, INVARIANCE_SEED)
    if spec.tta:
        record["tta"] = tta_report(model, full_images, full_labels)
        record["tta_scales"] = tta_scales_report(model, full_images, full_labels)
        record["tta_transformed"] = {  # TTA where the test images themselves are shifted or mirrored
            f"{family} {strength:g}": tta_report(
                model, normalize(transformed_set(pixels, family, strength, INVARIANCE_SEED)), full_labels
            )
            for family, strength in TTA_TEST_SETS
        }
    if spec.bn_modes:
        record["bn_modes"] = mode_accuracies(spec.model, model.state_dict(), full_images, full_labels)
    if spec.mc_errors:
        record["mc_errors"] = mc_errors(model, full_images, full_labels.numpy(), MC_PASSES, seed=0)
    if spec.mc_validation:
        record["mc_val_loss"] = mc_validation_loss(model, val_split)
    record.update(seconds=round(time.perf_counter() - started, 1), torch=torch.__version__, threads=spec.threads)
    record.update(started_at=started_at, **(origin or {}))
    if spec.checkpoint:
        payload = {"config": asdict(spec.model), "state_dict": model.state_dict(), "snapshots": curves.snapshots}
        torch.save(payload, out / f"{spec.name}.pt")
    if spec.full_probs or spec.val_probs:  # (members, N, 10): the snapshots in step order, or the final weights
        states = [curves.snapshots[step] for step in sorted(curves.snapshots)] or [model.state_dict()]
        kept = {"probs": full_images} if spec.full_probs else {}
        if spec.val_probs:
            kept["val_probs"] = to_tensor(val_split.images)
        arrays = {
            key: np.stack([snapshot_probs(spec.model, state, images) for state in states]).astype(np.float16)
            for key, images in kept.items()
        }
        if spec.val_probs:
            arrays["val_labels"] = val_split.labels.astype(np.uint8)
        np.savez_compressed(out / f"{spec.name}.npz", **arrays)
    (out / f"{spec.name}.json").write_text(json.dumps(record, indent=1))
    return record


def mc_validation_loss(model: SmallCNN, val_split: Split) -> dict[str, float]:
    """Cross-entropy on the held-out images with dropout off and of the MC average of CALIBRATION_PASSES."""
    probs = off_and_mc_probs(model, embeddings(model, to_tensor(val_split.images)), CALIBRATION_PASSES)
    return dict(zip(MC_ARMS, (cross_entropy(p, val_split.labels) for p in probs)))


@torch.inference_mode()
def snapshot_probs(config: CNNConfig, state: dict[str, torch.Tensor], images: torch.Tensor) -> np.ndarray:
    """Softmax outputs (N, 10) of one set of weights in eval mode."""
    model = SmallCNN(config)
    model.load_state_dict(state)
    model.eval()
    return torch.cat([torch.softmax(model(images[i : i + 1000]), dim=1) for i in range(0, len(images), 1000)]).numpy()


def recorded_ece(model: SmallCNN, images: torch.Tensor, labels: np.ndarray) -> dict[str, float]:
    """ECE with dropout off and, for a dropout network, of the MC average of CALIBRATION_PASSES (seed 0)."""
    features = embeddings(model, images)
    return {name: curve.ece for name, curve in calibration(model, features, labels, CALIBRATION_PASSES, 0).items()}


def temperature_scaling(model: SmallCNN, val_split: Split, images: torch.Tensor, labels: np.ndarray) -> dict:
    """The usual calibration baseline: T fitted on the validation images, the ECE of softmax(logits / T) on the
    test images."""
    with torch.no_grad():  # not inference mode: fit_temperature differentiates through the logits' division
        val_logits, logits = model(to_tensor(val_split.images)), model(images)
    temperature = fit_temperature(val_logits, torch.from_numpy(val_split.labels))
    probs = torch.softmax(logits / temperature, dim=1).numpy()
    return {"temperature": temperature, "ece": reliability(probs.max(1), probs.argmax(1) == labels).ece}


_DATA: dict[str, dict[str, Split]] = {}  # per process: the full set and the shipped subset


def _run_one(spec: RunSpec, out: Path, origin: Mapping[str, object]) -> dict:
    """One run with its own thread count, in this process (a worker of the pool, or the main process)."""
    if not _DATA:
        _DATA.update(full=load_debian(), subset=load_subset())
    torch.set_num_threads(spec.threads)
    torch.use_deterministic_algorithms(True)
    return run_and_save(spec, _DATA["full"], _DATA["subset"], out, origin)


def _mlp_one(run: MLPRun) -> dict:
    """One arm of a recap experiment (core.mlp), on one thread, in this process."""
    if not _DATA:
        _DATA.update(full=load_debian(), subset=load_subset())
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    train_split, val_split = split_for_training(_DATA["full"]["train"], run.split_seed)
    return train_mlp(run, train_split, val_split, _DATA["full"]["test"])


def _report(record: dict) -> None:
    """One line per finished run: a run that records its validation accuracy shows that, not its test accuracy, so
    that whoever waits for a round's choices does not see test figures before its verdict runs."""
    if record.get("val_accuracy"):
        measured = f"validation {record['val_accuracy'][-1]:.4f}"
    else:
        measured = f"test {record['test_accuracy_full']:.4f} (subset {record['test_accuracy_subset']:.4f})"
    print(f"{record['name']:28s} {measured}  {record['seconds']:6.1f} s, {record['threads']} thread(s)", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Reproduce the shipped checkpoints from Debian's Fashion-MNIST.")
    parser.add_argument("--only", nargs="*", help="run names or prefixes (default: all)")
    parser.add_argument("--out", type=Path, default=RUNS_DIR)
    args = parser.parse_args(argv)
    full = load_debian()
    write_subset(full)
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / TEST_LABELS, full["test"].labels.astype(np.uint8))  # what full_probs are scored against

    def wanted(name: str) -> bool:
        return not args.only or any(name.startswith(prefix) for prefix in args.only)

    chosen = [s for s in (*shipped_runs(), *pending_runs()) if wanted(s.name)]
    origin = provenance()
    # Two-thread runs one after another; one-thread runs two at a time (the reference machine has 2 cores).
    for spec in [s for s in chosen if s.threads > 1]:
        _report(_run_one(spec, args.out, origin))
    single = [s for s in chosen if s.threads == 1]
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        for record in pool.map(_run_one, single, [args.out] * len(single), [origin] * len(single)):
            _report(record)
        for group, runs in experiment_runs().items():  # many small runs, one record file per experiment
            if wanted(f"mlp_{group}"):
                started, started_at = time.perf_counter(), datetime.now(UTC).isoformat(timespec="seconds")
                found = list(pool.map(_mlp_one, runs, chunksize=4))
                seconds = round(time.perf_counter() - started, 1)
                record = {"runs": found, "seconds": seconds, "torch": torch.__version__, "threads": 1}
                record.update(**origin, started_at=started_at)
                (args.out / f"mlp_{group}.json").write_text(json.dumps(record))
                print(f"mlp_{group:22s} {len(found)} runs  {seconds:6.1f} s, two at a time", flush=True)


if __name__ == "__main__":
    main()
