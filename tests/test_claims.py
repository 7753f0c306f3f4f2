"""core.claims: each claim's effect recomputed from the shipped files by hand, the verdict rule, and honest pages."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from core import claims
from core.data import load_subset
from core.mc_dropout import calibration, embeddings, tta_report
from core.regularization import OPTIMIZERS, SURFACES, optimizer_path
from core.runs import RUNS_DIR, load_run, private_model
from core.texts import TEXTS

ROOT = Path(__file__).parents[1]
REQUIRED = {
    "augmentation-generalizes",
    "augmentation-shrinks-gap",
    "dropout-regularizes",
    "weight-decay-regularizes",
    "early-stopping-helps",
    "early-stopping-lowers-test-loss",
    "ensemble-averages-errors",
    "mc-dropout-calibrates",
    "tta-helps",
    "bn-tolerates-larger-lr",
    "bn-needs-batch-statistics",
    "kaiming-keeps-variance",
    "l2-equals-decay-for-sgd",
    "l2-differs-from-decay-for-adam",
    "same-augmentation-for-comparison",
}
TEST = load_subset()["test"]


def record(name: str) -> dict:
    return json.loads((RUNS_DIR / f"{name}.json").read_text())


def final(name: str) -> np.ndarray:
    """Final subset accuracy of each seed of ``small_<name>``, read straight from the JSON files."""
    return np.array([record(f"small_{name}_seed{s}")["test_accuracy_subset"] for s in (0, 1, 2)])


def mean_std(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1))


def assert_evidence(name: str, effect: float, spread: float) -> None:
    found = claims.evidence(name)
    assert found.effect == pytest.approx(effect, abs=1e-9)
    assert found.spread == pytest.approx(spread, abs=1e-9)


def test_the_command_line_lists_every_claim_as_tsv():
    """`python -m core.claims --tsv`: the header, then one row per claim with a verdict."""
    output = subprocess.run(
        [sys.executable, "-m", "core.claims", "--tsv"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert output[0].split("\t") == ["claim", "slide", "effect", "spread", "unit", "verdict"]
    rows = [line.split("\t") for line in output[1:]]
    assert {row[0] for row in rows} == REQUIRED and len(rows) == len(REQUIRED)
    for row in rows:
        assert row[5] == claims.verdict(row[0]) and row[5] in (claims.SHOWN, claims.NOT_SHOWN)
        assert float(row[2]) == pytest.approx(claims.evidence(row[0]).effect, abs=1e-3)


@pytest.mark.parametrize(
    ("effect", "spread", "minimum", "verdict"),
    [
        (3.0, 1.0, 1.0, "shown"),
        (3.0, 1.6, 1.0, "not shown"),
        (0.5, 0.0, 1.0, "not shown"),
        (-2.0, 0.1, 0.5, "not shown"),
    ],
)
def test_a_claim_is_shown_only_beyond_twice_its_spread_and_its_minimum(effect, spread, minimum, verdict):
    """The verdict rule on hand-made evidence."""
    claim = claims.Claim("x", "", "", "", "", minimum, "", lambda _: None)
    assert claim.verdict(claims.Evidence(effect, spread, "u", 3, "")) == verdict


def test_augmentation_effect_is_the_best_augmentation_minus_none_per_seed():
    """Best augmentation by mean accuracy, minus no augmentation, paired by seed, in points."""
    best = max(("flip_shift", "trivial_augment", "rand_augment"), key=lambda name: final(name).mean())
    assert_evidence("augmentation-generalizes", *mean_std(100 * (final(best) - final("none"))))


def test_gap_effect_is_the_train_test_gap_without_minus_with_flip_and_shift():
    """Final train accuracy (clean images) minus test accuracy, no augmentation vs flip + shift, paired by seed."""

    def gaps(name: str) -> np.ndarray:
        records = [record(f"small_{name}_seed{s}") for s in (0, 1, 2)]
        return np.array([r["train_accuracy"][-1] - r["test_accuracy"][-1] for r in records])

    assert_evidence("augmentation-shrinks-gap", *mean_std(100 * (gaps("none") - gaps("flip_shift"))))


@pytest.mark.parametrize(("name", "arm"), [("dropout-regularizes", "dropout"), ("weight-decay-regularizes", "adamw")])
def test_regularizer_effects_are_paired_differences_to_none(name, arm):
    """Dropout and AdamW against the same seeds without them."""
    assert_evidence(name, *mean_std(100 * (final(arm) - final("none"))))


def test_early_stopping_effect_is_kept_minus_final_accuracy():
    """Patience 3 on the validation loss: the best evaluation before the stop, against the last one."""
    effects, test_losses = [], []
    for seed in (0, 1, 2):
        r = record(f"small_none_seed{seed}")
        losses, best, stop = r["val_loss"], 0, len(r["val_loss"]) - 1
        for index, loss in enumerate(losses):
            if loss < losses[best]:
                best = index
            elif index - best >= claims.EARLY_STOPPING_PATIENCE:
                stop = index
                break
        assert stop >= best
        effects.append(100 * (r["test_accuracy"][best] - r["test_accuracy"][-1]))
        test_losses.append(r["test_loss"][-1] - r["test_loss"][best])
    assert_evidence("early-stopping-helps", *mean_std(effects))
    assert_evidence("early-stopping-lowers-test-loss", *mean_std(test_losses))


def test_ensemble_effect_is_member_error_minus_the_average_of_six():
    """Saved softmax outputs of the 6 seed members: each member's error minus the error of their mean."""
    probs = np.stack([np.load(RUNS_DIR / f"ensemble_seed{i}.npz")["probs"].astype(np.float32) for i in range(6)])
    wrong = probs.argmax(-1) != TEST.labels
    combined = float((probs.sum(0).argmax(-1) != TEST.labels).mean())
    assert_evidence("ensemble-averages-errors", *mean_std(100 * (wrong.mean(1) - combined)))


def test_mc_calibration_effect_is_the_ece_drop_of_the_small_data_dropout_networks():
    """ECE with dropout off minus ECE of the MC average, recorded per seed, in ECE points."""
    drops = [100 * np.subtract(*list(record(f"small_dropout_seed{s}")["ece"].values())) for s in (0, 1, 2)]
    assert_evidence("mc-dropout-calibrates", *mean_std(drops))


def test_tta_effect_is_the_gain_of_averaging_for_networks_trained_with_the_views():
    """Average of the 6 views minus the original view alone, for the flip + shift networks."""
    gains = [
        100 * (r["average of all 6 views"] - r["original only"])
        for r in (record(f"small_flip_shift_seed{s}")["tta"] for s in (0, 1, 2))
    ]
    assert_evidence("tta-helps", *mean_std(gains))


def test_bn_learning_rate_effect_is_bn_minus_plain_at_the_large_rate():
    """lr 0.2, 3 seeds each: BatchNorm's accuracy minus the plain network's."""
    lr = claims.BN_LARGE_LR
    gaps = [
        100
        * (
            record(f"lr_batch_{lr}_seed{s}")["test_accuracy_subset"]
            - record(f"lr_none_{lr}_seed{s}")["test_accuracy_subset"]
        )
        for s in (0, 1, 2)
    ]
    assert_evidence("bn-tolerates-larger-lr", *mean_std(gaps))


def test_bn_batch_statistics_effect_by_torchs_own_train_and_eval_modes():
    """The BN network in eval mode on a batch vs train mode one image at a time, with nn.Module's own modes."""
    run = load_run("batchnorm")
    images, labels = TEST.tensors(500)
    with torch.inference_mode():
        model = private_model(run.config, run.final, train=False)
        eval_accuracy = float((model(images).argmax(1) == labels).float().mean())
        model.train()
        single = torch.cat([model(images[i : i + 1]) for i in range(len(images))])
        single_accuracy = float((single.argmax(1) == labels).float().mean())
    assert_evidence("bn-needs-batch-statistics", 100 * (eval_accuracy - single_accuracy), 0.0)


def test_kaiming_effect_from_a_hand_built_relu_mlp():
    """Ten nn.Linear + ReLU layers initialized by torch.nn.init: Glorot shrinks the std, Kaiming keeps it."""
    inputs = TEST.tensors(512)[0].flatten(1)

    @torch.no_grad()
    def log2_ratio(init, seed: int) -> float:
        torch.manual_seed(seed)
        stds, x = [], inputs
        for index in range(10):
            layer = nn.Linear(784 if index == 0 else 256, 256)
            init(layer.weight)
            nn.init.zeros_(layer.bias)
            x = torch.relu(layer(x))
            stds.append(float(x.std()))
        return float(np.log2(stds[-1] / stds[0]))

    effects = []
    for seed in (0, 1, 2):
        glorot = log2_ratio(nn.init.xavier_normal_, seed)
        kaiming = log2_ratio(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), seed)
        effects.append(abs(glorot) - abs(kaiming))
    found = claims.evidence("kaiming-keeps-variance")
    assert found.effect == pytest.approx(np.mean(effects), rel=0.02)
    assert found.effect > 3  # about 4.5 halvings: 9 layers each halving the variance


def test_sgd_equivalence_by_a_hand_written_update():
    """Hand-written gradient descent on the quadratic, w ← w − lr·(∇f(w) + λw), is both torch.optim paths."""
    lr, decay, steps = 0.02, 0.5, 500
    w, hand = np.array([-2.5, -1.5]), []
    for _ in range(steps + 1):
        hand.append(w.copy())
        gradient = np.array([w[0] - 2.0, 20.0 * (w[1] - 1.0)])
        w = w - lr * (gradient + decay * w)
    surface = SURFACES["ill-conditioned quadratic"]
    for label in list(OPTIMIZERS)[:2]:
        assert np.allclose(optimizer_path(surface, label, lr, decay, steps), hand, atol=1e-12, rtol=0)
    found = claims.evidence("l2-equals-decay-for-sgd")
    assert found.effect > 13 and found.spread == 0 and claims.verdict("l2-equals-decay-for-sgd") == claims.SHOWN


def test_adam_difference_is_the_relative_gap_of_final_weight_norms():
    """AdamW vs Adam + L2 at the same λ: relative difference of the final weight norms, per seed."""
    gaps = []
    for seed in (0, 1, 2):
        l2, decoupled = (record(f"small_{arm}_seed{seed}")["weight_norm"][-1] for arm in ("adam_l2", "adamw"))
        gaps.append(100 * abs(decoupled - l2) / decoupled)
    assert_evidence("l2-differs-from-decay-for-adam", *mean_std(gaps))


def test_same_augmentation_effect_is_positive_only_when_the_ranking_flips():
    """The smaller of the fair margin and the reversal margin: positive exactly when an unfair comparison flips."""
    fair = final("flip_shift") - final("narrow_flip_shift")
    if fair.mean() >= 0:
        unfair = final("none") - final("narrow_flip_shift")
    else:
        fair, unfair = -fair, -(final("flip_shift") - final("narrow_none"))
    assert_evidence("same-augmentation-for-comparison", *mean_std(100 * np.minimum(fair, -unfair)))


def test_recorded_tta_and_ece_equal_a_fresh_computation():
    """The shipped TTA and ECE figures are what the shipped checkpoints give now: they cannot drift from the code."""
    images, labels = TEST.tensors()
    for name in ("small_flip_shift_seed0", "small_dropout_seed1"):
        run = load_run(name)
        model = private_model(run.config, run.final, train=False)
        assert tta_report(model, images, labels) == pytest.approx(run.record["tta"], abs=1e-6)
        fresh = calibration(model, embeddings(model, images), labels.numpy(), 50, 0)
        assert [curve.ece for curve in fresh.values()] == pytest.approx(list(run.record["ece"].values()), abs=1e-6)


def test_no_page_states_a_claim_that_is_not_shown():
    """A claim whose verdict is 'not shown' appears in no page or text as a statement: only via the registry."""
    sources = [TEXTS[key].full + TEXTS[key].short for key in TEXTS]
    sources += [path.read_text() for path in (ROOT / "pages").glob("*.py")] + [(ROOT / "app.py").read_text()]
    for claim in claims.CLAIMS:
        sentence = claims.sentence(claim.name)
        if claims.verdict(claim.name) == claims.SHOWN:
            assert sentence.startswith(claim.statement)
        else:
            assert sentence.startswith("**Not shown") and claim.differs in sentence
            assert not any(claim.statement in source for source in sources), claim.name


def test_the_wrong_sentences_are_gone():
    """Sentences an audit found false are no longer in any text."""
    every_text = " ".join(TEXTS[key].full + " " + TEXTS[key].short for key in TEXTS)
    for wrong in (
        "keeps every layer's input at mean 0, std 1",
        "every layer keeps std 1",
        "as in the GroupNorm paper's figure",
        "One image at a time in train mode normalizes every image with its own statistics: the prediction depends",
        "never sees exactly the same input twice",
    ):
        assert wrong not in every_text
