"""Seeded CPU training of the small CNNs, used live by the labs and offline by ``python -m core.train``.

``python -m core.train`` reproduces every shipped run from the Debian Fashion-MNIST files: checkpoints
(``<name>.pt``) and records (``<name>.json``: configs, seed, accuracies, curves, per-layer
pre-activation statistics) in ``core/assets/runs/``.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torchvision.transforms import v2

from core.data import Split, load_debian, load_subset, to_tensor, write_subset
from core.models import CNNConfig, SmallCNN, activation_modules, recorded_io
from core.regularization import bootstrap_indices
from core.rng import RngStream
from core.runs import RUNS_DIR

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
HISTOGRAM_BATCH = 256  # test-subset images used for the recorded statistics
HISTOGRAM_BINS = 40  # bins of the recorded histograms, from each layer's minimum to its maximum


@dataclass(frozen=True)
class TrainConfig:
    steps: int  # optimizer steps
    batch_size: int = 128
    lr: float = 0.05
    optimizer: str = "sgd"  # "sgd" (momentum 0.9), "adam" (L2 via weight_decay) or "adamw" (decoupled)
    weight_decay: float = 0.0
    cosine: bool = False  # anneal the learning rate to zero over the run (CosineAnnealingLR)
    augment: bool = False  # per image: random 2-px shift (RandomCrop with padding) and horizontal flip
    seed: int = 0  # initialization and data order
    eval_every: int = 100  # steps between test evaluations
    snapshot_steps: tuple[int, ...] = ()  # steps whose weights and statistics are kept (0 = at init)


@dataclass
class Curves:
    """What a run has recorded so far: plain data, so caches can pickle it."""

    train_loss: list[float] = field(default_factory=list)  # per step
    eval_steps: list[int] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)  # at eval_steps, eval mode
    val_loss: list[float] = field(default_factory=list)  # at eval_steps, when a validation split is given
    weight_norm: list[float] = field(default_factory=list)  # at eval_steps: L2 norm of all parameters
    snapshots: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)  # step -> state_dict
    layer_stats: dict[int, dict[str, dict[str, float]]] = field(default_factory=dict)  # step -> layer -> stats

    @property
    def step(self) -> int:
        return len(self.train_loss)

    @property
    def final_accuracy(self) -> float:
        return self.test_accuracy[-1]

    @property
    def diverged(self) -> bool:
        return bool(self.train_loss) and not np.isfinite(self.train_loss[-1])


@dataclass
class TrainerState:
    """Everything needed to continue a run exactly where it stopped (plain data, picklable)."""

    model_config: CNNConfig
    config: TrainConfig
    model: dict[str, torch.Tensor]
    optimizer: dict
    schedule: dict | None
    stream: torch.Tensor  # RNG state for initialization and dropout
    order: torch.Tensor  # RNG state of the data shuffling
    pending: torch.Tensor  # the rest of the current epoch's shuffled indices
    curves: Curves


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    parameters, lr, decay = model.parameters(), config.lr, config.weight_decay
    if config.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=decay)
    raise ValueError(f"unknown optimizer {config.optimizer!r}")


@torch.inference_mode()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    """Top-1 accuracy of ``model`` as it is (the caller chooses train or eval mode)."""
    correct = sum(
        int((model(images[i : i + batch]).argmax(1) == labels[i : i + batch]).sum())
        for i in range(0, len(labels), batch)
    )
    return correct / len(labels)


@torch.inference_mode()
def mean_loss(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Mean cross-entropy of ``model`` as it is (the caller chooses the mode)."""
    return float(nn.functional.cross_entropy(model(images), labels))


def preactivation_stats(model: SmallCNN, images: torch.Tensor) -> dict[str, dict[str, float]]:
    """Mean, std and quantiles of what enters each non-linearity, as seen during training (train mode).

    Runs on a copy, so the running statistics of the model being trained are not touched.
    """
    probe = copy.deepcopy(model).train()
    with torch.no_grad(), recorded_io(activation_modules(probe)) as recorded:
        probe(images)
    stats = {}
    for name, (values, _) in recorded.items():
        flat = values.flatten().double()
        quantiles = torch.quantile(flat[:: max(1, flat.numel() // 100_000)], torch.tensor(QUANTILES).double())
        stats[name] = {"mean": float(flat.mean()), "std": float(flat.std())}
        stats[name].update({f"q{int(q * 100):02d}": float(v) for q, v in zip(QUANTILES, quantiles)})
        low, high = float(flat.min()), float(flat.max())
        counts = torch.histc(flat, bins=HISTOGRAM_BINS, min=low, max=high)
        stats[name]["histogram"] = {"low": low, "high": high, "counts": counts.long().tolist()}
    return stats


class Trainer:
    """One CNN trained on CPU, one step at a time; deterministic for a seed, whatever other threads do."""

    def __init__(
        self,
        model_config: CNNConfig,
        config: TrainConfig,
        train_split: Split,
        test_split: Split,
        state: TrainerState | None = None,
        val_split: Split | None = None,
    ) -> None:
        self.model_config, self.config = model_config, config
        self.images, self.labels = to_tensor(train_split.images), torch.from_numpy(train_split.labels)
        self.test_images, self.test_labels = to_tensor(test_split.images), torch.from_numpy(test_split.labels)
        self.val = (to_tensor(val_split.images), torch.from_numpy(val_split.labels)) if val_split else None
        # Pad with the background (black in pixel space), not with the normalized mean.
        background = float(to_tensor(np.zeros((1, 28, 28), np.uint8)).min())
        self.augment = v2.Compose([v2.RandomCrop(28, padding=2, fill=background), v2.RandomHorizontalFlip()])
        self.stream = RngStream(config.seed)
        with self.stream.active():
            self.model = SmallCNN(model_config)
        self.optimizer = make_optimizer(self.model, config)
        self.schedule = (
            torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, config.steps) if config.cosine else None
        )
        self.order = torch.Generator().manual_seed(config.seed)
        self.pending = torch.empty(0, dtype=torch.long)
        self.curves = Curves()
        if state is None:
            self._record()
        else:
            self._restore(copy.deepcopy(state))
        self.model.train()

    @property
    def done(self) -> bool:
        return self.curves.step >= self.config.steps or self.curves.diverged

    def step(self) -> None:
        if len(self.pending) < self.config.batch_size:  # a new epoch: reshuffle
            self.pending = torch.randperm(len(self.labels), generator=self.order)
        index, self.pending = self.pending[: self.config.batch_size], self.pending[self.config.batch_size :]
        # Dropout and the augmentation draw from torch's global generator: continue this run's stream meanwhile.
        with self.stream.active():
            images = self.images[index]
            if self.config.augment:
                images = torch.stack([self.augment(image) for image in images])  # fresh draws per image
            loss = nn.functional.cross_entropy(self.model(images), self.labels[index])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self.schedule is not None:
            self.schedule.step()
        self.curves.train_loss.append(float(loss.detach()))
        self._record()

    def _record(self) -> None:
        step, curves = self.curves.step, self.curves
        if step in self.config.snapshot_steps:
            curves.snapshots[step] = {k: v.clone() for k, v in self.model.state_dict().items()}
            curves.layer_stats[step] = preactivation_stats(self.model, self.test_images[:HISTOGRAM_BATCH])
        if step % self.config.eval_every == 0 or step == self.config.steps or curves.diverged:
            self.model.eval()
            curves.eval_steps.append(step)
            curves.test_accuracy.append(accuracy(self.model, self.test_images, self.test_labels))
            curves.weight_norm.append(float(torch.cat([p.detach().flatten() for p in self.model.parameters()]).norm()))
            if self.val is not None:
                curves.val_loss.append(mean_loss(self.model, *self.val))
            self.model.train()

    def state(self) -> TrainerState:
        return copy.deepcopy(
            TrainerState(
                self.model_config,
                self.config,
                self.model.state_dict(),
                self.optimizer.state_dict(),
                self.schedule.state_dict() if self.schedule else None,
                self.stream.state,
                self.order.get_state(),
                self.pending,
                self.curves,
            )
        )

    def _restore(self, state: TrainerState) -> None:
        self.model.load_state_dict(state.model)
        self.optimizer.load_state_dict(state.optimizer)
        if self.schedule is not None:
            self.schedule.load_state_dict(state.schedule)
        self.stream.state = state.stream
        self.order.set_state(state.order)
        self.pending, self.curves = state.pending, state.curves

    def trained_model(self) -> SmallCNN:
        return self.model.eval().requires_grad_(False)


def train(
    model_config: CNNConfig, config: TrainConfig, train_split: Split, test_split: Split, val_split: Split | None = None
) -> Trainer:
    """Train to the end (or to divergence)."""
    trainer = Trainer(model_config, config, train_split, test_split, val_split=val_split)
    while not trainer.done:
        trainer.step()
    return trainer


# --- the shipped runs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    name: str
    model: CNNConfig
    train: TrainConfig
    checkpoint: bool = True  # False: keep only the record (runs the app plots but never loads)
    train_images: int | None = None  # only the first N of a fixed shuffle of the 60,000 (None: all)
    validation: bool = False  # hold out the next VALIDATION_IMAGES of that shuffle, for early stopping
    bootstrap_seed: int | None = None  # bagging: resample the training images with replacement
    save_probs: bool = False  # keep the test-subset softmax outputs (<name>.npz), for ensembles


EPOCH = 469  # steps of one epoch at batch 128
BN_COMPARISON = TrainConfig(steps=EPOCH, lr=0.05, snapshot_steps=(0, 10, 30, 100, 250, EPOCH), eval_every=50)
DROPOUT = TrainConfig(steps=4 * EPOCH, optimizer="adam", lr=2e-3, cosine=True, eval_every=EPOCH // 2)
OTHER_NORMS = ("group", "layer", "instance")  # trained like the BN network, without snapshots
LR_SWEEP = (0.01, 0.05, 0.2, 0.5, 1.0)
LR_SWEEP_TRAIN = TrainConfig(steps=150, batch_size=64, eval_every=50)


DATA_SEED = 1234  # the fixed shuffle that small-data runs take their images from
VALIDATION_IMAGES = 1000
ADAM_DECAY = TrainConfig(steps=2 * EPOCH, optimizer="adam", lr=1e-3, weight_decay=0.02, eval_every=50)
OVERFIT = TrainConfig(steps=600, batch_size=100, optimizer="adam", lr=1e-3, eval_every=10)  # 60 epochs of 1,000
REGULARIZERS = {
    "none": (CNNConfig(), OVERFIT),
    "augmentation": (CNNConfig(), replace(OVERFIT, augment=True)),
    "dropout": (CNNConfig(dropout=0.5), OVERFIT),
    "weight_decay": (CNNConfig(), replace(OVERFIT, optimizer="adamw", weight_decay=0.5)),
}
ENSEMBLE_SIZE = 6
ENSEMBLE_TRAIN = TrainConfig(steps=160, optimizer="adam", lr=2e-3, eval_every=10**9)  # 2 epochs of 10,000


def shipped_runs() -> list[RunSpec]:
    runs = [
        RunSpec("plain", CNNConfig(norm="none"), BN_COMPARISON),
        RunSpec("batchnorm", CNNConfig(norm="batch"), BN_COMPARISON),
    ]
    runs += [RunSpec(f"dropout_p{p}", CNNConfig(norm="batch", dropout=p), DROPOUT) for p in (0.1, 0.2, 0.5)]
    comparison = replace(BN_COMPARISON, snapshot_steps=())
    runs += [RunSpec(f"{norm}norm", CNNConfig(norm=norm), comparison) for norm in OTHER_NORMS]
    for norm in ("none", "batch"):
        for lr in LR_SWEEP:
            runs.append(RunSpec(f"lr_{norm}_{lr}", CNNConfig(norm=norm), replace(LR_SWEEP_TRAIN, lr=lr), False))
    runs += [
        RunSpec("adam_l2", CNNConfig(), ADAM_DECAY, False),
        RunSpec("adamw", CNNConfig(), replace(ADAM_DECAY, optimizer="adamw"), False),
    ]
    runs += [
        RunSpec(f"overfit_{name}", model, train, False, train_images=1000, validation=True)
        for name, (model, train) in REGULARIZERS.items()
    ]
    for member in range(ENSEMBLE_SIZE):
        seeded = replace(ENSEMBLE_TRAIN, seed=member)
        runs.append(RunSpec(f"ensemble_seed{member}", CNNConfig(), seeded, False, 10_000, save_probs=True))
        runs.append(
            RunSpec(f"ensemble_bag{member}", CNNConfig(), seeded, False, 10_000, bootstrap_seed=member, save_probs=True)
        )
    return runs


def training_data(spec: RunSpec, full: Split) -> tuple[Split, Split | None]:
    """The run's training images (all, a fixed subset, or a bootstrap sample of it) and validation images."""
    if spec.train_images is None:
        return full, None
    order = np.random.default_rng(DATA_SEED).permutation(len(full))
    train_split = full.take(order[: spec.train_images])
    if spec.bootstrap_seed is not None:
        train_split = train_split.take(bootstrap_indices(len(train_split), spec.bootstrap_seed))
    held_out = order[spec.train_images : spec.train_images + VALIDATION_IMAGES]
    return train_split, full.take(held_out) if spec.validation else None


def run_and_save(spec: RunSpec, full: dict[str, Split], subset: dict[str, Split], out: Path) -> dict:
    started = time.perf_counter()
    train_split, val_split = training_data(spec, full["train"])
    trainer = train(spec.model, spec.train, train_split, subset["test"], val_split)  # curves on the shipped 2,000
    model, curves = trainer.trained_model(), trainer.curves
    full_images, full_labels = to_tensor(full["test"].images), torch.from_numpy(full["test"].labels)
    record = {
        "name": spec.name,
        "model": asdict(spec.model),
        "train": asdict(spec.train),
        "train_images": len(train_split),
        "seed": spec.train.seed,
        "test_accuracy_full": accuracy(model, full_images, full_labels),  # the 10,000 Debian test images
        "test_accuracy_subset": curves.final_accuracy,  # the shipped 2,000
        "diverged": curves.diverged,
        "train_loss": [round(x, 5) for x in curves.train_loss],
        "eval_steps": curves.eval_steps,
        "test_accuracy": curves.test_accuracy,
        "val_loss": curves.val_loss,
        "weight_norm": curves.weight_norm,
        "layer_stats": {str(step): stats for step, stats in curves.layer_stats.items()},
        "seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    if spec.checkpoint:
        payload = {"config": asdict(spec.model), "state_dict": model.state_dict(), "snapshots": curves.snapshots}
        torch.save(payload, out / f"{spec.name}.pt")
    if spec.save_probs:
        probs = torch.softmax(model(to_tensor(subset["test"].images)), dim=1)
        np.savez_compressed(out / f"{spec.name}.npz", probs=probs.numpy().astype(np.float16))
    (out / f"{spec.name}.json").write_text(json.dumps(record, indent=1))
    return record


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Reproduce the shipped checkpoints from Debian's Fashion-MNIST.")
    parser.add_argument("--only", nargs="*", help="run names or prefixes (default: all)")
    parser.add_argument("--out", type=Path, default=RUNS_DIR)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)  # the reference machine: 2 cores
    torch.use_deterministic_algorithms(True)
    full = load_debian()
    write_subset(full)
    subset = load_subset()
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in shipped_runs():
        if args.only and not any(spec.name.startswith(prefix) for prefix in args.only):
            continue
        record = run_and_save(spec, full, subset, args.out)
        print(
            f"{spec.name:22s} test {record['test_accuracy_full']:.4f} (subset {record['test_accuracy_subset']:.4f})"
            f"  {record['seconds']:6.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
