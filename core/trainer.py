"""The training engine: seeded CPU training of the small CNNs, step by step, used live by the BatchNorm Lab and
offline by ``python -m core.train``. What is trained offline, and how, is ``core.plan``."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torchvision.transforms import v2

from core.data import Split, normalize, to_tensor
from core.models import CNNConfig, SmallCNN, activation_modules, recorded_io
from core.rng import RngStream

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
    restarts: int = 1  # with cosine: cycles of equal length, each from the full rate to zero (snapshot ensembles)
    augment: str = "none"  # one of AUGMENTATIONS, drawn afresh for every image of every step
    seed: int = 0  # initialization and data order
    eval_every: int = 100  # steps between test evaluations
    validate_every: int = 0  # steps between extra validation-loss evaluations, for early stopping (0: none)
    snapshot_steps: tuple[int, ...] = ()  # steps whose weights and statistics are kept (0 = at init)


@dataclass
class Curves:
    """What a run has recorded so far: plain data, so caches can pickle it."""

    train_loss: list[float] = field(default_factory=list)  # per step
    eval_steps: list[int] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)  # at eval_steps, eval mode
    val_loss: list[float] = field(default_factory=list)  # at eval_steps, when a validation split is given
    val_accuracy: list[float] = field(default_factory=list)  # likewise, detailed runs only
    train_accuracy: list[float] = field(default_factory=list)  # at eval_steps, clean training images, detailed only
    test_loss: list[float] = field(default_factory=list)  # at eval_steps, detailed runs only
    weight_norm: list[float] = field(default_factory=list)  # at eval_steps: L2 norm of all parameters
    snapshots: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)  # step -> state_dict
    epoch_steps: list[int] = field(default_factory=list)  # the steps of the validate_every evaluations
    epoch_val_loss: list[float] = field(default_factory=list)  # validation loss at epoch_steps
    epoch_val_accuracy: list[float] = field(default_factory=list)  # validation accuracy at epoch_steps
    # Runs with a validation split: the evaluation with the lowest validation loss so far (the first of equals), and
    # its weights: what early stopping keeps, measured beside the end of the schedule. Taken from the validate_every
    # evaluations where the run has them, else from those at eval_steps.
    lowest_val_loss_step: int | None = None
    lowest_val_loss_weights: dict[str, torch.Tensor] | None = None
    # Likewise the validate_every evaluation with the highest validation accuracy (the first of equals): early
    # stopping on the validation error, the criterion an accuracy claim is judged by (round 4, core.plan).
    best_val_accuracy_step: int | None = None
    best_val_accuracy_weights: dict[str, torch.Tensor] | None = None
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


# The training-time augmentations, on uint8 (1, 28, 28) images. The auto policies need uint8 pixels, so every
# augmentation works on pixels and the batch is normalized afterwards (padding with 0 is the black background).
AUGMENTATIONS: dict[str, v2.Transform | None] = {
    "none": None,
    "flip_shift": v2.Compose([v2.RandomCrop(28, padding=2), v2.RandomHorizontalFlip()]),  # the lecture's flip + crop
    # The standard Fashion-MNIST recipe of Zhong et al. (2020, Random Erasing): crop with padding, flip, erase a box.
    "flip_shift_erase": v2.Compose([v2.RandomCrop(28, padding=2), v2.RandomHorizontalFlip(), v2.RandomErasing()]),
    "trivial_augment": v2.TrivialAugmentWide(),
    "rand_augment": v2.RandAugment(),
}


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    parameters, lr, decay = model.parameters(), config.lr, config.weight_decay
    if config.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=decay)
    raise ValueError(f"unknown optimizer {config.optimizer!r}")


def make_schedule(optimizer: torch.optim.Optimizer, config: TrainConfig) -> torch.optim.lr_scheduler.LRScheduler | None:
    if not config.cosine:
        return None
    if config.restarts > 1:  # Huang et al. (2017), snapshot ensembles: one cycle per kept checkpoint
        return torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, config.steps // config.restarts)
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, config.steps)


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


@torch.inference_mode()
def loss_and_accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """Mean cross-entropy and top-1 accuracy of ``model`` in eval mode (batched: the batch does not matter)."""
    logits = torch.cat([model(images[i : i + 1000]) for i in range(0, len(images), 1000)])
    return float(nn.functional.cross_entropy(logits, labels)), float((logits.argmax(1) == labels).float().mean())


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
        detailed: bool = False,
    ) -> None:
        self.model_config, self.config, self.detailed = model_config, config, detailed
        self.pixels = torch.tensor(train_split.images).unsqueeze(1)  # (N, 1, 28, 28) uint8, for augmentation
        self.images, self.labels = to_tensor(train_split.images), torch.from_numpy(train_split.labels)
        self.test_images, self.test_labels = to_tensor(test_split.images), torch.from_numpy(test_split.labels)
        self.val = (to_tensor(val_split.images), torch.from_numpy(val_split.labels)) if val_split else None
        self.augment = AUGMENTATIONS[config.augment]
        self.stream = RngStream(config.seed)
        with self.stream.active():
            self.model = SmallCNN(model_config)
        self.optimizer = make_optimizer(self.model, config)
        self.schedule = make_schedule(self.optimizer, config)
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
            if self.augment is None:
                images = self.images[index]
            else:  # fresh draws per image
                images = normalize(torch.stack([self.augment(image) for image in self.pixels[index]]))
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
            curves.snapshots[step] = self._weights()
            curves.layer_stats[step] = preactivation_stats(self.model, self.test_images[:HISTOGRAM_BATCH])
        last = step == self.config.steps or curves.diverged
        if self.val is not None and self.config.validate_every and (step % self.config.validate_every == 0 or last):
            self.model.eval()
            curves.epoch_steps.append(step)
            val_loss, val_accuracy = loss_and_accuracy(self.model, *self.val)
            curves.epoch_val_loss.append(val_loss)
            curves.epoch_val_accuracy.append(val_accuracy)
            self._track_lowest(curves.epoch_val_loss)
            if val_accuracy > max(curves.epoch_val_accuracy[:-1], default=-1.0):
                curves.best_val_accuracy_step = step
                curves.best_val_accuracy_weights = self._weights()
            self.model.train()
        if step % self.config.eval_every == 0 or last:
            self.model.eval()
            curves.eval_steps.append(step)
            curves.weight_norm.append(float(torch.cat([p.detach().flatten() for p in self.model.parameters()]).norm()))
            if self.detailed:
                self._record_detailed()
            else:
                curves.test_accuracy.append(accuracy(self.model, self.test_images, self.test_labels))
                if self.val is not None:
                    curves.val_loss.append(mean_loss(self.model, *self.val))
            self.model.train()

    def _record_detailed(self) -> None:
        """Loss and accuracy on the training images (clean), the validation and the test images."""
        curves = self.curves
        curves.train_accuracy.append(accuracy(self.model, self.images, self.labels))
        test_loss, test_accuracy = loss_and_accuracy(self.model, self.test_images, self.test_labels)
        curves.test_loss.append(test_loss)
        curves.test_accuracy.append(test_accuracy)
        if self.val is not None:
            val_loss, val_accuracy = loss_and_accuracy(self.model, *self.val)
            curves.val_loss.append(val_loss)
            curves.val_accuracy.append(val_accuracy)
            if not self.config.validate_every:
                self._track_lowest(curves.val_loss)

    def _weights(self) -> dict[str, torch.Tensor]:
        """A copy of the model's weights and buffers now (training goes on changing the originals)."""
        return {k: v.clone() for k, v in self.model.state_dict().items()}

    def _track_lowest(self, val_losses: list[float]) -> None:
        """Keep the weights when the latest validation loss is the lowest so far."""
        if val_losses[-1] < min(val_losses[:-1], default=float("inf")):
            self.curves.lowest_val_loss_step = self.curves.step
            self.curves.lowest_val_loss_weights = self._weights()

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
    model_config: CNNConfig,
    config: TrainConfig,
    train_split: Split,
    test_split: Split,
    val_split: Split | None = None,
    detailed: bool = False,
) -> Trainer:
    """Train to the end (or to divergence)."""
    trainer = Trainer(model_config, config, train_split, test_split, val_split=val_split, detailed=detailed)
    while not trainer.done:
        trainer.step()
    return trainer
