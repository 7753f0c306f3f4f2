"""How each lecture claim is measured: from the shipped records in ``core/assets/runs`` (written by ``python -m
core.train``) or, for cheap deterministic demonstrations, from a live computation with the app's own functions.

Each function returns the ``Evidence`` for one claim of ``core.claims``' registry: the effect in the lecture's
direction (positive: the claim holds here), its 95 % interval and the numbers behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from core import deep, mlp, preprocessing
from core.arms import AUGMENTATION_LABELS
from core.bn_lab import RUNNING_MODE, SINGLE_MODE, mode_correct
from core.data import load_debian, load_subset, to_tensor
from core.ensemble_plan import CHECKPOINT, CHECKPOINT_IMAGES, CHECKPOINT_SEEDS, ENSEMBLE_SIZE
from core.ensembles import image_gains, leave_one_out_wins, member_errors
from core.evidence import (
    LOSS,
    POINTS,
    Evidence,
    bootstrapped,
    clearly_positive,
    paired,
    percent,
)
from core.init_demo import activations_through_depth
from core.invariance import FAMILIES, mean_transformed_accuracy
from core.plan import (
    AUGMENTATION_SEEDS,
    BN_SEEDS,
    EARLY_STOPPING_ARM,
    FRESH_SEEDS,
    LR_SEEDS,
    LR_SWEEP,
    LR_VERDICT_SEEDS,
    RECIPE,
    ROUND7_SEEDS,
    ROUND8_GRIDS,
    ROUND8_SEEDS,
    SEEDS,
    SIMULATES,
    SMALL_EPOCH,
    STALL_LOSS,
    STALL_STEPS,
    TUNE_SEEDS,
    round_arm,
)
from core.runs import (
    load_probs,
    load_record,
    load_run,
    load_test_labels,
    small_kept,
    small_records,
)
from core.tuning import joint_choice, joint_results, stall_counts, stall_rate, tuning_results


def arm(name: str, directory: Path) -> np.ndarray:
    """Test accuracy (10,000 images) of one arm of the small-data regime over the seeds, at the kept weights."""
    return small_kept(name, "test_accuracy", directory)


RECIPE_LABEL = AUGMENTATION_LABELS[RECIPE]


FRESH_TEXT = f"seeds {FRESH_SEEDS[0]}–{FRESH_SEEDS[-1]} (registered before their runs)"
ROUND8_TEXT = (
    f"seeds {ROUND8_SEEDS[0]}–{ROUND8_SEEDS[-1]} (registered before their runs, each on its own draw of images, each "
    "arm at the rate validation chose)"
)
# The augmentation claims' runs without and with the recipe, per round: round 8's verdict first, the earlier beside.
AUGMENTATION_ROUNDS = (
    (ROUND8_TEXT, (round_arm("none", 8), round_arm(RECIPE, 8)), ROUND8_SEEDS),
    (
        f"seeds {AUGMENTATION_SEEDS[0]}–{AUGMENTATION_SEEDS[-1]} (round 6; both arms at Adam's untuned rate, 1e-3)",
        ("none", RECIPE),
        AUGMENTATION_SEEDS,
    ),
    (
        f"seeds {FRESH_SEEDS[0]}–{FRESH_SEEDS[-1]} (round 4; the runs without augmentation there had been trained and "
        "seen in round 3)",
        ("none", RECIPE),
        FRESH_SEEDS,
    ),
    (
        "seeds 0–4 (round 2; the recipe entered git with round 1's records, in which it had already won)",
        ("none", RECIPE),
        SEEDS,
    ),
)


def augmentation_evidence(directory: Path) -> Evidence:
    """Registered in round 8 (core.plan): each arm at its chosen rate on ROUND8_SEEDS; the earlier rounds (round 2
    with every augmentation) beside."""
    (text, names, seeds), *earlier = AUGMENTATION_ROUNDS
    none, chosen = (small_kept(name, "test_accuracy", directory, seeds) for name in names)
    loss = [small_kept(name, "test_loss", directory, seeds).mean() for name in names]
    others = ", ".join(f"{label} {percent(arm(name, directory))}" for name, label in AUGMENTATION_LABELS.items())
    numbers = (
        f"{text}, test accuracy (10,000 images): {round8_choice_text('none', 'no augmentation', directory)}: "
        f"{percent(none)}, {round8_choice_text(RECIPE, RECIPE_LABEL, directory)}: {percent(chosen)} (test loss "
        f"{loss[0]:.3f} → {loss[1]:.3f}); "
        + "; ".join(f"{label}: {difference(b, a, directory, found)}" for label, (a, b), found in earlier)
        + f"; every augmentation on round 2's seeds 0–4: {others}"
    )
    return paired(100 * (chosen - none), POINTS, numbers)


def _invariance(directory: Path, names: tuple[str, str], seeds: Sequence[int]) -> tuple[np.ndarray, str]:
    """Per seed, the accuracy points the recipe's network (``names``: the runs without and with it) loses less than
    the plain one to the changes it simulates, and the figures behind it."""
    reports = {
        name: [r["invariance"] for r in small_records(run, directory, seeds)]
        for name, run in zip(("none", RECIPE), names, strict=True)
    }
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
    clean = {name: np.array([r["clean"][0] for r in found]) for name, found in reports.items()}
    lost = {name: clean[name] - means[name, "simulated"] for name in reports}  # accuracy lost to the changes
    numbers = (
        f"no augmentation {percent(clean['none'])} → {percent(means['none', 'simulated'])}, {RECIPE_LABEL} "
        f"{percent(clean[RECIPE])} → {percent(means[RECIPE, 'simulated'])}; under changes it does not simulate "
        f"({', '.join(others)}): {percent(means['none', 'others'])} vs {percent(means[RECIPE, 'others'])}; at the "
        f"strongest, without → with: {strongest}"
    )
    return 100 * (lost["none"] - lost[RECIPE]), numbers


def invariance_evidence(directory: Path) -> Evidence:
    """Registered in round 8 (core.plan): on ROUND8_SEEDS; the earlier rounds beside."""
    (fresh, numbers), *earlier = (_invariance(directory, names, seeds) for _, names, seeds in AUGMENTATION_ROUNDS)
    texts = [text for text, _, _ in AUGMENTATION_ROUNDS]
    numbers = (
        f"{texts[0]}, accuracy on the 10,000 test images, clean → under the changes {RECIPE_LABEL} simulates (shifts "
        f"of 2 px, as in training, and 4 px, beyond it; mirror images; mean over these test sets): {numbers}; "
        + "; ".join(f"{text}: {_interval(found)} points less lost" for text, (found, _) in zip(texts[1:], earlier))
    )
    return paired(fresh, "accuracy points less lost to the changes", numbers)


def gap_evidence(directory: Path) -> Evidence:
    """Registered in round 8 (core.plan): on ROUND8_SEEDS; the earlier rounds beside."""
    keys = ("train_accuracy", "test_accuracy", "test_loss")
    figures = [  # per round: the runs without and with the recipe, each key per seed
        [{key: small_kept(name, key, directory, seeds) for key in keys} for name in names]
        for _, names, seeds in AUGMENTATION_ROUNDS
    ]
    gaps = [[100 * (f["train_accuracy"] - f["test_accuracy"]) for f in found] for found in figures]  # points
    fresh, texts = figures[0], [text for text, _, _ in AUGMENTATION_ROUNDS]
    accuracy_gain = fresh[1]["test_accuracy"] - fresh[0]["test_accuracy"]
    loss_gain = fresh[0]["test_loss"] - fresh[1]["test_loss"]
    numbers = f"{texts[0]}: " + "; ".join(
        f"{label}: train {percent(f['train_accuracy'])}, test {percent(f['test_accuracy'])}, gap "
        f"{gap.mean():.1f} points, test loss {f['test_loss'].mean():.3f}"
        for f, gap, label in zip(fresh, gaps[0], ("no augmentation", RECIPE_LABEL), strict=True)
    )
    earlier = "; ".join(
        f"{text}: {_interval(none - recipe)} points less gap" for text, (none, recipe) in zip(texts[1:], gaps[1:])
    )
    return paired(
        gaps[0][0] - gaps[0][1],
        "points less gap",
        f"{numbers}; {earlier}",
        condition="test accuracy or test loss improves (either one's 95 % interval above 0)",
        condition_met=clearly_positive(accuracy_gain) or clearly_positive(loss_gain),
    )


ROUND7_TEXT = (
    f"seeds {ROUND7_SEEDS[0]}–{ROUND7_SEEDS[-1]} (registered before their runs, each on its own draw of images)"
)


def joint_text(
    name: str,
    label: str,
    directory: Path,
    rates: Sequence[float] | None = None,
    doses: Sequence[float] | None = None,
    dose_name: str = "λ",
) -> str:
    """An arm at the rate (and dose, named ``dose_name``) its validation chose together over ``rates`` × ``doses``
    (core.tuning.joint_results), with every point of its grid."""

    def point(lr: float, dose: float) -> str:
        return f"rate {lr:g}" + (f", {dose_name} = {dose:g}" if dose else "")

    found = joint_results(name, directory, rates, doses)
    grid = "; ".join(f"{point(*key)}: {100 * accuracy:.1f} %" for key, (accuracy, _) in found.items())
    return f"{label} at {point(*joint_choice(name, directory, rates, doses))} (chosen on validation from {grid})"


def round8_choice_text(name: str, label: str, directory: Path) -> str:
    """A round 8 arm at the rate (and λ) validation chose over its round 8 grid, every point of the grid given."""
    return joint_text(name, label, directory, *ROUND8_GRIDS[name])


def _interval(effects: np.ndarray) -> str:
    """Per-seed effects' mean and paired t interval, in words."""
    return paired(effects, "", "").brief()


def difference(arm_a: str, arm_b: str, directory: Path, seeds: Sequence[int] = FRESH_SEEDS) -> str:
    """Test accuracy of one arm minus another's (by default on the fresh seeds), with its paired t interval."""
    a, b = (small_kept(name, "test_accuracy", directory, seeds) for name in (arm_a, arm_b))
    return f"{_interval(100 * (a - b))} points"


def tuning_text(name: str, directory: Path) -> str:
    """The validation accuracy of each dose of an arm's grid, and the one chosen."""
    found = tuning_results(name, directory)
    doses = ", ".join(f"{dose:g}: {100 * accuracy:.1f} %" for dose, (accuracy, _) in found.items())
    return f"chosen on validation from {doses}"


def early_stopping_figures(
    key: str,
    directory: Path,
    name: str = EARLY_STOPPING_ARM,
    seeds: Sequence[int] = FRESH_SEEDS,
    stop: str = "early_stopped",
) -> tuple[np.ndarray, np.ndarray]:
    """Per seed of an unregularized small-data arm (by default early stopping's constant-rate runs at the fresh
    seeds), on the 10,000 test images: ``key`` at the weights early stopping keeps (``stop``: "early_stopped", the
    lowest validation loss, or "early_stopped_accuracy", the highest validation accuracy; evaluated every epoch),
    and at the end."""
    found = small_records(name, directory, seeds)
    return np.array([r[stop][key] for r in found]), np.array([r["kept"][key] for r in found])


def early_stopping_numbers(directory: Path) -> str:
    """What each criterion's weights score against the end: in the claims' constant-rate runs (registered in round
    4), and beside them in round 2's constant-rate and cosine runs (the cosine end is annealed, the stop is not)."""
    fresh = small_records(EARLY_STOPPING_ARM, directory, FRESH_SEEDS)
    end = {key: np.array([r["kept"][key] for r in fresh]) for key in ("test_accuracy", "test_loss")}
    found = []
    for stop, criterion in (
        ("early_stopped_accuracy", "highest validation accuracy"),
        ("early_stopped", "lowest validation loss"),
    ):
        stopped = {key: np.array([r[stop][key] for r in fresh]) for key in end}
        epochs = ", ".join(str(r[stop]["step"] // SMALL_EPOCH) for r in fresh)
        found.append(
            f"the weights of the {criterion} (epochs {epochs} of 300) {percent(stopped['test_accuracy'])}, test loss "
            f"{stopped['test_loss'].mean():.3f}"
        )
    found.append(f"trained to the end {percent(end['test_accuracy'])}, test loss {end['test_loss'].mean():.3f}")
    earlier = []
    for name, label in ((EARLY_STOPPING_ARM, "at a constant rate"), ("none", "with the cosine schedule")):
        stopped, final = early_stopping_figures("test_accuracy", directory, name, SEEDS)
        earlier.append(f"{label} {_interval(100 * (stopped - final))}")
    return (
        f"{FRESH_TEXT}, Adam at a constant rate, on the 10,000 test images: {'; '.join(found)}. Seeds 0–4 "
        "(round 2), the lowest validation loss's weights minus the end, accuracy points: " + ", ".join(earlier)
    )


def early_stopping_evidence(directory: Path) -> Evidence:
    """Registered in round 4 (core.plan): the highest validation accuracy's weights, on the fresh seeds."""
    stopped, final = early_stopping_figures("test_accuracy", directory, stop="early_stopped_accuracy")
    return paired(100 * (stopped - final), POINTS, early_stopping_numbers(directory))


def early_stopping_loss_evidence(directory: Path) -> Evidence:
    """Registered in round 4 (core.plan): the lowest validation loss's weights, on the fresh seeds."""
    stopped, final = early_stopping_figures("test_loss", directory)
    return paired(final - stopped, LOSS, early_stopping_numbers(directory))


def _ensemble_numbers(probs: np.ndarray, labels: np.ndarray) -> str:
    """Members' errors, the average's, against the best member, and leave-one-out wins, on the test images."""
    members, combined, size = (
        member_errors(probs, labels),
        float((probs.mean(0).argmax(-1) != labels).mean()),
        len(probs),
    )
    best = image_gains(probs, labels, against="best")
    return (
        f"members' error {100 * members.min():.1f}–{100 * members.max():.1f} % (mean {100 * members.mean():.1f} %), "
        f"average of {size}: {100 * combined:.1f} %; against the best member, picked on these test images: "
        f"{100 * best.mean():+.1f} points; the average of any {size - 1} beats the member left out "
        f"{leave_one_out_wins(probs, labels)} times of {size}"
    )


def ensemble_evidence(directory: Path) -> Evidence:
    """On the checkpoint comparison's single networks (20 epochs at the rate validation chose); the Ensembles tab's
    members (2 epochs, untuned) beside."""
    labels = load_test_labels(directory)
    probs = np.concatenate([load_probs(f"ckpt_single_seed{seed}", directory) for seed in CHECKPOINT_SEEDS])
    shown = np.concatenate([load_probs(f"ensemble_seed{i}", directory) for i in range(ENSEMBLE_SIZE)])
    numbers = (
        f"on the {len(labels):,} test images, the {len(probs)} networks of the checkpoint comparison's one-network "
        f"arm ({CHECKPOINT.steps:,} SGD steps on {CHECKPOINT_IMAGES:,} images at the rate validation chose, "
        f"{CHECKPOINT.lr:g}, one per seed): {_ensemble_numbers(probs, labels)}. The Ensembles tab's "
        f"{ENSEMBLE_SIZE} members (2 epochs, a rate not tuned): {_ensemble_numbers(shown, labels)}"
    )
    gains = (image_gains(probs, labels),)
    return bootstrapped(_mean_percent, gains, "error points fewer than a member's", numbers, networks=len(probs))


def _mean_percent(values: np.ndarray) -> float:
    return 100 * float(np.mean(values))


ROUND1_LR = 0.2  # the claim's rate before round 4: 4x the live demo's default rate (0.05), chosen by no rule


def bn_learning_rate_evidence(directory: Path) -> Evidence:
    """Registered in round 4 (core.plan): at the lowest rate at which the plain network's training loss stalls at 2
    of 3 tuning seeds, both networks at the fresh seeds; beside it the sweep's mean test accuracies at every rate
    (seeds 0-4), and round 1's rate."""

    def accuracies(norm: str, lr: float, seeds: Sequence[int] = LR_SEEDS) -> np.ndarray:
        return np.array([load_record(f"lr_{norm}_{lr}_seed{s}", directory)["test_accuracy_full"] for s in seeds])

    lr, stalled = stall_rate(directory), stall_counts(directory)
    at = {norm: accuracies(norm, lr, LR_VERDICT_SEEDS) for norm in ("none", "batch")}
    before = 100 * (accuracies("batch", ROUND1_LR) - accuracies("none", ROUND1_LR))
    sweep = ", ".join(
        f"{rate:g}: {100 * accuracies('none', rate).mean():.1f} / {100 * accuracies('batch', rate).mean():.1f} %"
        for rate in LR_SWEEP
    )
    numbers = (
        f"the plain network's training loss stalls (above {STALL_LOSS:g} nats over its last {STALL_STEPS} steps) at "
        + ", ".join(f"lr {rate:g}: {count} of {len(TUNE_SEEDS)}" for rate, count in stalled.items())
        + f" tuning seeds, so the test rate is {lr:g}; there, seeds {LR_VERDICT_SEEDS[0]}–{LR_VERDICT_SEEDS[-1]} "
        f"(registered before their runs), on the 10,000 test images: plain {percent(at['none'])}, BatchNorm "
        f"{percent(at['batch'])}; at every rate of the sweep, plain / BatchNorm (means of seeds 0–4): {sweep}; at "
        f"round 1's rate {ROUND1_LR:g} (seeds 0–4): {_interval(before)} points"
    )
    return paired(100 * (at["batch"] - at["none"]), POINTS, numbers)


def bn_batch_statistics_evidence(directory: Path) -> Evidence:
    """Registered in round 4 (core.plan): five networks trained as the shipped one, eval mode minus train mode one
    image at a time, paired over the seeds; the shipped network's paired bootstrap over the test images beside."""
    modes = [load_record(f"bn_modes_seed{seed}", directory)["bn_modes"] for seed in BN_SEEDS]
    running, single = (np.array([found[mode] for found in modes]) for mode in (RUNNING_MODE, SINGLE_MODE))
    run, full = load_run("batchnorm", directory), load_debian()["test"]
    images, labels = to_tensor(full.images), torch.from_numpy(full.labels)
    shipped = mode_correct(run.config, run.final, images, labels)
    beside = bootstrapped(_mean_percent, (shipped[RUNNING_MODE].astype(float) - shipped[SINGLE_MODE],), POINTS, "")
    numbers = (
        f"seeds {BN_SEEDS[0]}–{BN_SEEDS[-1]} (registered before their runs), on the {len(labels):,} test images: eval "
        f"mode (running averages) {percent(running)}, train mode one image at a time {percent(single)}; the shipped "
        f"network (seed 0, the lab's): {100 * shipped[RUNNING_MODE].mean():.1f} % against "
        f"{100 * shipped[SINGLE_MODE].mean():.1f} %, "
        f"{beside.effect:+.2f} points ({beside.ci_low:+.2f} to {beside.ci_high:+.2f}, a bootstrap over the test images)"
    )
    return paired(100 * (running - single), POINTS, numbers)


def kaiming_evidence(directory: Path) -> Evidence:
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
    unit = "fewer factors of 2 lost or gained by the std over 10 layers"
    return paired(
        np.abs(ratios["Xavier"]) - np.abs(ratios["Kaiming"]),
        unit,
        numbers,
        condition="with Kaiming the std after layer 10 stays within a factor of 2 of layer 1's for every seed",
        condition_met=bool(np.all(np.abs(ratios["Kaiming"]) < 1)),
    )


def _input_accuracies(directory: Path, group: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Per kind of input (its label): each seed's test accuracy at the rate its validation loss chose, and the rates."""
    picked = preprocessing.input_arms(load_record(f"mlp_{group}", directory)["runs"])
    accuracy = {label: np.array([r["test_accuracy"] for r in runs]) for label, runs in picked.items()}
    return accuracy, {label: "/".join(f"{r['lr']:g}" for r in runs) for label, runs in picked.items()}


def input_normalization_evidence(directory: Path) -> Evidence:
    """Registered in round 13 (core.mlp): INPUT_ROUND13_SEEDS, each holding out its own images; seeds 5-9, all on
    one split, beside."""
    accuracy, rates = _input_accuracies(directory, "input_round13")
    before, _ = _input_accuracies(directory, "input")
    raw, unit, standard = (mlp.INPUT_LABELS[inputs] for inputs in mlp.INPUTS)
    seeds = mlp.INPUT_ROUND13_SEEDS
    earlier = paired(100 * (before[standard] - before[unit]), POINTS, "")
    numbers = (
        f"seeds {seeds[0]}–{seeds[-1]} (registered before their runs, each holding out its own random "
        f"{mlp.VALIDATION:,} training images), test accuracy after {mlp.INPUT_STEPS} SGD steps, each arm at the rate "
        "its validation loss chose per seed: "
        + ", ".join(f"{label} {percent(accuracy[label])} (rate {rates[label]})" for label in accuracy)
        + f"; standardized against raw pixels: {100 * (accuracy[standard] - accuracy[raw]).mean():+.1f} points. "
        f"Seeds {mlp.INPUT_SEEDS[0]}–{mlp.INPUT_SEEDS[-1]} (every seed on one split, the last {mlp.VALIDATION:,} "
        f"held out): standardized against scaled to [0, 1] {earlier.brief()} points ({standard} "
        f"{percent(before[standard])}, {unit} {percent(before[unit])})"
    )
    return paired(100 * (accuracy[standard] - accuracy[unit]), POINTS, numbers)


def deep_networks_evidence(directory: Path) -> Evidence:
    """Registered in round 7 (core.mlp): at the deepest depth, on DEPTH_VERDICT_SEEDS; seeds 0-4 (every depth)
    beside."""
    deepest = max(mlp.DEPTHS)
    verdict = load_record("mlp_depth_verdict", directory)["runs"]
    fresh = {norm: mlp.chosen(verdict, model_norm=norm, model_depth=deepest) for norm in ("none", "batch")}
    accuracy = {norm: np.array([r["test_accuracy"] for r in runs]) for norm, runs in fresh.items()}
    arms = deep.depth_arms(load_record("mlp_depth", directory)["runs"])
    found = {key: np.array([r["test_accuracy"] for r in runs]) for key, runs in arms.items()}
    rates = {key: "/".join(f"{r['lr']:g}" for r in runs) for key, runs in {**arms, **fresh}.items()}
    stalled = deep.stalled_depth(arms, "none")
    gradients = {  # ‖∂L/∂W‖ at initialization, first layer and last hidden layer, mean over the fresh seeds
        norm: np.mean([r["init"]["gradients"] for r in runs], axis=0)[[0, -2]] for norm, runs in fresh.items()
    }
    seeds = mlp.DEPTH_VERDICT_SEEDS
    numbers = (
        f"depth {deepest}, seeds {seeds[0]}–{seeds[-1]} (registered before their runs): plain "
        f"{percent(accuracy['none'])} (rates {rates['none']}), BatchNorm {percent(accuracy['batch'])} (rates "
        f"{rates['batch']}); gradient at initialization, first layer / last hidden layer: plain "
        f"{gradients['none'][0]:.3g} / {gradients['none'][1]:.3g}, BatchNorm {gradients['batch'][0]:.3g} / "
        f"{gradients['batch'][1]:.3g}; lowest rate of the grid: {min(mlp.DEPTH_LRS):g}. Seeds 0–4 (the design "
        "changed after their results were seen): "
        + "; ".join(
            f"depth {d}: plain {percent(found[('none', d)])} (rates {rates[('none', d)]}), BatchNorm "
            f"{percent(found[('batch', d)])} (rates {rates[('batch', d)]})"
            for d in mlp.DEPTHS
        )
        + (f"; the plain network's training loss stays near chance from depth {stalled}" if stalled else "")
    )
    return paired(100 * (accuracy["batch"] - accuracy["none"]), POINTS, numbers)
