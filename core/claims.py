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

from core.bn_lab import mode_accuracies
from core.data import load_subset
from core.init_demo import activations_through_depth
from core.regularization import OPTIMIZERS, SURFACES, early_stopping, errors_by_size, member_errors, optimizer_path
from core.runs import RUNS_DIR, load_probs, load_record, load_run, load_summary
from core.train import DECAY, ENSEMBLE_SIZE, LR_SEEDS

SHOWN, NOT_SHOWN = "shown", "not shown"
POINTS = "accuracy points"


@dataclass(frozen=True)
class Evidence:
    effect: float  # mean effect in the lecture's direction (positive: the claim holds here)
    spread: float  # sample std of the per-seed effects; 0 for a deterministic computation
    unit: str
    seeds: int  # independent runs behind the effect (1 for a deterministic computation)
    numbers: str  # the measured values behind the effect, in words, e.g. "none 80.1 %, flip + shift 83.4 %"

    @property
    def text(self) -> str:
        spread = f" ± {self.spread:.2g}" if self.seeds > 1 else ""
        runs = f" over {self.seeds} seeds" if self.seeds > 1 else " (deterministic)"
        return f"{self.effect:+.3g}{spread} {self.unit}{runs}"


@dataclass(frozen=True)
class Claim:
    name: str
    statement: str  # the lecture's sentence, stated only when shown
    slide: str  # where the lecture says it
    page: str  # the page file that shows it
    section: str  # the tab or section on that page
    minimum: float  # the smallest effect that counts as clearly non-zero, in the evidence's unit
    differs: str  # why this small network differs, said when the claim is not shown
    measure: Callable[[Path], Evidence]

    def verdict(self, evidence: Evidence) -> str:
        return SHOWN if evidence.effect > max(2 * evidence.spread, self.minimum) else NOT_SHOWN


# --- reading the shipped records -------------------------------------------------------------------------

SEEDS = (0, 1, 2)  # every seeded experiment's seeds


def final_accuracies(prefix: str, directory: Path) -> np.ndarray:
    """Test accuracy on the shipped subset at the end of ``<prefix>_seed<s>`` for every seed: (seeds,)."""
    return np.array([load_record(f"{prefix}_seed{s}", directory)["test_accuracy_subset"] for s in SEEDS])


def paired(effects: Sequence[float], unit: str, numbers: str) -> Evidence:
    """Evidence from per-seed effects (seed s of one arm against seed s of the other)."""
    effects = np.asarray(effects, dtype=float)
    spread = float(effects.std(ddof=1)) if len(effects) > 1 else 0.0
    return Evidence(float(effects.mean()), spread, unit, len(effects), numbers)


def percent(values: np.ndarray) -> str:
    """Mean ± std of accuracies over seeds, in percent."""
    return f"{100 * values.mean():.1f} ± {100 * values.std(ddof=1):.1f} %"


def arm(name: str, directory: Path) -> np.ndarray:
    """Final test accuracies of one arm of the small-data regime over the seeds."""
    return final_accuracies(f"small_{name}", directory)


AUGMENTATIONS = {"flip_shift": "flip + shift", "trivial_augment": "TrivialAugment", "rand_augment": "RandAugment"}


def best_augmentation(directory: Path) -> str:
    """The augmentation with the highest mean test accuracy (chosen after the fact: an optimistic pick)."""
    return max(AUGMENTATIONS, key=lambda name: arm(name, directory).mean())


def _augmentation(directory: Path) -> Evidence:
    none, best = arm("none", directory), best_augmentation(directory)
    chosen = arm(best, directory)
    others = ", ".join(f"{label} {percent(arm(name, directory))}" for name, label in AUGMENTATIONS.items())
    loss = {
        name: np.mean([load_record(f"small_{name}_seed{s}", directory)["test_loss"][-1] for s in SEEDS])
        for name in ("none", best)
    }
    numbers = (
        f"test accuracy: no augmentation {percent(none)}; {others} (test loss {loss['none']:.3f} without, "
        f"{loss[best]:.3f} with {AUGMENTATIONS[best]})"
    )
    return paired(100 * (chosen - none), POINTS, numbers)


def _gap(directory: Path) -> Evidence:
    gaps = {}
    for name in ("none", "flip_shift"):
        records = [load_record(f"small_{name}_seed{s}", directory) for s in SEEDS]
        gaps[name] = np.array([r["train_accuracy"][-1] - r["test_accuracy"][-1] for r in records])
    numbers = (
        f"train − test accuracy gap: no augmentation {100 * gaps['none'].mean():.1f} points, "
        f"flip + shift {100 * gaps['flip_shift'].mean():.1f} points"
    )
    return paired(100 * (gaps["none"] - gaps["flip_shift"]), POINTS, numbers)


def _against_none(name: str, label: str) -> Callable[[Path], Evidence]:
    def measure(directory: Path) -> Evidence:
        none, other = arm("none", directory), arm(name, directory)
        return paired(100 * (other - none), POINTS, f"none {percent(none)}, {label} {percent(other)}")

    return measure


EARLY_STOPPING_PATIENCE = 3  # evaluations (every 4 epochs) without a better validation loss


def kept_and_final(key: str, directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """Per seed of the unregularized small-data runs: ``key`` at the weights early stopping keeps, and at the end."""
    kept, final = [], []
    for seed in SEEDS:
        record = load_record(f"small_none_seed{seed}", directory)
        _, best = early_stopping(record["val_loss"], EARLY_STOPPING_PATIENCE)
        kept.append(record[key][best])
        final.append(record[key][-1])
    return np.array(kept), np.array(final)


def _early_stopping_numbers(directory: Path) -> str:
    (kept, final), (kept_loss, final_loss) = (kept_and_final(key, directory) for key in ("test_accuracy", "test_loss"))
    return (
        f"early-stopped {percent(kept)} (test loss {kept_loss.mean():.3f}) vs trained to the end {percent(final)}"
        f" (test loss {final_loss.mean():.3f})"
    )


def _early_stopping(directory: Path) -> Evidence:
    kept, final = kept_and_final("test_accuracy", directory)
    return paired(100 * (kept - final), POINTS, _early_stopping_numbers(directory))


def _early_stopping_loss(directory: Path) -> Evidence:
    kept, final = kept_and_final("test_loss", directory)
    return paired(final - kept, "nats of test loss", _early_stopping_numbers(directory))


def _ensemble(directory: Path) -> Evidence:
    labels = _test_labels()
    probs = np.stack([load_probs(f"ensemble_seed{i}", directory) for i in range(ENSEMBLE_SIZE)])
    members, combined = member_errors(probs, labels), errors_by_size(probs, labels)[-1]
    numbers = (
        f"members' error {100 * members.mean():.1f} ± {100 * members.std(ddof=1):.1f} % "
        f"(best {100 * members.min():.1f} %, worst {100 * members.max():.1f} %), average of 6: "
    )
    return paired(100 * (members - combined), "error points", numbers + f"{100 * combined:.1f} %")


def _mc_calibration(directory: Path) -> Evidence:
    records = [load_record(f"small_dropout_seed{seed}", directory)["ece"] for seed in SEEDS]
    off, mc = (np.array([list(r.values())[i] for r in records]) for i in (0, 1))
    numbers = f"ECE dropout off {100 * off.mean():.2f} %, MC average of 50 passes {100 * mc.mean():.2f} %"
    return paired(100 * (off - mc), "ECE points", numbers)


def _tta(directory: Path) -> Evidence:
    gains = {}
    for name in ("flip_shift", "none"):
        records = [load_record(f"small_{name}_seed{seed}", directory)["tta"] for seed in SEEDS]
        gains[name] = np.array([r["average of all 6 views"] - r["original only"] for r in records])
    numbers = (
        f"averaging 6 views: {100 * gains['flip_shift'].mean():+.1f} points for networks trained with flip + shift, "
        f"{100 * gains['none'].mean():+.1f} for networks trained without"
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
    numbers = f"at lr {BN_LARGE_LR}: plain {percent(accuracies['none'])}, BatchNorm {percent(accuracies['batch'])}"
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
        f"ReLU, 10 layers: std of layer 10 / layer 1 = {2 ** ratios['Xavier'].mean():.3f} with Xavier (Glorot), "
        f"{2 ** ratios['Kaiming'].mean():.2f} with Kaiming"
    )
    return paired(np.abs(ratios["Xavier"]) - np.abs(ratios["Kaiming"]), "halvings of the std kept", numbers)


def _sgd_equivalence(directory: Path) -> Evidence:
    surface, (l2, decay) = SURFACES["ill-conditioned quadratic"], list(OPTIMIZERS)[:2]
    first, second = (optimizer_path(surface, label, lr=0.02, decay=0.5, steps=500) for label in (l2, decay))
    gap = float(np.abs(first - second).max())
    digits = -np.log10(max(gap, np.finfo(float).eps) / float(np.abs(first).max()))
    numbers = f"largest gap between the two SGD paths over 500 steps (λ = 0.5): {gap:.1e}"
    return Evidence(float(digits), 0.0, "matching decimal digits", 1, numbers)


def _adam_difference(directory: Path) -> Evidence:
    norms = {
        name: np.array([load_record(f"small_{name}_seed{s}", directory)["weight_norm"][-1] for s in SEEDS])
        for name in ("adam_l2", "adamw", "none")
    }
    accuracies = {name: arm(name, directory) for name in ("adam_l2", "adamw")}
    numbers = (
        f"λ = {DECAY}: final weight norm Adam + L2 {norms['adam_l2'].mean():.1f}, AdamW {norms['adamw'].mean():.1f} "
        f"(λ = 0: {norms['none'].mean():.1f}); test accuracy Adam + L2 {percent(accuracies['adam_l2'])}, "
        f"AdamW {percent(accuracies['adamw'])}"
    )
    relative = 100 * np.abs(norms["adamw"] - norms["adam_l2"]) / norms["adamw"]
    return paired(relative, "% apart in weight norm", numbers)


def _same_augmentation(directory: Path) -> Evidence:
    wide_none, wide_aug = arm("none", directory), arm("flip_shift", directory)
    narrow_none, narrow_aug = arm("narrow_none", directory), arm("narrow_flip_shift", directory)
    # Fair: both networks trained with the same augmentation. Unfair: only the other one augmented.
    fair = wide_aug - narrow_aug
    orientation = np.sign(fair.mean()) or 1.0  # the ranking the fair comparison gives
    unfair = orientation * np.where(orientation > 0, wide_none - narrow_aug, wide_aug - narrow_none)
    numbers = (
        f"width 16 vs width 8, both with flip + shift: {100 * fair.mean():+.1f} points; both without: "
        f"{100 * (wide_none - narrow_none).mean():+.1f}; only the {'narrow' if orientation > 0 else 'wide'} one "
        f"augmented: {100 * orientation * unfair.mean():+.1f}"
    )
    # Positive only when the unfair comparison reverses the fair ranking: by the smaller of the two margins.
    return paired(100 * np.minimum(orientation * fair, -unfair), POINTS, numbers)


@functools.cache
def _test_labels() -> np.ndarray:
    return load_subset()["test"].labels


REGULARIZATION, MC, BATCHNORM = "pages/regularization_lab.py", "pages/mc_dropout_lab.py", "pages/batchnorm_lab.py"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "augmentation-generalizes",
        "Training with data augmentation improves test accuracy when data are scarce.",
        "Data augmentation",
        REGULARIZATION,
        "Small data",
        1.0,
        "Here augmentation lowers the test loss (less over-confidence) and the train-test gap rather than raising "
        "accuracy. A likely reason: Fashion-MNIST's test items are centred, upright and all face the same way, so "
        "flipped or shifted views add variation the test set never shows.",
        _augmentation,
    ),
    Claim(
        "augmentation-shrinks-gap",
        "Augmentation reduces over-fitting: the gap between training and test accuracy shrinks.",
        "Data augmentation",
        REGULARIZATION,
        "Small data",
        1.0,
        "The network fits the augmented images as completely as the plain ones.",
        _gap,
    ),
    Claim(
        "dropout-regularizes",
        "Dropout reduces over-fitting: higher test accuracy than the same network without it.",
        "Dropout",
        REGULARIZATION,
        "Small data",
        1.0,
        "This network also has BatchNorm, and its dropout sits only before the last layer: with 500 images the "
        "two together change little (the lecture warns that dropout and BatchNorm often do not combine well).",
        _against_none("dropout", "dropout 0.5"),
    ),
    Claim(
        "weight-decay-regularizes",
        "Weight decay (AdamW) improves test accuracy over the same training without it.",
        "Weight decay",
        REGULARIZATION,
        "Small data",
        1.0,
        "Every convolution is followed by BatchNorm, which undoes the scale of the weights before it: shrinking "
        "them changes the effective learning rate more than the function, so decay barely regularizes here.",
        _against_none("adamw", "AdamW λ = 0.5"),
    ),
    Claim(
        "early-stopping-helps",
        "Stopping when the validation loss stops improving gives a better test accuracy than training on.",
        "Early stopping",
        REGULARIZATION,
        "Early stopping",
        1.0,
        "The validation loss turns up because the network grows over-confident on the images it gets wrong, "
        "while it still gets more of them right: the loss says stop, the accuracy still improves.",
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
        "The members' errors vary a lot from seed to seed, and that variation is the spread: even an average that "
        "beats every single member stays within twice it.",
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
        "Averaging the prediction over test-time views helps a network trained with the same augmentation.",
        "Test-time augmentation",
        MC,
        "Test-time augmentation",
        0.3,
        "On centred 28×28 items a mirror or a 2-pixel shift changes little, so the views mostly agree with the "
        "original: averaging them helps networks trained with these views only slightly, and costs those trained "
        "without them.",
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
        "At test time BatchNorm must use its running averages: one image at a time in train mode fails.",
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
        "For plain SGD, an L2 penalty in the loss and weight decay are the same update.",
        "Weight decay vs L2",
        REGULARIZATION,
        "Weight decay vs L2",
        10.0,
        "Rounding differences accumulate.",
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

    ``short``: the key sentence only, for a projector.
    """
    claim, found = BY_NAME[name], evidence(name)
    if claim.verdict(found) == SHOWN:
        return (
            f"{claim.statement} Here: {found.text}."
            if short
            else (f"{claim.statement} Here: {found.numbers} (effect {found.text}).")
        )
    if short:
        return f"Not shown here: {claim.statement.rstrip('.')} ({found.text})."
    return (
        f"**Not shown by this small network.** The lecture: *{claim.statement}* Here: {found.numbers} "
        f"(effect {found.text}, needs more than {max(2 * found.spread, claim.minimum):.2g}). {claim.differs}"
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
