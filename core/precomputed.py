"""Results over the whole shipped test set, computed once by ``python -m core.precomputed`` and shipped.

They depend only on shipped networks and data, so no visitor should wait for them: calibration and ECE per
network and T, in- vs out-of-distribution uncertainty per p and T, test-time augmentation per p, every
offered optimizer path, the BatchNorm Lab's histograms, train/eval-mode accuracies and batch-size sweep, and
every lecture claim's evidence, and the Augmentation Studio's first views (core.pictures). Pages only read them
(``load``); ``tests/test_precomputed.py`` recomputes everything with ``build`` and checks the shipped files against
it (``tests/test_first_views.py`` the first views), so they cannot drift from the code.

Every T from 1 to MAX_PASSES is stored at the price of one draw: the dropout masks of T passes are the
first T of MAX_PASSES passes drawn with the same seed (a test checks it), so the result for T is computed
from the first T passes, exactly as a live ``calibration(..., T, seed)`` would.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from core import bn_lab, claims
from core.bn_lab import FASHION_BATCH, HISTOGRAM_RUNS, LayerHistogram
from core.calibration import Reliability, reliability
from core.data import Split, load_debian, load_subset, to_tensor
from core.images import SAMPLE_DIR, display_jpeg, load_image
from core.labs import OVERCONFIDENT
from core.mc_dropout import (
    DROPOUT_P,
    Uncertainty,
    embeddings,
    entropy,
    head_probs,
    mc_head_logits,
    ood_inputs,
    tta_report,
    tta_scales_report,
)
from core.mixing import MIX_NAMES, MIX_SIDE, mixed_cells
from core.models import SmallCNN
from core.pictures import FIRST_VIEWS, FIRST_VIEWS_DIR, FirstView, save_cells
from core.pipeline import DEFAULT_COUNT, DEFAULT_SAMPLE, DISPLAY_SIDE, chain_from_state, display_samples, sample_cells
from core.runs import PRECOMPUTED_DIR, load_run, load_summary, private_model
from core.weight_decay import (
    OPTIMIZERS,
    PATH_DECAYS,
    PATH_LEARNING_RATES,
    PATH_STEPS,
    SURFACES,
    Surface,
    optimizer_path,
)

MAX_PASSES = 200  # the MC Dropout Lab's largest T
DATASET_SEED = 0  # one seed for statistics over thousands of inputs, shared by the whole class
CALIBRATED = tuple(f"dropout_p{p}" for p in DROPOUT_P) + (OVERCONFIDENT,)  # networks with reliability diagrams


def network(name: str) -> SmallCNN:
    run = load_run(name)
    return private_model(run.config, run.final, train=False)


def sample_photos() -> list:
    """The bundled sample photos, decoded as the app decodes them."""
    return [load_image(path.read_bytes()).image for path in sorted(SAMPLE_DIR.glob("*.jpg"))]


# --- MC dropout ------------------------------------------------------------------------------------------


def _probs_by_passes(model: SmallCNN, features: torch.Tensor) -> np.ndarray:
    """Softmax outputs of MAX_PASSES dropout passes (T, B, C); the first T rows are a T-pass run's rows."""
    return F.softmax(mc_head_logits(model, features, MAX_PASSES, DATASET_SEED), dim=-1).numpy()


def _calibration_arrays(name: str, test: Split) -> dict[str, np.ndarray]:
    model = network(name)
    features = embeddings(model, to_tensor(test.images))
    off = head_probs(model, features).numpy()
    probs = _probs_by_passes(model, features)
    by_passes = [probs[:passes].mean(0) for passes in range(1, MAX_PASSES + 1)]
    curves = {"off": [reliability(off.max(1), off.argmax(1) == test.labels)]}
    curves["mc"] = [reliability(p.max(1), p.argmax(1) == test.labels) for p in by_passes]
    return {
        f"calibration/{name}/{kind}/{field.name}": np.stack([getattr(r, field.name) for r in found])
        for kind, found in curves.items()
        for field in fields(Reliability)
    }


def _ood_arrays(p: float, test: Split, photos: list) -> dict[str, np.ndarray]:
    model = network(f"dropout_p{p}")
    arrays = {}
    for group, images in ood_inputs(test.images, bn_lab.images_to_fashion_input(photos, True), DATASET_SEED).items():
        probs = _probs_by_passes(model, embeddings(model, images))  # (T, B, C)
        arrays[f"ood/{p}/{group}/predictive"] = np.stack([entropy(probs[:t].mean(0)) for t in range(1, len(probs) + 1)])
        entropies = entropy(probs)  # (T, B): each pass's own entropy
        arrays[f"ood/{p}/{group}/expected"] = np.stack([entropies[:t].mean(0) for t in range(1, len(probs) + 1)])
    return arrays


# --- optimizer paths ------------------------------------------------------------------------------------


def _path_arrays() -> dict[str, np.ndarray]:
    """Every offered (learning rate, λ) on each surface: (rates, λs, optimizers, PATH_STEPS + 1, 2) per surface."""

    def paths(surface: Surface, lr: float, decay: float) -> list[np.ndarray]:
        return [optimizer_path(surface, label, lr, decay, PATH_STEPS) for label in OPTIMIZERS]

    return {
        f"paths/{name}": np.array([[paths(surface, lr, decay) for decay in PATH_DECAYS] for lr in PATH_LEARNING_RATES])
        for name, surface in SURFACES.items()
    }


# --- build, save, load -----------------------------------------------------------------------------------


def build() -> tuple[dict[str, np.ndarray], dict]:
    """Everything, from the shipped runs and data: (arrays, summary) as ``save`` writes them."""
    subset, photos = load_subset(), sample_photos()
    test = subset["test"]
    arrays: dict[str, np.ndarray] = {}
    for name in CALIBRATED:
        arrays |= _calibration_arrays(name, test)
    for p in DROPOUT_P:
        arrays |= _ood_arrays(p, test, photos)
    arrays |= _path_arrays()
    bn_runs = {label: load_run(name) for label, name in bn_lab.NORM_RUNS.items()}
    histogram_runs = {label: load_run(name) for label, name in HISTOGRAM_RUNS.items()}
    images = test.tensors(FASHION_BATCH)[0]
    batchnorm = histogram_runs["BatchNorm"]
    debian = load_debian()["test"]  # the 10,000 test images, for the train-vs-eval accuracies (as their claim)
    full_test = to_tensor(debian.images), torch.from_numpy(debian.labels)
    summary = {
        "tta": {str(p): tta_report(network(f"dropout_p{p}"), *test.tensors()) for p in DROPOUT_P},
        "tta_scales": {str(p): tta_scales_report(network(f"dropout_p{p}"), *test.tensors()) for p in DROPOUT_P},
        "histograms": {
            str(step): [_plain(asdict(h)) for h in bn_lab.snapshot_histograms(histogram_runs, step, images)]
            for step in sorted(batchnorm.snapshots)
        },
        "mode_accuracies": bn_lab.mode_accuracies(batchnorm.config, batchnorm.final, *full_test),
        "batch_dependence": bn_lab.batch_dependence(bn_runs, *test.tensors(512)),
        "evidence": {claim.name: asdict(claims.measure(claim.name)) for claim in claims.CLAIMS},
    }
    return arrays, summary


def _plain(value: object) -> object:
    """numpy values -> JSON's lists and floats (float64 survives JSON exactly)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def save(arrays: Mapping[str, np.ndarray], summary: dict, directory: Path = PRECOMPUTED_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "arrays.npz", **arrays)
    (directory / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")


@dataclass(frozen=True)
class Precomputed:
    """The shipped results, read-only, with the objects the pages draw."""

    arrays: Mapping[str, np.ndarray]
    summary: dict

    def calibration(self, name: str, passes: int) -> dict[str, Reliability]:
        """Dropout off and the MC average of ``passes`` on the 2,000 test images, as ``calibration.calibration``."""
        found = {}
        for kind, label, row in (("off", "dropout off", 0), ("mc", f"MC average of {passes}", passes - 1)):
            values = {f.name: self.arrays[f"calibration/{name}/{kind}/{f.name}"][row] for f in fields(Reliability)}
            found[label] = Reliability(**values | {"ece": float(values["ece"])})
        return found

    def ood(self, p: float, passes: int) -> dict[str, Uncertainty]:
        """MC uncertainty of in- and out-of-distribution inputs, as ``mc_dropout.uncertainty_groups``."""
        found = {}
        groups = [
            key.split("/")[2] for key in self.arrays if key.startswith(f"ood/{p}/") and key.endswith("predictive")
        ]
        for group in groups:  # in ``ood_inputs``' order, as saved
            predictive = self.arrays[f"ood/{p}/{group}/predictive"][passes - 1]
            expected = self.arrays[f"ood/{p}/{group}/expected"][passes - 1]
            found[group] = Uncertainty(predictive, expected, predictive - expected)
        return found

    def paths(self, surface: str, lr: float, decay: float) -> dict[str, np.ndarray]:
        """Each optimizer's iterates (PATH_STEPS + 1, 2), as ``weight_decay.optimizer_path``."""
        found = self.arrays[f"paths/{surface}"][PATH_LEARNING_RATES.index(lr), PATH_DECAYS.index(decay)]
        return dict(zip(OPTIMIZERS, found))

    # The summary's dicts and lists are shared by every session: each caller gets its own copy.
    def tta(self, p: float) -> dict[str, float]:
        return dict(self.summary["tta"][str(p)])

    def tta_scales(self, p: float) -> dict[str, float]:
        return dict(self.summary["tta_scales"][str(p)])

    def histograms(self, step: int) -> list[LayerHistogram]:
        return [
            LayerHistogram(
                h["layer"],
                np.array(h["edges"]),
                {label: np.array(values) for label, values in h["fractions"].items()},
                h["mean"],
                h["std"],
            )
            for h in self.summary["histograms"][str(step)]
        ]

    def mode_accuracies(self) -> dict[str, float]:
        return dict(self.summary["mode_accuracies"])

    def batch_dependence(self) -> dict[str, list[float]]:
        return {label: list(values) for label, values in self.summary["batch_dependence"].items()}


def first_view_cells(view: FirstView) -> list[tuple[bytes, str]]:
    """The pictures and captions the Studio shows in ``view`` to a new session, computed as the page does."""
    settings = {key: list(values) for key, values in view.query.items()}
    seed = 0  # a new session's seed (the seed widget's minimum)
    if view.grid == "mixed":
        images = [load_image((SAMPLE_DIR / f"{name}.jpg").read_bytes()).image for name in MIX_NAMES]
        kind, alpha = settings["mix"][0], float(settings["mix_alpha"][0])
        return mixed_cells(images, kind, alpha, seed, MIX_NAMES, MIX_SIDE)[0]
    image = load_image((SAMPLE_DIR / f"{DEFAULT_SAMPLE}.jpg").read_bytes()).image
    count = int(settings.get("count", [DEFAULT_COUNT])[0])
    samples = display_samples(image, chain_from_state(settings), count, seed)
    return sample_cells(display_jpeg(image, DISPLAY_SIDE), image.size, samples, "#")


def load(directory: Path = PRECOMPUTED_DIR) -> Precomputed:
    with np.load(directory / "arrays.npz") as saved:
        arrays = {key: saved[key] for key in saved.files}
    for array in arrays.values():
        array.flags.writeable = False  # shared by every session of a server
    return Precomputed(arrays, load_summary(directory))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PRECOMPUTED_DIR, help=f"directory (default {PRECOMPUTED_DIR})")
    parser.add_argument(
        "--first-views",
        type=Path,
        default=FIRST_VIEWS_DIR,
        help=f"the Studio's first pictures (default {FIRST_VIEWS_DIR})",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    arrays, summary = build()
    save(arrays, summary, args.out)
    for view in FIRST_VIEWS:
        save_cells(view, first_view_cells(view), args.first_views)
    size = sum(path.stat().st_size for path in args.out.iterdir()) / 2**20
    print(f"wrote {args.out} ({size:.1f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
