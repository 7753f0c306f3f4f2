"""The shipped training runs: records, weights and saved predictions, as written by ``python -m core.train``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.models import CNNConfig, SmallCNN
from core.plan import SEEDS
from core.slow_plan import LONG_SLOW_SEEDS, SLOW_TUNED, SLOW_VERDICT_SEEDS

RUNS_DIR = Path(__file__).parent / "assets" / "runs"
PRECOMPUTED_DIR = Path(__file__).parent / "assets" / "precomputed"  # written by ``python -m core.precomputed``
TEST_LABELS = "test_labels.npy"  # the 10,000 Fashion-MNIST test labels, for the runs that keep full-test outputs


@dataclass(frozen=True)
class Run:
    """A shipped training run: its record and its weights (final and snapshots)."""

    record: dict
    config: CNNConfig
    final: dict[str, torch.Tensor]
    snapshots: dict[int, dict[str, torch.Tensor]]


def load_record(name: str, directory: Path = RUNS_DIR) -> dict:
    return json.loads((directory / f"{name}.json").read_text())


def load_summary(directory: Path = PRECOMPUTED_DIR) -> dict:
    """The small precomputed results (``core.precomputed``): accuracies, histograms, the claims' evidence.

    Here, not in core.precomputed, because core.claims reads it and core.precomputed imports core.claims.
    """
    return json.loads((directory / "summary.json").read_text())


def load_probs(name: str, directory: Path = RUNS_DIR) -> np.ndarray:
    """A run's saved softmax outputs on all 10,000 test images, float32: (members, 10000, 10), one per kept
    snapshot, or (1, 10000, 10) for the final weights alone (``full_probs``)."""
    with np.load(directory / f"{name}.npz") as saved:
        return saved["probs"].astype(np.float32)


def load_val_probs(name: str, directory: Path = RUNS_DIR) -> tuple[np.ndarray, np.ndarray]:
    """A tuning run's softmax outputs on its validation images, float32 (members, N, 10) as ``load_probs``, and
    their labels (N,) int64 (``val_probs``)."""
    with np.load(directory / f"{name}.npz") as saved:
        return saved["val_probs"].astype(np.float32), saved["val_labels"].astype(np.int64)


def load_test_labels(directory: Path = RUNS_DIR) -> np.ndarray:
    """The 10,000 test labels (int64) that the ``full_probs`` outputs of ``load_probs`` are scored against."""
    return np.load(directory / TEST_LABELS).astype(np.int64)


def small_records(arm: str, directory: Path = RUNS_DIR, seeds: Sequence[int] = SEEDS) -> list[dict]:
    """The small-data regime's records of one arm (``core.plan.SMALL_ARMS``), one per seed (by default round 2's;
    ``core.plan.FRESH_SEEDS`` for round 3's)."""
    return [load_record(f"small_{arm}_seed{seed}", directory) for seed in seeds]


def small_kept(arm: str, key: str, directory: Path = RUNS_DIR, seeds: Sequence[int] = SEEDS) -> np.ndarray:
    """One figure of each seed's weights at the end of the schedule (``train_accuracy``, ``test_accuracy``, …):
    (seeds,)."""
    return np.array([record["kept"][key] for record in small_records(arm, directory, seeds)])


def slow_records(
    directory: Path = RUNS_DIR, seeds: Sequence[int] = SLOW_VERDICT_SEEDS, dropout: str = SLOW_TUNED
) -> dict[str, list[dict]]:
    """The dropout-time runs without dropout ("none") and with it ("dropout": the runs of arm ``dropout``, by
    default the p validation chose), one record per seed (by default the verdict's)."""
    arms = {"none": "none", "dropout": dropout}
    return {arm: [load_record(f"slow_{name}_seed{seed}", directory) for seed in seeds] for arm, name in arms.items()}


def long_slow_records(directory: Path, dose: float) -> dict[str, list[dict]]:
    """Round 11's runs without dropout ("none") and with dropout at ``dose`` ("dropout"), one record per seed of
    LONG_SLOW_SEEDS."""
    arms = {"none": "none", "dropout": f"dropout{dose:g}"}
    return {
        arm: [load_record(f"slow_long_{name}_seed{seed}", directory) for seed in LONG_SLOW_SEEDS]
        for arm, name in arms.items()
    }


def load_run(name: str, directory: Path = RUNS_DIR) -> Run:
    record = load_record(name, directory)
    payload = torch.load(directory / f"{name}.pt", map_location="cpu", weights_only=True)
    return Run(record, CNNConfig.from_dict(payload["config"]), payload["state_dict"], payload["snapshots"])


def private_model(config: CNNConfig, state_dict: Mapping[str, torch.Tensor], train: bool) -> SmallCNN:
    """A model this caller owns, safe to hook or put in train mode, without copying the weights.

    Built on the meta device, so no random initialization draws from the shared global generator. The
    weights are the caller's tensors themselves (forward passes never write them); only the buffers are
    copied, because train-mode BatchNorm updates its running statistics in place.
    """
    with torch.device("meta"):
        model = SmallCNN(config)
    buffers = {name for name, _ in model.named_buffers()}
    weights = {name: tensor.clone() if name in buffers else tensor for name, tensor in state_dict.items()}
    model.load_state_dict(weights, assign=True)
    return model.train(train).requires_grad_(False)
