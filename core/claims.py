"""The lecture's claims, each with the evidence this app's own experiments give for it.

Every claim names its slide, the page section that shows it, and a measurement: the effect in the lecture's
direction (positive: the claim holds here), its spread across seeds (the sample standard deviation of the
per-seed effects; 0 for a deterministic computation) and the unit. A claim is *shown* only when its effect is
larger than twice its spread and larger than the claim's smallest meaningful effect. Pages state a claim only
through ``sentence``, so they can never say more than the records show.

``python -m core.claims --tsv`` prints the table; the effects come from the shipped records in
``core/assets/runs`` (written by ``python -m core.train``) or, for cheap deterministic demonstrations, from a
live computation with the app's own functions.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import mlp, recap
from core.bn_lab import mode_accuracies
from core.data import load_subset
from core.init_demo import activations_through_depth
from core.invariance import FAMILIES, mean_transformed_accuracy
from core.mc_dropout import ECE_BINS
from core.regularization import (
    OPTIMIZERS,
    SURFACES,
    early_stopping,
    ensemble_gain,
    kept_dose,
    leave_one_out_wins,
    member_errors,
    optimizer_path,
)
from core.runs import RUNS_DIR, load_probs, load_record, load_run, load_summary, load_test_labels
from core.train import (
    AUGMENTATION_LABELS,
    CHECKPOINT_MEMBERS,
    DECAY,
    DECAYS,
    ENSEMBLE_SIZE,
    LR_SEEDS,
    RECIPE,
    SIMULATES,
    SLOW_ARMS,
    SLOW_SEEDS,
    TTA_ARMS,
)

SHOWN, NOT_SHOWN = "shown", "not shown"
POINTS = "accuracy points"
LOSS = "nats of test loss (cross-entropy: lower is better)"


@dataclass(frozen=True)
class Evidence:
    effect: float  # mean effect in the lecture's direction (positive: the claim holds here)
    spread: float  # the effect's uncertainty: sample std of the per-seed effects unless spread_of says otherwise
    unit: str
    seeds: int  # independent runs behind the effect (1 for a deterministic computation)
    numbers: str  # the measured values behind the effect, in words, e.g. "none 80.1 %, flip + shift 83.4 %"
    spread_of: str = ""  # what the spread is when it is not the seed-to-seed std (e.g. a bootstrap's)
    condition: str = ""  # a second part of the claim that must hold too, in words
    condition_met: bool = True

    @property
    def text(self) -> str:
        """The effect as every page writes it: one rounding, everywhere."""
        if self.spread_of:
            return f"{self.effect:+.3g} ± {self.spread:.2g} {self.unit} ({self.spread_of})"
        if self.seeds > 1:
            return f"{self.effect:+.3g} ± {self.spread:.2g} {self.unit} over {self.seeds} seeds"
        return f"{self.effect:+.3g} {self.unit} (deterministic)"


@dataclass(frozen=True)
class Claim:
    name: str
    statement: str  # the lecture's sentence, stated only when shown
    slide: str  # where the lecture says it
    page: str  # the page file that shows it
    section: str  # the tab or section on that page
    minimum: float  # the smallest effect that counts as clearly non-zero, in the evidence's unit
    differs: str  # what this small network does instead, said when the claim is not shown; guesses worded as such
    measure: Callable[[Path], Evidence]

    def threshold(self, evidence: Evidence) -> float:
        """What the effect must exceed: twice its spread, and the claim's minimum."""
        return max(2 * evidence.spread, self.minimum)

    def verdict(self, evidence: Evidence) -> str:
        holds = evidence.condition_met and evidence.effect > self.threshold(evidence)
        return SHOWN if holds else NOT_SHOWN


# --- reading the shipped records -------------------------------------------------------------------------

SEEDS = (0, 1, 2)  # every seeded experiment's seeds


def records(arm: str, directory: Path) -> list[dict]:
    """The small-data regime's records of one arm, one per seed."""
    return [load_record(f"small_{arm}_seed{s}", directory) for s in SEEDS]


def kept(arm: str, key: str, directory: Path) -> np.ndarray:
    """One figure of the weights each seed's validation kept (``train_accuracy``, ``test_accuracy``, …): (seeds,)."""
    return np.array([record["kept"][key] for record in records(arm, directory)])


def paired(effects: Sequence[float], unit: str, numbers: str, **extra: object) -> Evidence:
    """Evidence from per-seed effects (seed s of one arm against seed s of the other)."""
    effects = np.asarray(effects, dtype=float)
    spread = float(effects.std(ddof=1)) if len(effects) > 1 else 0.0
    return Evidence(float(effects.mean()), spread, unit, len(effects), numbers, **extra)


def percent(values: np.ndarray, digits: int = 1) -> str:
    """Mean ± std of accuracies (or errors) over seeds, in percent."""
    return f"{100 * values.mean():.{digits}f} ± {100 * values.std(ddof=1):.{digits}f} %"


def arm(name: str, directory: Path) -> np.ndarray:
    """Test accuracy (10,000 images) of one arm of the small-data regime over the seeds, at the kept weights."""
    return kept(name, "test_accuracy", directory)


def clearly_positive(values: np.ndarray) -> bool:
    """Mean above twice the seed-to-seed spread: the rule every claim uses."""
    return bool(values.mean() > 2 * values.std(ddof=1))


RECIPE_LABEL = AUGMENTATION_LABELS[RECIPE]


def _augmentation(directory: Path) -> Evidence:
    none, chosen = arm("none", directory), arm(RECIPE, directory)
    others = ", ".join(
        f"{label} {percent(arm(name, directory))}" for name, label in AUGMENTATION_LABELS.items() if name != "none"
    )
    loss = {name: kept(name, "test_loss", directory).mean() for name in ("none", RECIPE)}
    numbers = (
        f"test accuracy (10,000 images): no augmentation {percent(none)}; {others} (test loss "
        f"{loss['none']:.3f} without, {loss[RECIPE]:.3f} with {RECIPE_LABEL}; the recipe was named before the runs)"
    )
    return paired(100 * (chosen - none), POINTS, numbers)


def _invariance(directory: Path) -> Evidence:
    reports = {name: [r["invariance"] for r in records(name, directory)] for name in ("none", RECIPE)}
    simulated, others = SIMULATES[RECIPE], [family for family in FAMILIES if family not in SIMULATES[RECIPE]]
    means = {
        (name, part): np.array([mean_transformed_accuracy(r, families) for r in found])
        for name, found in reports.items()
        for part, families in (("simulated", simulated), ("others", others))
    }
    strongest = "; ".join(
        (f"{spec.label} {spec.strengths[-1]:g} {spec.short}" if spec.short else "mirrored")
        + ": "
        + " → ".join(f"{100 * np.mean([r[family][-1] for r in reports[name]]):.1f} %" for name in ("none", RECIPE))
        for family, spec in FAMILIES.items()
    )
    numbers = (
        f"accuracy on the 10,000 test images under the changes {RECIPE_LABEL} simulates (shifts of 2 px, as in "
        f"training, and 4 px, beyond it; mirror images; mean over these test sets): no augmentation "
        f"{percent(means['none', 'simulated'])}, {RECIPE_LABEL} "
        f"{percent(means[RECIPE, 'simulated'])}; under changes it does not simulate ({', '.join(others)}): "
        f"{percent(means['none', 'others'])} vs {percent(means[RECIPE, 'others'])}; at the strongest, without → "
        f"with: {strongest}"
    )
    return paired(100 * (means[RECIPE, "simulated"] - means["none", "simulated"]), POINTS, numbers)


def _gap(directory: Path) -> Evidence:
    figures = {
        name: {key: kept(name, key, directory) for key in ("train_accuracy", "test_accuracy", "test_loss")}
        for name in ("none", RECIPE)
    }
    gaps = {name: f["train_accuracy"] - f["test_accuracy"] for name, f in figures.items()}
    accuracy_gain = figures[RECIPE]["test_accuracy"] - figures["none"]["test_accuracy"]
    loss_gain = figures["none"]["test_loss"] - figures[RECIPE]["test_loss"]
    numbers = "; ".join(
        f"{label}: train {percent(f['train_accuracy'])}, test {percent(f['test_accuracy'])}, gap "
        f"{100 * gaps[name].mean():.1f} points, test loss {f['test_loss'].mean():.3f}"
        for (name, f), label in zip(figures.items(), ("no augmentation", RECIPE_LABEL))
    )
    return paired(
        100 * (gaps["none"] - gaps[RECIPE]),
        "points less gap",
        numbers,
        condition="test accuracy or test loss improves by more than twice its spread",
        condition_met=clearly_positive(accuracy_gain) or clearly_positive(loss_gain),
    )


def _dropout(directory: Path) -> Evidence:
    none, dropout = arm("none", directory), arm("dropout", directory)
    loss = {name: kept(name, "test_loss", directory).mean() for name in ("none", "dropout")}
    ece = {name: np.mean([r["ece"]["dropout off"] for r in records(name, directory)]) for name in ("none", "dropout")}
    numbers = (
        f"test accuracy: none {percent(none)}, dropout 0.5 {percent(dropout)}; test loss {loss['none']:.3f} → "
        f"{loss['dropout']:.3f}; ECE {100 * ece['none']:.1f} % → {100 * ece['dropout']:.1f} %"
    )
    return paired(100 * (dropout - none), POINTS, numbers)


def weight_norm_ratios(directory: Path) -> dict[float, np.ndarray]:
    """Per AdamW λ: the final weight norm over the final norm without decay, per seed."""
    none = np.array([r["weight_norm"][-1] for r in records("none", directory)])
    return {
        decay: np.array([r["weight_norm"][-1] for r in records(f"adamw_{decay}", directory)]) / none for decay in DECAYS
    }


def halving_decay(directory: Path) -> float:
    """The λ whose final weight norm comes nearest half the norm without decay (chosen blind to accuracy)."""
    ratios = weight_norm_ratios(directory)
    return min(ratios, key=lambda decay: abs(ratios[decay].mean() - 0.5))


def _weight_decay(directory: Path) -> Evidence:
    none, ratios, tested = arm("none", directory), weight_norm_ratios(directory), halving_decay(directory)
    doses = "; ".join(
        f"λ = {decay:g} (Σ lr·λ = {records(f'adamw_{decay}', directory)[0]['decay_dose']:.2g}): final weight norm "
        f"×{ratios[decay].mean():.2f}, test {percent(arm(f'adamw_{decay}', directory))}"
        for decay in DECAYS
    )
    kept_doses = ", ".join(
        f"{np.mean([kept_dose(r) for r in records(f'adamw_{decay}', directory)]):.2g}" for decay in DECAYS
    )
    numbers = (
        f"no decay: test {percent(none)}; AdamW {doses}. Test accuracy at each run's kept weights (Σ lr·λ up to "
        f"them: {kept_doses}). Tested at λ = {tested:g}, the dose nearest half the final norm"
    )
    return paired(100 * (arm(f"adamw_{tested}", directory) - none), POINTS, numbers)


EARLY_STOPPING_PATIENCE = 3  # evaluations (every 20 epochs) without a better validation loss


def kept_and_final(key: str, directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """Per seed of the unregularized small-data runs: ``key`` at the weights early stopping keeps, and at the end."""
    kept_values, final = [], []
    for record in records("none", directory):
        _, best = early_stopping(record["val_loss"], EARLY_STOPPING_PATIENCE)
        kept_values.append(record[key][best])
        final.append(record[key][-1])
    return np.array(kept_values), np.array(final)


def _early_stopping_numbers(directory: Path) -> str:
    (kept_accuracy, final), (kept_loss, final_loss) = (
        kept_and_final(key, directory) for key in ("test_accuracy", "test_loss")
    )
    return (
        f"on the 2,000 shipped test images: early-stopped {percent(kept_accuracy)} (test loss {kept_loss.mean():.3f}) "
        f"vs trained to the end {percent(final)} (test loss {final_loss.mean():.3f})"
    )


def _early_stopping(directory: Path) -> Evidence:
    kept_accuracy, final = kept_and_final("test_accuracy", directory)
    return paired(100 * (kept_accuracy - final), POINTS, _early_stopping_numbers(directory))


def _early_stopping_loss(directory: Path) -> Evidence:
    kept_loss, final = kept_and_final("test_loss", directory)
    return paired(final - kept_loss, LOSS, _early_stopping_numbers(directory))


def _ensemble(directory: Path) -> Evidence:
    labels = _test_labels()
    probs = np.stack([load_probs(f"ensemble_seed{i}", directory) for i in range(ENSEMBLE_SIZE)])
    members, combined = member_errors(probs, labels), float((probs.mean(0).argmax(-1) != labels).mean())
    gain, standard_error = ensemble_gain(probs, labels)
    best_gain, best_error = ensemble_gain(probs, labels, against="best")
    numbers = (
        f"members' error {100 * members.min():.1f}–{100 * members.max():.1f} % (mean {100 * members.mean():.1f} %), "
        f"average of {ENSEMBLE_SIZE}: {100 * combined:.1f} %; against the best member, picked on these test "
        f"images: {100 * best_gain:+.1f} ± {100 * best_error:.1f} points; the average of any {ENSEMBLE_SIZE - 1} "
        f"beats the member left out {leave_one_out_wins(probs, labels)} times of {ENSEMBLE_SIZE}"
    )
    spread_of = f"paired bootstrap standard error over the {len(labels):,} test images"
    return Evidence(100 * gain, 100 * standard_error, "error points fewer than a member's", 1, numbers, spread_of)


def _mc_calibration(directory: Path) -> Evidence:
    found = [r["ece"] for r in records("dropout", directory)]
    off, mc = (np.array([list(r.values())[i] for r in found]) for i in (0, 1))
    numbers = (
        f"ECE ({ECE_BINS} bins, 10,000 test images) dropout off {100 * off.mean():.2f} %, MC average of 50 passes "
        f"{100 * mc.mean():.2f} %"
    )
    return paired(100 * (off - mc), "percentage points less calibration error (ECE)", numbers)


def _tta(directory: Path) -> Evidence:
    gains = {}
    for name in TTA_ARMS:
        found = [r["tta_transformed"] for r in records(name, directory)]
        gains[name] = np.array(
            [np.mean([s["average of all 6 views"] - s["original only"] for s in r.values()]) for r in found]
        )
    clean = {
        name: np.mean(
            [r["tta"]["average of all 6 views"] - r["tta"]["original only"] for r in records(name, directory)]
        )
        for name in TTA_ARMS
    }
    numbers = (
        f"averaging 6 views on mirrored and on 2-px-shifted test images: {100 * gains['flip_shift'].mean():+.1f} "
        f"points for networks trained with flip + crop, {100 * gains['none'].mean():+.1f} for networks trained "
        f"without; on the clean test images {100 * clean['flip_shift']:+.1f} and {100 * clean['none']:+.1f}"
    )
    return paired(100 * gains["flip_shift"], POINTS, numbers)


BN_LARGE_LR = 0.2  # 4x the default rate of the live demo


def _bn_learning_rate(directory: Path) -> Evidence:
    accuracies = {
        norm: np.array(
            [load_record(f"lr_{norm}_{BN_LARGE_LR}_seed{s}", directory)["test_accuracy_subset"] for s in LR_SEEDS]
        )
        for norm in ("none", "batch")
    }
    numbers = (
        f"at lr {BN_LARGE_LR}, on the 2,000 shipped test images: plain {percent(accuracies['none'])}, BatchNorm "
        f"{percent(accuracies['batch'])}"
    )
    return paired(100 * (accuracies["batch"] - accuracies["none"]), POINTS, numbers)


def _bn_batch_statistics(directory: Path) -> Evidence:
    run = load_run("batchnorm", directory)
    modes = list(mode_accuracies(run.config, run.final, *load_subset()["test"].tensors(500)).values())
    numbers = (
        f"eval mode (running averages) {100 * modes[0]:.1f} %, train mode one image at a time {100 * modes[2]:.1f} %"
    )
    return Evidence(100 * (modes[0] - modes[2]), 0.0, POINTS, 1, numbers)


def _kaiming(directory: Path) -> Evidence:
    inputs = load_subset()["test"].tensors(512)[0].flatten(1)
    ratios = {}
    for scheme in ("Xavier", "Kaiming"):
        ratios[scheme] = np.array(
            [
                np.log2(layers[-1].std / layers[0].std)
                for layers in (activations_through_depth(inputs, "relu", scheme, seed=seed) for seed in SEEDS)
            ]
        )
    numbers = (
        f"ReLU, 10 layers: the std after layer 10 is {2 ** ratios['Kaiming'].mean():.2f}× layer 1's with Kaiming, "
        f"{2 ** ratios['Xavier'].mean():.3f}× with Xavier (Glorot)"
    )
    return paired(
        np.abs(ratios["Xavier"]) - np.abs(ratios["Kaiming"]), "fewer halvings of the std over 10 layers", numbers
    )


def _sgd_equivalence(directory: Path) -> Evidence:
    surface, labels = SURFACES["ill-conditioned quadratic"], list(OPTIMIZERS)
    paths = {label: optimizer_path(surface, label, lr=0.02, decay=0.5, steps=500) for label in labels[:4]}
    plain = float(np.abs(paths[labels[0]] - paths[labels[1]]).max())
    momentum = float(np.abs(paths[labels[2]] - paths[labels[3]]).max())
    numbers = (
        f"500 steps, λ = 0.5, lr 0.02: plain SGD with L2 in the loss vs the decoupled update written out, largest "
        f"gap {plain:.1g} (identical up to rounding); with momentum 0.9, largest gap {momentum:.2f}"
    )
    return Evidence(
        momentum,
        0.0,
        "largest gap between the two momentum paths",
        1,
        numbers,
        condition="the plain-SGD paths agree to 1e-9",
        condition_met=plain < 1e-9,
    )


def _adam_difference(directory: Path) -> Evidence:
    adamw = f"adamw_{DECAY}"
    norms = {
        name: np.array([r["weight_norm"][-1] for r in records(name, directory)]) for name in ("adam_l2", adamw, "none")
    }
    accuracies = {name: arm(name, directory) for name in ("adam_l2", adamw)}
    numbers = (
        f"λ = {DECAY}: final weight norm Adam + L2 {norms['adam_l2'].mean():.1f}, AdamW {norms[adamw].mean():.1f} "
        f"(λ = 0: {norms['none'].mean():.1f}); test accuracy Adam + L2 {percent(accuracies['adam_l2'])}, "
        f"AdamW {percent(accuracies[adamw])}"
    )
    relative = 100 * np.abs(norms[adamw] - norms["adam_l2"]) / norms[adamw]
    return paired(relative, "% apart in weight norm", numbers)


def _same_augmentation(directory: Path) -> Evidence:
    wide_none, wide_aug = arm("none", directory), arm("flip_shift", directory)
    narrow_none, narrow_aug = arm("narrow_none", directory), arm("narrow_flip_shift", directory)
    # Fair: both networks trained with the same augmentation. Unfair: only the other one augmented.
    fair = wide_aug - narrow_aug
    orientation = np.sign(fair.mean()) or 1.0  # the ranking the fair comparison gives
    unfair = orientation * np.where(orientation > 0, wide_none - narrow_aug, wide_aug - narrow_none)
    numbers = (
        f"width 16 vs width 8, both with flip + crop: {100 * fair.mean():+.1f} points; both without: "
        f"{100 * (wide_none - narrow_none).mean():+.1f}; only the {'narrow' if orientation > 0 else 'wide'} one "
        f"augmented: {100 * orientation * unfair.mean():+.1f}"
    )
    # Positive only when the unfair comparison reverses the fair ranking: by the smaller of the two margins.
    return paired(100 * np.minimum(orientation * fair, -unfair), POINTS, numbers)


def _input_normalization(directory: Path) -> Evidence:
    picked = recap.input_arms(load_record("mlp_input", directory)["runs"])
    accuracy = {label: np.array([r["test_accuracy"] for r in runs]) for label, runs in picked.items()}
    rates = {label: "/".join(f"{r['lr']:g}" for r in runs) for label, runs in picked.items()}
    raw, unit, standard = (mlp.INPUT_LABELS[inputs] for inputs in mlp.INPUTS)
    numbers = (
        f"test accuracy after {mlp.INPUT_STEPS} SGD steps, each arm at the rate its validation loss chose per seed: "
        + ", ".join(f"{label} {percent(accuracy[label])} (rate {rates[label]})" for label in accuracy)
        + f"; standardized against [0, 1]: {100 * (accuracy[standard] - accuracy[unit]).mean():+.1f} points"
    )
    return paired(100 * (accuracy[standard] - accuracy[raw]), POINTS, numbers)


def _deep_networks(directory: Path) -> Evidence:
    arms, deepest = recap.depth_arms(load_record("mlp_depth", directory)["runs"]), max(mlp.DEPTHS)
    found = {key: np.array([r["test_accuracy"] for r in runs]) for key, runs in arms.items()}
    stalled = recap.stalled_depth(arms, "none")
    numbers = "; ".join(
        f"depth {d}: plain {percent(found[('none', d)])}, BatchNorm {percent(found[('batch', d)])}" for d in mlp.DEPTHS
    ) + (f"; the plain network's training loss stays near chance from depth {stalled}" if stalled else "")
    return paired(100 * (found[("batch", deepest)] - found[("none", deepest)]), POINTS, numbers)


def slow_records(directory: Path) -> dict[str, list[dict]]:
    """The dropout-time runs per arm (``none``, ``dropout``), one record per seed."""
    return {arm: [load_record(f"slow_{arm}_seed{s}", directory) for s in SLOW_SEEDS] for arm in SLOW_ARMS}


def _dropout_time(directory: Path) -> Evidence:
    found = slow_records(directory)
    target = recap.slow_target(found)
    epochs = {arm: np.array([recap.epochs_to_reach(r, target) for r in runs]) for arm, runs in found.items()}
    ratio = epochs["dropout"] / epochs["none"]
    numbers = (
        f"epochs until the validation accuracy first reaches {100 * target:.1f} %: without dropout "
        f"{epochs['none'].mean():.2f}, with dropout 0.5 {epochs['dropout'].mean():.2f} (ratio per seed "
        + ", ".join(f"{r:.2f}" for r in ratio)
        + ")"
    )
    return paired(100 * (ratio - 1), "% more epochs to the same validation accuracy", numbers)


def checkpoint_results(directory: Path) -> dict[str, list[recap.EnsembleResult]]:
    """Each arm of the checkpoint-ensemble comparison, per seed, scored on the 10,000 test images."""
    labels = load_test_labels(directory)
    results: dict[str, list[recap.EnsembleResult]] = {arm: [] for arm in recap.CHECKPOINT_ARMS}
    for seed in SEEDS:
        members = [load_probs(f"ckpt_member{m}_seed{seed}", directory)[0] for m in range(CHECKPOINT_MEMBERS)]
        probs = {
            "single": load_probs(f"ckpt_single_seed{seed}", directory),
            "snapshot": load_probs(f"ckpt_snapshot_seed{seed}", directory),
            "independent": np.stack(members),
        }
        for arm, found in probs.items():
            results[arm].append(recap.ensemble_result(arm, found, labels))
    return results


def _checkpoint_ensemble(directory: Path) -> Evidence:
    results = checkpoint_results(directory)
    error = {arm: np.array([r.error for r in runs]) for arm, runs in results.items()}
    alone = 100 * np.mean([r.member_errors for r in results["snapshot"]], axis=0)  # (members,) mean over seeds
    numbers = (
        f"test error (10,000 images, equal training cost): one network {percent(error['single'], 2)}; the average "
        f"of its own {CHECKPOINT_MEMBERS} checkpoints {percent(error['snapshot'], 2)} (the checkpoints alone, first to "
        f"last: {' / '.join(f'{e:.1f}' for e in alone)} %); {CHECKPOINT_MEMBERS} independent networks of a "
        f"quarter budget each {percent(error['independent'], 2)}"
    )
    return paired(100 * (error["single"] - error["snapshot"]), "error points fewer than one network's", numbers)


@functools.cache
def _test_labels() -> np.ndarray:
    return load_subset()["test"].labels


REGULARIZATION, MC, BATCHNORM = "pages/regularization_lab.py", "pages/mc_dropout_lab.py", "pages/batchnorm_lab.py"
STUDIO = "pages/augmentation_studio.py"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "augmentation-buys-invariance",
        "Training with augmentation makes the classifier far less sensitive to the changes of pose it simulates: "
        "it stays right far more often when the test item is shifted or mirrored.",
        "Data augmentation",
        REGULARIZATION,
        "Small data",
        2.0,
        "On the transformed test images the augmented networks are not clearly more accurate than the others "
        "(the numbers say by how much).",
        _invariance,
    ),
    Claim(
        "augmentation-generalizes",
        "Training with data augmentation improves test accuracy when data are scarce.",
        "Data augmentation",
        REGULARIZATION,
        "Small data",
        1.0,
        "On the clean test images the recipe's gain does not clear twice its seed-to-seed spread and the "
        "minimum; the table of other regimes (training-set size, BatchNorm on/off, one seed each) shows "
        "how far they got. A guess, not measured: Fashion-MNIST's test items are centred, upright and face the "
        "same way, so the variation augmentation teaches is rare in the clean test set.",
        _augmentation,
    ),
    Claim(
        "augmentation-shrinks-gap",
        "Augmentation reduces over-fitting: the gap between training and test accuracy shrinks, and the network "
        "does better on the test images.",
        "Data augmentation",
        REGULARIZATION,
        "Small data",
        1.0,
        "A smaller gap alone is not less over-fitting: the numbers say whether the test figures moved, or only "
        "the training accuracy fell.",
        _gap,
    ),
    Claim(
        "dropout-regularizes",
        "Dropout reduces over-fitting: higher test accuracy than the same network without it.",
        "Dropout",
        REGULARIZATION,
        "Small data",
        1.0,
        "This network's only dropout layer sits before the last linear layer, after every BatchNorm (the "
        "published argument against combining them, a variance shift, concerns dropout placed before "
        "BatchNorm). With 500 images its effect on test accuracy does not clear twice its spread and the "
        "minimum; its test loss and ECE are in the numbers.",
        _dropout,
    ),
    Claim(
        "weight-decay-regularizes",
        "Weight decay (AdamW) improves test accuracy over the same training without it.",
        "Weight decay",
        REGULARIZATION,
        "Weight decay vs L2",
        1.0,
        "Decay shrinks the weights here (the numbers) without a gain in test accuracy. Why was not measured. One "
        "possibility: BatchNorm undoes the scale of each convolution's weights, so decay there mostly changes "
        "their effective learning rate; but 70 % of the weights (the fc and head layers) have no BatchNorm.",
        _weight_decay,
    ),
    Claim(
        "early-stopping-helps",
        "Stopping when the validation loss stops improving gives a better test accuracy than training on.",
        "Early stopping",
        REGULARIZATION,
        "Early stopping",
        1.0,
        "Here the test loss rises after the validation loss turns, but the test accuracy does not fall: the loss "
        "says stop while the accuracy does not.",
        _early_stopping,
    ),
    Claim(
        "early-stopping-lowers-test-loss",
        "Stopping when the validation loss stops improving keeps a lower test loss than training on.",
        "Early stopping",
        REGULARIZATION,
        "Early stopping",
        0.02,
        "The test loss hardly rises after the validation loss has turned.",
        _early_stopping_loss,
    ),
    Claim(
        "ensemble-averages-errors",
        "Averaging several networks' predictions makes fewer errors than the networks alone.",
        "Ensembles",
        REGULARIZATION,
        "Ensembles",
        0.5,
        "The average's gain over a member does not clear twice its uncertainty on these test images.",
        _ensemble,
    ),
    Claim(
        "mc-dropout-calibrates",
        "Averaging MC-dropout passes makes an over-confident network's probabilities better calibrated (lower ECE).",
        "MC dropout",
        MC,
        "Calibration",
        0.5,
        "The network is not over-confident to begin with, so there is little for averaging to fix.",
        _mc_calibration,
    ),
    Claim(
        "tta-helps",
        "Averaging the prediction over test-time views (mirror, 2-pixel shifts) helps on test images that are "
        "themselves mirrored or shifted, for a network trained with the same views.",
        "Test-time augmentation",
        MC,
        "Test-time augmentation",
        0.3,
        "Averaging the views changes the accuracy of the networks trained with them too little to show.",
        _tta,
    ),
    Claim(
        "bn-tolerates-larger-lr",
        "With BatchNorm a network still learns at learning rates that stall the same network without it.",
        "Batch normalization",
        BATCHNORM,
        "Live training",
        5.0,
        "Both networks fail at this rate.",
        _bn_learning_rate,
    ),
    Claim(
        "bn-needs-batch-statistics",
        "At test time BatchNorm must use its running averages: normalizing each test image with its own "
        "statistics (train mode, one image at a time) costs accuracy.",
        "BatchNorm at test time",
        BATCHNORM,
        "Train vs test",
        5.0,
        "The images' own statistics happen to be close to the running averages.",
        _bn_batch_statistics,
    ),
    Claim(
        "kaiming-keeps-variance",
        "With ReLU, Kaiming initialization keeps the activations' spread through depth; Glorot/Xavier halves the "
        "variance at every layer.",
        "Initialization",
        BATCHNORM,
        "Initialization",
        1.0,
        "The two initializations scale the weights alike for this layer width.",
        _kaiming,
    ),
    Claim(
        "l2-equals-decay-for-sgd",
        "For plain SGD, an L2 penalty in the loss and decoupled weight decay, Θ ← (1 − αλ)Θ − α∇f, are the same "
        "update; with momentum they are not.",
        "Weight decay vs L2",
        REGULARIZATION,
        "Weight decay vs L2",
        0.01,
        "On this surface the two rules did not behave as the statement says (the numbers say which part).",
        _sgd_equivalence,
    ),
    Claim(
        "l2-differs-from-decay-for-adam",
        "For Adam, L2 in the loss is not weight decay: Adam(weight_decay) and AdamW train different networks.",
        "Weight decay vs L2",
        REGULARIZATION,
        "Weight decay vs L2",
        5.0,
        "At this λ the two rules happen to shrink the weights alike.",
        _adam_difference,
    ),
    Claim(
        "same-augmentation-for-comparison",
        "Compare networks only under the same augmentation: augmenting only one of them can reverse the ranking.",
        "Data augmentation",
        REGULARIZATION,
        "Small data",
        1.0,
        "Augmentation changes these two networks' accuracy too little to reverse their ranking.",
        _same_augmentation,
    ),
    Claim(
        "input-normalization-helps-training",
        "Normalized inputs (the mean subtracted, divided by the std) make the same network train better in the same "
        "budget than raw pixel values.",
        "Data pre-processing",
        STUDIO,
        "Pre-processing",
        1.0,
        "Given a learning rate chosen for each kind of input, raw pixels do not fall clearly behind here.",
        _input_normalization,
    ),
    Claim(
        "bn-trains-deep-nets",
        "With BatchNorm very deep networks are much easier to train: at 30 layers the BN network learns where "
        "the plain one does not.",
        "BN: what do you get?",
        BATCHNORM,
        "Deep networks",
        5.0,
        "At 30 layers the plain network still trains here when its learning rate is chosen for it.",
        _deep_networks,
    ),
    Claim(
        "dropout-trains-slower",
        "Dropout needs more training time: the network with dropout takes more epochs to reach the same validation "
        "accuracy (the lecture: usually about 1.5x).",
        "Dropout",
        REGULARIZATION,
        "Dropout: training time",
        10.0,
        "Every seed did need more epochs with dropout (the ratios above), in the slide's direction, but the extra "
        "epochs vary from seed to seed by more than half their mean, so they do not clear this app's rule (twice "
        "the spread). A guess, not measured: the first epoch at which a validation curve that still wobbles by a "
        "point or more crosses a line is a coarse measure.",
        _dropout_time,
    ),
    Claim(
        "checkpoint-ensemble-helps",
        "Averaging the predictions of one run's checkpoints (a snapshot ensemble) makes fewer errors than the single "
        "network trained for the same time.",
        "Ensembling variants",
        REGULARIZATION,
        "Checkpoint ensembles",
        0.3,
        "Here each cycle is 2 epochs: the earlier checkpoints are clearly weaker than the last (the numbers), and "
        "averaging them in costs more than their differences gain. A guess, not measured: with cycles long enough "
        "for each checkpoint to converge (Huang et al. ran tens of epochs per cycle) the average could win.",
        _checkpoint_ensemble,
    ),
)
BY_NAME = {claim.name: claim for claim in CLAIMS}


def measure(name: str, directory: Path = RUNS_DIR) -> Evidence:
    """Measure the evidence for one claim from the records (seconds: ``core.precomputed`` ships the results)."""
    return BY_NAME[name].measure(directory)


@functools.cache
def _shipped() -> dict[str, Evidence]:
    return {name: Evidence(**found) for name, found in load_summary()["evidence"].items()}


def evidence(name: str) -> Evidence:
    """The evidence for one claim as shipped by ``python -m core.precomputed`` (a test re-measures it)."""
    return _shipped()[name]


def verdict(name: str) -> str:
    return BY_NAME[name].verdict(evidence(name))


def sentence(name: str, short: bool = False) -> str:
    """What a page may say about a claim: the lecture's statement only if shown, otherwise where this net differs.

    ``short``: the key sentence, for a projector; a "not shown" keeps its reason (what the effect had to exceed).
    """
    claim, found = BY_NAME[name], evidence(name)
    needed = f"needs more than {claim.threshold(found):.2g}" + (
        "" if found.condition_met else f" and {found.condition}"
    )
    if claim.verdict(found) == SHOWN:
        if short:
            return f"{claim.statement} Here: {found.text}."
        return f"{claim.statement} Here: {found.numbers} (effect {found.text})."
    if short:
        return f"Not shown here: {claim.statement.rstrip('.')} ({found.text}; {needed})."
    return (
        f"**Not shown by this small network.** The lecture: *{claim.statement}* Here: {found.numbers} "
        f"(effect {found.text}; {needed}). {claim.differs}"
    )


def table() -> list[dict[str, object]]:
    """One row per claim, for the Lecture claims page and the command line."""
    rows = []
    for claim in CLAIMS:
        found = evidence(claim.name)
        rows.append(
            {
                "claim": claim.name,
                "slide": claim.slide,
                "effect": round(found.effect, 3),
                "spread": round(found.spread, 3),
                "unit": found.unit,
                "verdict": claim.verdict(found),
                "text": found.text,
                "seeds": found.seeds,
                "numbers": found.numbers,
                "page": claim.page,
                "section": claim.section,
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The lecture's claims and what this app's experiments show.")
    parser.add_argument("--tsv", action="store_true", help="tab-separated: claim, slide, effect, spread, unit, verdict")
    args = parser.parse_args(argv)
    columns = ("claim", "slide", "effect", "spread", "unit", "verdict")
    rows = table()
    if args.tsv:
        print("\t".join(columns))
        for row in rows:
            print("\t".join(str(row[column]) for column in columns))
        return
    for row in rows:
        print(f"{row['verdict']:9s}  {row['claim']:34s} {row['effect']:+8.3f} ± {row['spread']:<6.3f} {row['unit']}")
        print(f"{'':11s}{row['numbers']}")


if __name__ == "__main__":
    main()
