"""How each lecture claim is measured: from the shipped records in ``core/assets/runs`` (written by ``python -m
core.train``) or, for cheap deterministic demonstrations, from a live computation with the app's own functions.

Each function returns the ``Evidence`` for one claim of ``core.claims``' registry: the effect in the lecture's
direction (positive: the claim holds here), its 95 % interval and the numbers behind it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

from core import deep, dropout_time, ensembles, mlp, preprocessing
from core.bn_lab import mode_correct
from core.calibration import ECE_BINS, fit_temperature, reliability
from core.data import SUBSET_PER_CLASS, load_debian, load_subset, stratified_indices, to_tensor
from core.early_stopping import early_stopping
from core.ensembles import image_gains, leave_one_out_wins, member_errors
from core.evidence import LOSS, POINTS, Evidence, bootstrapped, clearly_positive, deterministic, paired, percent
from core.init_demo import activations_through_depth
from core.invariance import FAMILIES, mean_transformed_accuracy
from core.mc_dropout import DROPOUT_P, embeddings, head_probs, mc_head_probs
from core.plan import (
    AUGMENTATION_LABELS,
    CALIBRATION_PASSES,
    CHECKPOINT_MEMBERS,
    CHECKPOINT_SEEDS,
    DECAY,
    DECAYS,
    ENSEMBLE_SIZE,
    LR_SEEDS,
    RECIPE,
    SEEDS,
    SIMULATES,
    TTA_ARMS,
)
from core.runs import (
    load_probs,
    load_record,
    load_run,
    load_test_labels,
    private_model,
    slow_records,
    small_kept,
    small_records,
)
from core.weight_decay import OPTIMIZERS, SURFACES, kept_dose, optimizer_path


def arm(name: str, directory: Path) -> np.ndarray:
    """Test accuracy (10,000 images) of one arm of the small-data regime over the seeds, at the kept weights."""
    return small_kept(name, "test_accuracy", directory)


RECIPE_LABEL = AUGMENTATION_LABELS[RECIPE]


def augmentation_evidence(directory: Path) -> Evidence:
    none, chosen = arm("none", directory), arm(RECIPE, directory)
    others = ", ".join(
        f"{label} {percent(arm(name, directory))}" for name, label in AUGMENTATION_LABELS.items() if name != "none"
    )
    loss = {name: small_kept(name, "test_loss", directory).mean() for name in ("none", RECIPE)}
    numbers = (
        f"test accuracy (10,000 images): no augmentation {percent(none)}; {others} (test loss "
        f"{loss['none']:.3f} without, {loss[RECIPE]:.3f} with {RECIPE_LABEL}; the recipe was named before the runs)"
    )
    return paired(100 * (chosen - none), POINTS, numbers)


def invariance_evidence(directory: Path) -> Evidence:
    reports = {name: [r["invariance"] for r in small_records(name, directory)] for name in ("none", RECIPE)}
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


def gap_evidence(directory: Path) -> Evidence:
    figures = {
        name: {key: small_kept(name, key, directory) for key in ("train_accuracy", "test_accuracy", "test_loss")}
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
        condition="test accuracy or test loss improves (either one's 95 % interval above 0)",
        condition_met=clearly_positive(accuracy_gain) or clearly_positive(loss_gain),
    )


def dropout_evidence(directory: Path) -> Evidence:
    none, dropout = arm("none", directory), arm("dropout", directory)
    loss = {name: small_kept(name, "test_loss", directory).mean() for name in ("none", "dropout")}
    ece = {
        name: np.mean([r["ece"]["dropout off"] for r in small_records(name, directory)]) for name in ("none", "dropout")
    }
    numbers = (
        f"test accuracy: none {percent(none)}, dropout 0.5 {percent(dropout)}; test loss {loss['none']:.3f} → "
        f"{loss['dropout']:.3f}; ECE {100 * ece['none']:.1f} % → {100 * ece['dropout']:.1f} %"
    )
    return paired(100 * (dropout - none), POINTS, numbers)


def weight_norm_ratios(directory: Path) -> dict[float, np.ndarray]:
    """Per AdamW λ: the final weight norm over the final norm without decay, per seed."""
    none = np.array([r["weight_norm"][-1] for r in small_records("none", directory)])
    return {
        decay: np.array([r["weight_norm"][-1] for r in small_records(f"adamw_{decay}", directory)]) / none
        for decay in DECAYS
    }


def halving_decay(directory: Path) -> float:
    """The λ whose final weight norm comes nearest half the norm without decay (chosen blind to accuracy)."""
    ratios = weight_norm_ratios(directory)
    return min(ratios, key=lambda decay: abs(ratios[decay].mean() - 0.5))


def weight_decay_evidence(directory: Path) -> Evidence:
    none, ratios, tested = arm("none", directory), weight_norm_ratios(directory), halving_decay(directory)
    doses = "; ".join(
        f"λ = {decay:g} (Σ lr·λ = {small_records(f'adamw_{decay}', directory)[0]['decay_dose']:.2g}): final weight "
        f"norm ×{ratios[decay].mean():.2f}, test {percent(arm(f'adamw_{decay}', directory))}"
        for decay in DECAYS
    )
    kept_doses = ", ".join(
        f"{np.mean([kept_dose(r) for r in small_records(f'adamw_{decay}', directory)]):.2g}" for decay in DECAYS
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
    for record in small_records("none", directory):
        _, best = early_stopping(record["val_loss"], EARLY_STOPPING_PATIENCE)
        kept_values.append(record[key][best])
        final.append(record[key][-1])
    return np.array(kept_values), np.array(final)


def early_stopping_numbers(directory: Path) -> str:
    (kept_accuracy, final), (kept_loss, final_loss) = (
        kept_and_final(key, directory) for key in ("test_accuracy", "test_loss")
    )
    return (
        f"on the 2,000 shipped test images: early-stopped {percent(kept_accuracy)} (test loss {kept_loss.mean():.3f}) "
        f"vs trained to the end {percent(final)} (test loss {final_loss.mean():.3f})"
    )


def early_stopping_evidence(directory: Path) -> Evidence:
    kept_accuracy, final = kept_and_final("test_accuracy", directory)
    return paired(100 * (kept_accuracy - final), POINTS, early_stopping_numbers(directory))


def early_stopping_loss_evidence(directory: Path) -> Evidence:
    kept_loss, final = kept_and_final("test_loss", directory)
    return paired(final - kept_loss, LOSS, early_stopping_numbers(directory))


def ensemble_evidence(directory: Path) -> Evidence:
    labels = _test_labels()
    probs = np.stack([load_probs(f"ensemble_seed{i}", directory) for i in range(ENSEMBLE_SIZE)])
    members, combined = member_errors(probs, labels), float((probs.mean(0).argmax(-1) != labels).mean())
    best = image_gains(probs, labels, against="best")
    numbers = (
        f"on the {len(labels):,} shipped test images: members' error {100 * members.min():.1f}–"
        f"{100 * members.max():.1f} % (mean {100 * members.mean():.1f} %), average of {ENSEMBLE_SIZE}: "
        f"{100 * combined:.1f} %; against the best member, picked on these test images: {100 * best.mean():+.1f} "
        f"points; the average of any {ENSEMBLE_SIZE - 1} beats the member left out "
        f"{leave_one_out_wins(probs, labels)} times of {ENSEMBLE_SIZE}"
    )
    return bootstrapped(_mean_percent, (image_gains(probs, labels),), "error points fewer than a member's", numbers)


def _mean_percent(values: np.ndarray) -> float:
    return 100 * float(np.mean(values))


def _ece(probs: np.ndarray, labels: np.ndarray) -> str:
    return f"{100 * reliability(probs.max(1), probs.argmax(1) == labels).ece:.2f} %"


def _ece_drop(confidence_off, correct_off, confidence_mc, correct_mc) -> float:
    """Percentage points less ECE with the MC average than with dropout off, on the same images."""
    return 100 * (reliability(confidence_off, correct_off).ece - reliability(confidence_mc, correct_mc).ece)


def mc_calibration_evidence(directory: Path) -> Evidence:
    """The slide's recipe on the shipped networks trained on all 60,000 images (p 0.1, 0.2, 0.5), MC average of
    CALIBRATION_PASSES (one fixed seed: the interval is over test images, not over the passes' draws), on the
    10,000 test images; beside it the small-data p = 0.5 networks and temperature scaling, the usual baseline
    (fitted on the 2,000 shipped test images, measured on the other 8,000)."""
    full = load_debian()["test"]
    images, labels = to_tensor(full.images), full.labels
    fit = np.zeros(len(labels), dtype=bool)
    fit[stratified_indices(labels, SUBSET_PER_CLASS["test"])] = True  # the shipped 2,000: temperature's fit
    samples, rows = [], []
    for p in DROPOUT_P:
        run = load_run(f"dropout_p{p}", directory)
        network = private_model(run.config, run.final, train=False)
        features = embeddings(network, images)
        off = head_probs(network, features).numpy()
        mc = mc_head_probs(network, features, CALIBRATION_PASSES, 0).numpy().mean(0)
        samples.append((off, mc))
        with torch.no_grad():
            logits = network.head(features)
        temperature = fit_temperature(logits[fit], torch.from_numpy(labels[fit]))
        scaled = torch.softmax(logits[~fit] / temperature, dim=1).numpy()
        rows.append(
            f"p = {p}: dropout off {_ece(off, labels)}, MC {_ece(mc, labels)} (on the other 8,000: off "
            f"{_ece(off[~fit], labels[~fit])}, MC {_ece(mc[~fit], labels[~fit])}, temperature scaling "
            f"(T = {temperature:.2f}) {_ece(scaled, labels[~fit])})"
        )
    small = [r["ece"] for r in small_records("dropout", directory)]
    small_off, small_mc = (np.array([list(r.values())[i] for r in small]) for i in (0, 1))
    numbers = (
        f"ECE ({ECE_BINS} bins, 10,000 test images, MC average of {CALIBRATION_PASSES} passes), networks trained on "
        f"60,000 images: {'; '.join(rows)}. The over-confident p = 0.5 networks trained on 500 images: dropout off "
        f"{100 * small_off.mean():.2f} %, MC {100 * small_mc.mean():.2f} % (mean of {len(small)} seeds)"
    )

    def drop(*columns: np.ndarray) -> float:  # mean over the three networks, on the same resampled images
        return float(np.mean([_ece_drop(*columns[4 * i : 4 * i + 4]) for i in range(len(DROPOUT_P))]))

    columns = []
    for off, mc in samples:
        columns += [off.max(1), off.argmax(1) == labels, mc.max(1), mc.argmax(1) == labels]
    return bootstrapped(drop, columns, "percentage points less calibration error (ECE)", numbers, len(DROPOUT_P))


def tta_evidence(directory: Path) -> Evidence:
    gains = {}
    for name in TTA_ARMS:
        found = [r["tta_transformed"] for r in small_records(name, directory)]
        gains[name] = np.array(
            [np.mean([s["average of all 6 views"] - s["original only"] for s in r.values()]) for r in found]
        )
    clean = {
        name: np.mean(
            [r["tta"]["average of all 6 views"] - r["tta"]["original only"] for r in small_records(name, directory)]
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


def bn_learning_rate_evidence(directory: Path) -> Evidence:
    accuracies = {
        norm: np.array(
            [load_record(f"lr_{norm}_{BN_LARGE_LR}_seed{s}", directory)["test_accuracy_full"] for s in LR_SEEDS]
        )
        for norm in ("none", "batch")
    }
    numbers = (
        f"at lr {BN_LARGE_LR}, on the 10,000 test images: plain {percent(accuracies['none'])}, BatchNorm "
        f"{percent(accuracies['batch'])}"
    )
    return paired(100 * (accuracies["batch"] - accuracies["none"]), POINTS, numbers)


def bn_batch_statistics_evidence(directory: Path) -> Evidence:
    run, full = load_run("batchnorm", directory), load_debian()["test"]
    images, labels = to_tensor(full.images), torch.from_numpy(full.labels)
    modes = list(mode_correct(run.config, run.final, images, labels).values())
    numbers = (
        f"on the {len(labels):,} test images: eval mode (running averages) {100 * modes[0].mean():.1f} %, train mode "
        f"one image at a time {100 * modes[2].mean():.1f} %"
    )
    return bootstrapped(_mean_percent, (modes[0].astype(float) - modes[2],), POINTS, numbers)


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
    return paired(np.abs(ratios["Xavier"]) - np.abs(ratios["Kaiming"]), unit, numbers)


def sgd_equivalence_evidence(directory: Path) -> Evidence:
    surface, labels = SURFACES["ill-conditioned quadratic"], list(OPTIMIZERS)
    paths = {label: optimizer_path(surface, label, lr=0.02, decay=0.5, steps=500) for label in labels[:4]}
    plain = float(np.abs(paths[labels[0]] - paths[labels[1]]).max())
    momentum = float(np.abs(paths[labels[2]] - paths[labels[3]]).max())
    numbers = (
        f"500 steps, λ = 0.5, lr 0.02: plain SGD with L2 in the loss vs the decoupled update written out, largest "
        f"gap {plain:.1g} (identical up to rounding); with momentum 0.9, largest gap {momentum:.2f}"
    )
    return deterministic(
        momentum,
        "largest gap between the two momentum paths",
        numbers,
        condition="the plain-SGD paths agree to 1e-9",
        condition_met=plain < 1e-9,
    )


def adam_difference_evidence(directory: Path) -> Evidence:
    adamw = f"adamw_{DECAY}"
    norms = {
        name: np.array([r["weight_norm"][-1] for r in small_records(name, directory)])
        for name in ("adam_l2", adamw, "none")
    }
    accuracies = {name: arm(name, directory) for name in ("adam_l2", adamw)}
    numbers = (
        f"λ = {DECAY}: final weight norm Adam + L2 {norms['adam_l2'].mean():.1f}, AdamW {norms[adamw].mean():.1f} "
        f"(λ = 0: {norms['none'].mean():.1f}); test accuracy Adam + L2 {percent(accuracies['adam_l2'])}, "
        f"AdamW {percent(accuracies[adamw])}"
    )
    relative = 100 * np.abs(norms[adamw] - norms["adam_l2"]) / norms[adamw]
    return paired(relative, "% apart in weight norm", numbers)


def same_augmentation_evidence(directory: Path) -> Evidence:
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


def input_normalization_evidence(directory: Path) -> Evidence:
    picked = preprocessing.input_arms(load_record("mlp_input", directory)["runs"])
    accuracy = {label: np.array([r["test_accuracy"] for r in runs]) for label, runs in picked.items()}
    rates = {label: "/".join(f"{r['lr']:g}" for r in runs) for label, runs in picked.items()}
    raw, unit, standard = (mlp.INPUT_LABELS[inputs] for inputs in mlp.INPUTS)
    numbers = (
        f"test accuracy after {mlp.INPUT_STEPS} SGD steps, each arm at the rate its validation loss chose per seed: "
        + ", ".join(f"{label} {percent(accuracy[label])} (rate {rates[label]})" for label in accuracy)
        + f"; standardized against raw pixels: {100 * (accuracy[standard] - accuracy[raw]).mean():+.1f} points"
    )
    return paired(100 * (accuracy[standard] - accuracy[unit]), POINTS, numbers)


def deep_networks_evidence(directory: Path) -> Evidence:
    arms, deepest = deep.depth_arms(load_record("mlp_depth", directory)["runs"]), max(mlp.DEPTHS)
    found = {key: np.array([r["test_accuracy"] for r in runs]) for key, runs in arms.items()}
    rates = {key: "/".join(f"{r['lr']:g}" for r in runs) for key, runs in arms.items()}
    stalled = deep.stalled_depth(arms, "none")
    gradients = {  # ‖∂L/∂W‖ at initialization, first layer and last hidden layer, mean over seeds
        norm: np.mean([r["init"]["gradients"] for r in arms[(norm, deepest)]], axis=0)[[0, -2]]
        for norm in ("none", "batch")
    }
    numbers = (
        "; ".join(
            f"depth {d}: plain {percent(found[('none', d)])} (rates {rates[('none', d)]}), BatchNorm "
            f"{percent(found[('batch', d)])} (rates {rates[('batch', d)]})"
            for d in mlp.DEPTHS
        )
        + (f"; the plain network's training loss stays near chance from depth {stalled}" if stalled else "")
        + (
            f"; gradient at initialization, depth {deepest}, first layer / last hidden layer: plain "
            f"{gradients['none'][0]:.3g} / {gradients['none'][1]:.3g}, BatchNorm {gradients['batch'][0]:.3g} / "
            f"{gradients['batch'][1]:.3g}; lowest rate of the grid: {min(mlp.DEPTH_LRS):g}"
        )
    )
    return paired(100 * (found[("batch", deepest)] - found[("none", deepest)]), POINTS, numbers)


def dropout_time_evidence(directory: Path) -> Evidence:
    found = slow_records(directory)
    target = dropout_time.slow_target(found)
    epochs = {arm: np.array([dropout_time.epochs_to_reach(r, target) for r in runs]) for arm, runs in found.items()}
    ratio = epochs["dropout"] / epochs["none"]
    numbers = (
        f"epochs until the validation accuracy first reaches {100 * target:.1f} %: without dropout "
        f"{epochs['none'].mean():.2f}, with dropout 0.5 {epochs['dropout'].mean():.2f} (ratio per seed "
        + ", ".join(f"{r:.2f}" for r in ratio)
        + ")"
    )
    return paired(100 * (ratio - 1), "% more epochs to the same validation accuracy", numbers)


def checkpoint_results(directory: Path) -> dict[str, list[ensembles.EnsembleResult]]:
    """Each arm of the checkpoint-ensemble comparison, per seed, scored on the 10,000 test images."""
    labels = load_test_labels(directory)
    results: dict[str, list[ensembles.EnsembleResult]] = {arm: [] for arm in ensembles.CHECKPOINT_ARMS}
    for seed in CHECKPOINT_SEEDS:
        members = [load_probs(f"ckpt_member{m}_seed{seed}", directory)[0] for m in range(CHECKPOINT_MEMBERS)]
        probs = {
            "single": load_probs(f"ckpt_single_seed{seed}", directory),
            "snapshot": load_probs(f"ckpt_snapshot_seed{seed}", directory),
            "independent": np.stack(members),
        }
        for arm, found in probs.items():
            results[arm].append(ensembles.ensemble_result(arm, found, labels))
    return results


def checkpoint_ensemble_evidence(directory: Path) -> Evidence:
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
