"""How the MC Dropout Lab's claims are measured (``core.measures`` has the others): the calibration of the MC
average against the prediction with dropout off, and test-time augmentation's gain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core.arms import ROUND12_TUNED, ROUND13_TUNED, ROUND15_TUNED, TUNED
from core.augment_plan import ROUND12_SEEDS
from core.calibration import ECE_BINS, calibrated_ece, fit_temperature, reliability
from core.data import SUBSET_PER_CLASS, load_debian, stratified_indices, to_tensor
from core.ensemble_plan import CALIBRATION_PASSES
from core.evidence import LOSS, POINTS, Evidence, bootstrapped, paired
from core.labs import OVERCONFIDENT
from core.mc_dropout import DROPOUT_P, TTA_SCALES, cross_entropy, embeddings, off_and_mc_probs
from core.plan import (
    FRESH_SEEDS,
    FULL_IMAGES,
    FULL_VALIDATION,
    FULL_VERDICT_SEEDS,
    ROUND13_GRIDS,
    ROUND13_SEEDS,
    ROUND15_SEEDS,
    SEEDS,
    TTA_ARMS,
    TUNE_SEEDS,
    round15_name,
)
from core.runs import load_record, load_run, private_model, small_records
from core.small_plan import round_arm
from core.tuning import round15_grid, round15_losses, tuning_records, tuning_results

ECE_UNIT = "percentage points less calibration error (ECE)"


def _ece(probs: np.ndarray, labels: np.ndarray) -> str:
    return f"{100 * reliability(probs.max(1), probs.argmax(1) == labels).ece:.2f} %"


def _ece_drop(confidence_off, correct_off, confidence_mc, correct_mc) -> float:
    """Percentage points less ECE with the MC average than with dropout off, on the same images."""
    return 100 * (reliability(confidence_off, correct_off).ece - reliability(confidence_mc, correct_mc).ece)


def shipped_calibration(directory: Path) -> tuple[Evidence, str]:
    """Round 2's test: the three shipped networks trained on all 60,000 images (p 0.1, 0.2, 0.5, one each), MC
    average of CALIBRATION_PASSES (one fixed seed: the interval is over test images, not over the passes' draws),
    pooled on the 10,000 test images; beside each, temperature scaling fitted on the 2,000 shipped test images and
    measured on the other 8,000."""
    full = load_debian()["test"]
    images, labels = to_tensor(full.images), full.labels
    fit = np.zeros(len(labels), dtype=bool)
    fit[stratified_indices(labels, SUBSET_PER_CLASS["test"])] = True  # the shipped 2,000: temperature's fit
    columns, rows = [], []
    for p in DROPOUT_P:
        run = load_run(f"dropout_p{p}", directory)
        network = private_model(run.config, run.final, train=False)
        features = embeddings(network, images)
        off, mc = off_and_mc_probs(network, features, CALIBRATION_PASSES)
        columns += [off.max(1), off.argmax(1) == labels, mc.max(1), mc.argmax(1) == labels]
        with torch.no_grad():
            logits = network.head(features)
        temperature = fit_temperature(logits[fit], torch.from_numpy(labels[fit]))
        scaled = torch.softmax(logits[~fit] / temperature, dim=1).numpy()
        rows.append(
            f"p = {p}: dropout off {_ece(off, labels)}, MC {_ece(mc, labels)} (on the other 8,000: temperature "
            f"scaling, T = {temperature:.2f}, {_ece(scaled, labels[~fit])})"
        )

    def drop(*columns: np.ndarray) -> float:  # mean over the three networks, on the same resampled images
        return float(np.mean([_ece_drop(*columns[4 * i : 4 * i + 4]) for i in range(len(DROPOUT_P))]))

    return bootstrapped(drop, columns, ECE_UNIT, "", len(DROPOUT_P)), "; ".join(rows)


def _ece_pairs(records: list[dict]) -> np.ndarray:
    """(runs, [dropout off, MC average]) ECE in percent, as each run recorded it on the 10,000 test images."""
    return 100 * np.array([[r["ece"]["dropout off"], r["ece"][f"MC average of {CALIBRATION_PASSES}"]] for r in records])


def _test_figures(records: list[dict], directory: Path) -> np.ndarray:
    """(runs, 3): each run's mean cross-entropy on the 10,000 test images with dropout off and of the MC average
    (seed 0), a proper score beside the ECE, which bins confidences; and the mean ECE (in percent) a perfectly
    calibrated network with its dropout-off confidences would measure on them, the floor no averaging can go below."""
    test = load_debian()["test"]
    images = to_tensor(test.images)
    figures = []
    for record in records:
        run = load_run(record["name"], directory)
        network = private_model(run.config, run.final, train=False)
        off, mc = off_and_mc_probs(network, embeddings(network, images), CALIBRATION_PASSES)
        losses = [cross_entropy(probs, test.labels) for probs in (off, mc)]
        figures.append([*losses, 100 * float(calibrated_ece(off.max(1)).mean())])
    return np.array(figures)


def _calibration_numbers(records: list[dict], figures: np.ndarray) -> str:
    """ECE with dropout off, of the MC average and of temperature scaling (fitted on each run's validation
    images), and the test loss with dropout off and of the MC average (``_test_figures``), means over the runs."""
    ece, scaled = _ece_pairs(records), 100 * np.array([r["temperature_scaling"]["ece"] for r in records])
    losses, floor = figures[:, :2], figures[:, 2]
    return (
        f"ECE with dropout off {ece[:, 0].mean():.2f} % (a perfectly calibrated network with the same confidences "
        f"would measure {floor.mean():.2f} %, binning noise on 10,000 images, simulated), MC average "
        f"{ece[:, 1].mean():.2f} % (lower at "
        f"{(ece[:, 1] < ece[:, 0]).sum()} of {len(records)} seeds), temperature scaling fitted on the validation "
        f"images {scaled.mean():.2f} %; test loss (cross-entropy) with dropout off {losses[:, 0].mean():.4f}, of the "
        f"MC average {losses[:, 1].mean():.4f} nats (lower at {(losses[:, 1] < losses[:, 0]).sum()} of "
        f"{len(records)} seeds)"
    )


MEASURED = f"ECE ({ECE_BINS} bins, 10,000 test images, MC average of {CALIBRATION_PASSES} passes)"


def mc_calibration_evidence(directory: Path) -> Evidence:
    """Registered in round 15 (core.plan): on the 10,000 test images, the test loss with dropout off of the network at
    the p its dropout-off validation loss chose, minus that of the MC average of CALIBRATION_PASSES of the network at
    the p the MC average's validation loss chose, paired over ROUND15_SEEDS. Beside it: the tuning's losses, the ECE,
    temperature scaling and round 13's test."""
    p_off, p_mc = ROUND15_TUNED["dropout off"], ROUND15_TUNED["MC average"]
    runs = {p: [load_record(round15_name(p, s), directory) for s in ROUND15_SEEDS] for p in {p_off, p_mc}}
    figures = {p: _test_figures(records, directory) for p, records in runs.items()}  # (seeds, 3) each
    off, mc = figures[p_off][:, 0], figures[p_mc][:, 1]
    ece_off, ece_mc = _ece_pairs(runs[p_off])[:, 0].mean(), _ece_pairs(runs[p_mc])[:, 1].mean()
    scaled = 100 * np.mean([r["temperature_scaling"]["ece"] for r in runs[p_off]])
    tuning = "; ".join(
        f"{p:g}: {a:.4f} / {b:.4f}" for p, (a, b) in round15_losses(directory, round15_grid(directory)).items()
    )
    before, before_numbers = _round13_calibration(directory)
    numbers = (
        f"Test loss on the 10,000 test images. Each arm's p chosen by its own loss on the tuning runs' "
        f"{FULL_VALIDATION:,} validation images (means over {len(TUNE_SEEDS)} seeds, with dropout off / of the MC "
        f"average of {CALIBRATION_PASSES} passes, per p: {tuning}): dropout off p {p_off:g}, MC average p {p_mc:g}. "
        f"Networks trained on {FULL_IMAGES:,} images at those p, seeds "
        f"{', '.join(map(str, ROUND15_SEEDS))} (registered before their runs): test loss with dropout off "
        f"{off.mean():.4f}, of the MC average {mc.mean():.4f} nats (lower at {(mc < off).sum()} of {len(mc)} seeds); "
        f"ECE with dropout off {ece_off:.2f} % (binning noise alone: {figures[p_off][:, 2].mean():.2f} %), "
        f"MC average {ece_mc:.2f} %, temperature scaling of the dropout-off network, fitted on its "
        f"validation images, {scaled:.2f} %. Round 13 (p chosen by validation accuracy): "
        f"{before.brief(4, ' nats')}. {before_numbers}"
    )
    return paired(off - mc, LOSS, numbers)


def _round13_calibration(directory: Path) -> tuple[Evidence, str]:
    """Round 13's test (round 15's, ``mc_calibration_evidence``, is the claim's), at the p chosen by validation
    accuracy over round 13's extended grid: networks trained on FULL_IMAGES at ROUND13_SEEDS; the test loss with
    dropout off minus that of the MC average of CALIBRATION_PASSES, on the 10,000 test images, paired over the seeds.
    Beside it: the ECE and temperature scaling, round 5's verdict (p 0.1, FULL_VERDICT_SEEDS), round 3's ECE verdict at
    SEEDS, the tuning runs' test ECE at every p, and round 2's pooled networks."""
    fresh, round5, first = (
        [load_record(f"{name}_seed{s}", directory) for s in seeds]
        for name, seeds in (
            ("full_dropout_round13", ROUND13_SEEDS),
            ("full_dropout", FULL_VERDICT_SEEDS),
            ("full_dropout", SEEDS),
        )
    )
    figures, round5_figures = _test_figures(fresh, directory), _test_figures(round5, directory)
    round5_effect = paired(round5_figures[:, 0] - round5_figures[:, 1], "", "")
    round3 = paired(np.subtract(*_ece_pairs(first).T), "", "")
    doses = ROUND13_GRIDS["full_dropout"][1]
    found = tuning_results("full_dropout", directory, doses)
    at_every_p = "; ".join(
        f"{p:g}: validation {100 * found[p][0]:.2f} %, {_ece_pairs(runs)[:, 0].mean():.2f} → "
        f"{_ece_pairs(runs)[:, 1].mean():.2f} %"
        for p, runs in tuning_records("full_dropout", directory, doses).items()
    )
    round2, round2_rows = shipped_calibration(directory)
    accuracy = np.mean([r["test_accuracy_full"] for r in fresh])
    numbers = (
        f"Networks trained on {FULL_IMAGES:,} images at the p validation accuracy chose "
        f"({ROUND13_TUNED['full_dropout'][1]:g}, the lower edge of round 13's extended grid), seeds "
        f"{', '.join(map(str, ROUND13_SEEDS))} (registered before their runs), test accuracy {accuracy:.2%}: "
        f"{_calibration_numbers(fresh, figures)}. Round 5, at p {TUNED['full_dropout']:g} (the lower edge of the grid "
        f"then), seeds {', '.join(map(str, FULL_VERDICT_SEEDS))}: {round5_effect.brief(4, ' nats')}, "
        f"{_calibration_numbers(round5, round5_figures)}. Round 3's test, not this one's: the ECE ({ECE_BINS} bins) at "
        f"seeds {', '.join(map(str, SEEDS))}, {round3.brief(suffix=' points')}, a minimum of 0.5 points that the floor "
        f"put out of reach. The tuning runs, per p (means over {len(TUNE_SEEDS)} seeds; validation accuracy on "
        f"{FULL_VALIDATION:,} held-out images, then the ECE on the 10,000 test images with dropout off → MC average): "
        f"{at_every_p}. Round 2's test: the three shipped networks (60,000 images, one each), pooled, the ECE "
        f"{round2.brief(suffix=' points')}: {round2_rows}"
    )
    return paired(figures[:, 0] - figures[:, 1], LOSS, ""), numbers


def mc_calibration_small_evidence(directory: Path) -> Evidence:
    """Registered in round 12 (core.augment_plan): the 500-image networks at round 9's joint choice of rate and p, on
    ROUND12_SEEDS; beside them round 3's seeds (Adam's untuned rate, p chosen at it), round 2's and the lab's
    over-confident network."""
    lr, p = ROUND12_TUNED["dropout"]
    records = small_records(round_arm("dropout", 12), directory, ROUND12_SEEDS)
    ece, figures = _ece_pairs(records), _test_figures(records, directory)
    round3, round2 = (paired(np.subtract(*_ece_pairs(small_records("dropout", directory, seeds)).T), "", "")
                      for seeds in (FRESH_SEEDS, SEEDS))  # fmt: skip
    off, mc = load_record(OVERCONFIDENT, directory)["ece"].values()
    numbers = (
        f"{MEASURED}. Networks trained on 500 images at the rate and p validation chose together for accuracy (rate "
        f"{lr:g}, p {p:g}; round 9), seeds {', '.join(map(str, ROUND12_SEEDS))} (registered before their runs): "
        f"{_calibration_numbers(records, figures)}. Round 3, at Adam's untuned rate 1e-3 and the p chosen there "
        f"({TUNED['dropout']:g}, its grid's lowest), seeds {', '.join(map(str, FRESH_SEEDS))}: "
        f"{round3.brief(suffix=' points')}; seeds {', '.join(map(str, SEEDS))}, which had shown the direction before "
        f"this regime was made a claim of its own: {round2.brief(suffix=' points')}. The MC Dropout Lab's "
        f"over-confident network (p = 0.5, seed 0): dropout off {100 * off:.2f} %, MC {100 * mc:.2f} %"
    )
    return paired(ece[:, 0] - ece[:, 1], ECE_UNIT, numbers)


def _tta_gains(records: list[dict], key: str) -> np.ndarray:
    """Per record: accuracy points the average of the views gains over the original alone (for ``tta_transformed``,
    the mean over the transformed test sets)."""
    views, single = (f"average of {len(TTA_SCALES)} scales", "×1 only") if key == "tta_scales" else (
        "average of all 6 views", "original only")  # fmt: skip
    if key == "tta_transformed":
        return 100 * np.array([np.mean([s[views] - s[single] for s in r[key].values()]) for r in records])
    return 100 * np.array([r[key][views] - r[key][single] for r in records])


def tta_evidence(directory: Path) -> Evidence:
    """Registered in round 12 (core.augment_plan): the flip + crop network at the rate validation chose, on
    ROUND12_SEEDS, the average of the 6 views (original, mirror, 4 shifts of 2 px) against the original alone on the
    clean test images; beside it the transformed test images, 3 scales, the network without augmentation and the
    earlier rounds (Adam's untuned rate)."""
    fresh = small_records(round_arm("flip_shift", 12), directory, ROUND12_SEEDS)
    without = small_records(round_arm("none", 12), directory, ROUND12_SEEDS)
    clean = _tta_gains(fresh, "tta")
    round3 = paired(_tta_gains(small_records("flip_shift", directory, FRESH_SEEDS), "tta"), "", "")
    first = {arm: small_records(arm, directory) for arm in TTA_ARMS}
    before = paired(_tta_gains(first["flip_shift"], "tta"), "", "")
    numbers = (
        f"seeds {', '.join(map(str, ROUND12_SEEDS))} (registered before their runs), networks trained with flip + "
        f"crop at the rate validation chose ({ROUND12_TUNED['flip_shift'][0]:g}): {clean.mean():+.2f} points "
        "averaging the 6 views on the clean test images (per seed "
        + ", ".join(f"{g:+.2f}" for g in clean)
        + f"), {_tta_gains(fresh, 'tta_transformed').mean():+.2f} on mirrored and 2-px-shifted test images, "
        f"{_tta_gains(fresh, 'tta_scales').mean():+.2f} averaging {len(TTA_SCALES)} scales (zoom "
        f"×{', ×'.join(f'{s:g}' for s in TTA_SCALES)}); trained without augmentation (rate "
        f"{ROUND12_TUNED['none'][0]:g}): {_tta_gains(without, 'tta').mean():+.2f} on the clean and "
        f"{_tta_gains(without, 'tta_transformed').mean():+.2f} on the transformed test images. At Adam's untuned "
        f"rate 1e-3, trained with flip + crop: seeds {', '.join(map(str, FRESH_SEEDS))} (round 3) "
        f"{round3.brief(suffix=' points')}, seeds {', '.join(map(str, SEEDS))} (round 2, the clean-image measure "
        f"chosen after round 1's results on transformed images) {before.brief(suffix=' points')} on the clean test "
        f"images; trained without, {_tta_gains(first['none'], 'tta').mean():+.2f}"
    )
    return paired(clean, POINTS, numbers)
