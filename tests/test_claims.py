"""core.claims: each claim's effect recomputed from the shipped files by hand, the verdict rule, and honest pages."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from core import arms, augment_plan, claims, evidence, mc_measures, plan, slow_plan, tuning
from core.arms import TUNED
from core.calibration import calibration
from core.data import load_debian, load_subset, normalize, to_tensor
from core.invariance import transformed_set
from core.labs import StudioTab
from core.mc_dropout import embeddings, mc_head_logits, tta_report, tta_scales_report
from core.plan import FRESH_SEEDS as FRESH
from core.plan import INVARIANCE_SEED, SEEDS, SMALL_EPOCH, TTA_TEST_SETS
from core.runs import RUNS_DIR, load_run, private_model
from core.texts import TEXTS

from .claim_records import assert_paired, planned, record, round_choice

ROOT = Path(__file__).parents[1]
REQUIRED = {
    "augmentation-buys-invariance",
    "augmentation-generalizes",
    "augmentation-shrinks-gap",
    "dropout-regularizes",
    "weight-decay-regularizes",
    "weight-decay-regularizes-sgd",
    "early-stopping-helps",
    "early-stopping-lowers-test-loss",
    "ensemble-averages-errors",
    "mc-dropout-calibrates",
    "mc-dropout-calibrates-small-data",
    "tta-helps",
    "bn-tolerates-larger-lr",
    "bn-needs-batch-statistics",
    "kaiming-keeps-variance",
    "l2-equals-decay-for-sgd",
    "l2-differs-from-decay-for-adam",
    "same-augmentation-for-comparison",
    "input-normalization-helps-training",
    "bn-trains-deep-nets",
    "dropout-trains-slower",
    "checkpoint-ensemble-helps",
}
TEST = load_subset()["test"]


RECOMPUTED = 1e-5  # points: an effect recomputed from the weights on this CPU against the one recorded in training


def assert_bootstrapped(name: str, per_image: np.ndarray) -> None:
    """The claim's effect is the mean per-image difference; its interval holds it and comes from the images."""
    found = claims.evidence(name)
    assert found.effect == pytest.approx(100 * per_image.mean(), abs=1e-9)
    assert found.ci_low < found.effect < found.ci_high
    standard_error = 100 * per_image.std(ddof=1) / np.sqrt(len(per_image))  # the percentile interval's ~ half-width
    assert found.ci_high - found.ci_low == pytest.approx(2 * 1.96 * standard_error, rel=0.15)
    assert f"paired bootstrap over {len(per_image):,} test images" in found.text


def test_the_command_line_lists_every_claim_as_tsv():
    """`python -m core.claims --tsv`: the header, then one row per claim with a verdict."""
    output = subprocess.run(
        [sys.executable, "-m", "core.claims", "--tsv"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header = ["claim", "slide", "effect", "ci_low", "ci_high", "seeds", "interval", "unit", "verdict"]
    assert output[0].split("\t") == header
    rows = [dict(zip(header, line.split("\t"))) for line in output[1:]]
    assert {row["claim"] for row in rows} == REQUIRED and len(rows) == len(REQUIRED)
    for row in rows:
        found = claims.evidence(row["claim"])
        assert row["verdict"] == claims.verdict(row["claim"])
        assert row["verdict"] in (claims.SHOWN, claims.NOT_SHOWN, claims.OPPOSITE)
        assert float(row["effect"]) == pytest.approx(found.effect, rel=1e-3)  # 4 significant digits
        assert float(row["ci_low"]) <= float(row["effect"]) <= float(row["ci_high"])
        assert int(row["seeds"]) == found.seeds and row["interval"] == found.interval_of
        assert found.seeds >= 5 or "bootstrap" in found.interval_of or found.ci_low == found.ci_high
        if row["verdict"] == claims.SHOWN:
            assert float(row["ci_low"]) > 0
        if row["verdict"] == claims.OPPOSITE:
            assert float(row["ci_high"]) < 0


@pytest.mark.parametrize(
    ("effect", "low", "high", "minimum", "verdict", "reason"),
    [
        (3.0, 1.0, 5.0, 1.0, claims.SHOWN, ""),
        (3.0, -0.5, 6.5, 1.0, claims.NOT_SHOWN, claims.UNSEEN),  # the interval holds 0 and the minimum
        (0.5, 0.2, 0.8, 1.0, claims.NOT_SHOWN, claims.FAILS),  # above 0, but an effect of the minimum is excluded
        (0.2, -0.3, 0.7, 1.0, claims.NOT_SHOWN, claims.FAILS),  # holds 0, excludes the minimum
        (0.5, 0.5, 0.5, 1.0, claims.NOT_SHOWN, claims.FAILS),  # deterministic, below the minimum
        (-2.0, -3.0, -1.0, 0.5, claims.OPPOSITE, ""),
    ],
)
def test_the_one_rule_on_hand_made_intervals(effect, low, high, minimum, verdict, reason):
    """Shown: interval above 0 and the minimum reached; the opposite: below 0; else which kind of not shown."""
    claim = claims.Claim("x", "", "", StudioTab.PIPELINE, minimum, "", lambda _: None)
    found = evidence.Evidence(effect, low, high, "u", 5, "", "paired t over 5 seeds")
    assert (claim.verdict(found), claim.reason(found)) == (verdict, reason)


def test_the_t_interval_matches_a_hand_computation():
    """evidence.paired: mean ± t(0.975, n − 1) · s / √n, here for n = 5 by the t table's 2.776."""
    effects = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    found = evidence.paired(effects, "u", "")
    half = 2.7764451 * effects.std(ddof=1) / np.sqrt(5)
    assert (found.ci_low, found.ci_high) == pytest.approx((3 - half, 3 + half), abs=1e-6)


def test_a_claim_whose_second_part_fails_is_not_shown_whatever_its_effect():
    """A large effect with its condition unmet is 'not shown', and the sentence says which part failed."""
    claim = claims.Claim("x", "", "", StudioTab.PIPELINE, 1.0, "", lambda _: None)
    found = evidence.Evidence(10.0, 9.0, 11.0, "u", 5, "", "t", condition="test accuracy improves", condition_met=False)
    assert (claim.verdict(found), claim.reason(found)) == (claims.NOT_SHOWN, claims.FAILS)


def test_dropout_is_tested_at_the_rate_and_p_validation_chose():
    """Round 9: dropout and no dropout, each at its choice over its round 9 grid (round 13's, with p 0.85, chooses
    the same), on seeds 30-34."""
    assert plan.ROUND9_SEEDS == (30, 31, 32, 33, 34)
    for arm in ("dropout", "none"):
        found = record(f"small_{plan.round_arm(arm, 9)}_seed30")
        chosen = round_choice(arm, plan.ROUND9_GRIDS)
        assert (
            (found["train"]["lr"], found["model"]["dropout"]) == chosen == round_choice(arm, plan.ROUND13_DROPOUT_GRIDS)
        )
    seeds = plan.ROUND9_SEEDS
    assert_paired("dropout-regularizes", 100 * (planned("dropout_round9", seeds) - planned("none_round9", seeds)))


def test_early_stopping_keeps_the_best_validation_accuracy_and_the_lowest_validation_loss_of_every_epoch():
    """In the constant-rate runs at seeds 5-9, the early-stopped weights are those of the highest per-epoch
    validation accuracy (the accuracy claim) and of the lowest validation loss (the loss claim); effect: them minus
    the end."""
    effects, test_losses = [], []
    for seed in FRESH:
        r = record(f"small_{plan.EARLY_STOPPING_ARM}_seed{seed}")
        assert not r["train"]["cosine"] and r["train"]["lr"] == plan.SMALL.lr
        assert np.diff(r["epoch_steps"]).max() == SMALL_EPOCH and r["epoch_steps"][-1] == r["train"]["steps"]
        best, lowest = int(np.argmax(r["epoch_val_accuracy"])), int(np.argmin(r["epoch_val_loss"]))  # first of equals
        assert r["early_stopped_accuracy"]["step"] == r["epoch_steps"][best]
        assert r["early_stopped"]["step"] == r["epoch_steps"][lowest]
        effects.append(100 * (r["early_stopped_accuracy"]["test_accuracy"] - r["kept"]["test_accuracy"]))
        test_losses.append(r["kept"]["test_loss"] - r["early_stopped"]["test_loss"])
    assert_paired("early-stopping-helps", effects)
    assert_paired("early-stopping-lowers-test-loss", test_losses)


def test_ensemble_effect_is_the_gain_over_a_member_with_a_bootstrap_interval():
    """Saved softmax outputs of the checkpoint comparison's 5 single networks (seeds 5-9): the members' mean error
    minus the error of their average, and a paired bootstrap interval of that gain over the test images."""
    probs = np.concatenate(
        [np.load(RUNS_DIR / f"ckpt_single_seed{s}.npz")["probs"].astype(np.float32) for s in range(5, 10)]
    )
    assert probs.shape == (5, 10_000, 10)
    labels = load_debian()["test"].labels
    wrong = probs.argmax(-1) != labels
    combined = probs.sum(0).argmax(-1) != labels
    gain = wrong.mean(0) - combined
    assert_bootstrapped("ensemble-averages-errors", gain)


def ece_drop(name: str, images: torch.Tensor, labels: np.ndarray) -> float:
    """ECE with dropout off minus ECE of the MC average of 50 passes (seed 0), recomputed from the weights."""
    run = load_run(name)
    model = private_model(run.config, run.final, train=False)
    fresh = calibration(model, embeddings(model, images), labels, 50, 0)
    return 100 * np.subtract(*[curve.ece for curve in fresh.values()])


def off_and_mc_losses(name: str, images: torch.Tensor, labels: np.ndarray) -> tuple[float, float]:
    """Test loss (nats) with dropout off and of the MC average of 50 passes (seed 0), from the weights, the latter in
    log space by torch: log of the mean softmax = logsumexp of the passes' log-softmax - log T."""
    run = load_run(name)
    model = private_model(run.config, run.final, train=False)
    features, target = embeddings(model, images), torch.from_numpy(labels).long()
    with torch.no_grad():
        off = nn.functional.cross_entropy(model.head(features), target).item()
    log_probs = torch.log_softmax(mc_head_logits(model, features, 50, 0).double(), dim=-1)  # (T, N, 10)
    averaged = torch.logsumexp(log_probs, dim=0) - np.log(len(log_probs))  # (N, 10)
    return off, nn.functional.nll_loss(averaged, target).item()


def test_mc_calibration_effect_is_each_arms_test_loss_at_the_p_its_validation_loss_chose():
    """Round 15, fresh seeds 80-84: the test loss on the 10,000 test images with dropout off of the network at the p
    the dropout-off validation loss chose, minus that of the MC average of the network at the MC average's p, each
    recomputed from the weights, paired over the seeds; each p the lowest mean validation loss of its arm."""
    test = load_debian()["test"]
    images = to_tensor(test.images)
    grid = tuning.round15_grid()
    assert plan.ROUND15_SEEDS == (80, 81, 82, 83, 84) and set(plan.ROUND15_GRID) <= set(grid)
    for arm in ("dropout off", "MC average"):
        losses = {
            p: np.mean([record(f"tune_full_mc_{p:g}_seed{s}")["mc_val_loss"][arm] for s in plan.TUNE_SEEDS])
            for p in grid
        }
        assert arms.ROUND15_TUNED[arm] == min(losses, key=losses.get)
    names = {
        arm: [f"full_dropout{p:g}_round15_seed{s}" for s in plan.ROUND15_SEEDS] for arm, p in arms.ROUND15_TUNED.items()
    }
    for arm, runs in names.items():
        assert {record(name)["model"]["dropout"] for name in runs} == {arms.ROUND15_TUNED[arm]}
        assert {(record(name)["train_images"], record(name)["train"]["lr"]) for name in runs} == {
            (plan.FULL_IMAGES, 2e-3)
        }
        assert [record(name)["data_seed"] for name in runs] == list(map(plan.small_data_seed, plan.ROUND15_SEEDS))
    off = [off_and_mc_losses(name, images, test.labels)[0] for name in names["dropout off"]]
    mc = [off_and_mc_losses(name, images, test.labels)[1] for name in names["MC average"]]
    assert_paired("mc-dropout-calibrates", np.subtract(off, mc), RECOMPUTED)


def test_small_data_mc_calibration_is_the_ece_drop_of_round_twelves_seeds():
    """Round 12: the 500-image networks at round 9's joint choice of rate and p, seeds 45-49, each the planned run:
    the ECE drop recomputed from their weights."""
    test = load_debian()["test"]
    images = to_tensor(test.images)
    assert augment_plan.ROUND12_SEEDS == (45, 46, 47, 48, 49) and arms.ROUND12_TUNED["dropout"] == (3e-3, 0.7)
    planned("dropout_round12", augment_plan.ROUND12_SEEDS)
    drops = [ece_drop(f"small_dropout_round12_seed{seed}", images, test.labels) for seed in augment_plan.ROUND12_SEEDS]
    assert_paired("mc-dropout-calibrates-small-data", drops, RECOMPUTED)


def test_round_two_mc_calibration_pools_the_three_shipped_networks():
    """Round 2's test, reported beside: the mean ECE drop of the three networks trained on all 60,000 images, with
    an interval from resampling the test images."""
    test = load_debian()["test"]
    drops = [ece_drop(f"dropout_p{p}", to_tensor(test.images), test.labels) for p in (0.1, 0.2, 0.5)]
    found, _ = mc_measures.shipped_calibration(RUNS_DIR)
    assert found.effect == pytest.approx(np.mean(drops), abs=1e-6)
    assert found.ci_low < found.effect < found.ci_high and "10,000 test images" in found.text


def test_tta_effect_is_the_gain_of_averaging_the_views_on_the_clean_test_images():
    """Average of the 6 views minus the original view alone, on the 10,000 clean test images, for round 12's flip +
    crop networks at the rate validation chose (3e-3), seeds 45-49, each the planned run."""
    assert augment_plan.ROUND12_SEEDS == (45, 46, 47, 48, 49) and arms.ROUND12_TUNED["flip_shift"] == (3e-3, 0.0)
    planned("flip_shift_round12", augment_plan.ROUND12_SEEDS)
    gains = [
        100 * (r["average of all 6 views"] - r["original only"])
        for r in (record(f"small_flip_shift_round12_seed{s}")["tta"] for s in augment_plan.ROUND12_SEEDS)
    ]
    assert_paired("tta-helps", gains)


def test_bn_learning_rate_effect_is_bn_minus_plain_where_the_plain_network_stalls():
    """At the lowest rate at which the plain network's mean training loss over its last 10 steps exceeds 2 nats at
    2 of the 3 tuning seeds; seeds 5-9: BatchNorm's accuracy minus the plain network's on the 10,000 test images."""

    def stalled(lr: float, seed: int) -> bool:
        loss = np.mean(record(f"tune_lr_none_{lr:g}_seed{seed}")["train_loss"][-10:])
        return not np.isfinite(loss) or loss > 2.0

    lr = next(lr for lr in plan.LR_SWEEP if sum(stalled(lr, seed) for seed in (100, 101, 102)) >= 2)
    assert lr == TUNED["bn_stall_lr"]
    gaps = [
        100
        * (
            record(f"lr_batch_{lr}_seed{s}")["test_accuracy_full"]
            - record(f"lr_none_{lr}_seed{s}")["test_accuracy_full"]
        )
        for s in FRESH
    ]
    assert_paired("bn-tolerates-larger-lr", gaps)


def test_bn_batch_statistics_effect_over_five_networks_and_the_shipped_one_by_torchs_own_modes():
    """Seeds 5-9: eval-mode minus one-image train-mode accuracy, paired; the shipped network's figures, recomputed
    with nn.Module's own modes on the 10,000 test images, are those its numbers give."""
    modes = [record(f"bn_modes_seed{s}")["bn_modes"] for s in FRESH]
    assert_paired(
        "bn-needs-batch-statistics",
        [100 * (m["eval mode (running statistics)"] - m["train mode, one image at a time"]) for m in modes],
    )
    run, test = load_run("batchnorm"), load_debian()["test"]
    images, labels = to_tensor(test.images), torch.from_numpy(test.labels)
    with torch.inference_mode():
        model = private_model(run.config, run.final, train=False)
        eval_correct = (model(images).argmax(1) == labels).numpy()
        model.train()
        single = torch.cat([model(images[i : i + 1]) for i in range(len(images))])
        single_correct = (single.argmax(1) == labels).numpy()
    numbers = claims.evidence("bn-needs-batch-statistics").numbers
    assert f"{100 * eval_correct.mean():.1f} % against {100 * single_correct.mean():.1f} %" in numbers


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
    for seed in SEEDS:
        glorot = log2_ratio(nn.init.xavier_normal_, seed)
        kaiming = log2_ratio(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), seed)
        effects.append(abs(glorot) - abs(kaiming))
    found = claims.evidence("kaiming-keeps-variance")
    assert found.effect == pytest.approx(np.mean(effects), rel=0.02)
    assert found.effect > 3  # about 4.5 factors of 2: 9 layers each halving the variance
    assert found.condition_met == all(
        abs(log2_ratio(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), s)) < 1 for s in SEEDS
    )


def test_same_augmentation_effect_is_positive_only_when_the_ranking_flips():
    """Round 12 (seeds 45-49, each of the four networks at its chosen rate, each the planned run): the smaller of the
    fair and the reversal margins' means, with the lower of their t intervals' ends; both must be positive for the
    effect to be."""
    assert augment_plan.ROUND12_SEEDS == (45, 46, 47, 48, 49)
    seeds = augment_plan.ROUND12_SEEDS
    wide, wide_aug, narrow, narrow_aug = (planned(plan.round_arm(arm, 12), seeds) for arm in augment_plan.SAME_ARMS)
    fair = wide_aug - narrow_aug
    if fair.mean() >= 0:
        unfair = wide - narrow_aug
    else:
        fair, unfair = -fair, -(wide_aug - narrow)
    margins = [100 * fair, -100 * unfair]
    intervals = [stats.ttest_1samp(m, 0).confidence_interval(0.95) for m in margins]
    found = claims.evidence("same-augmentation-for-comparison")
    assert found.effect == pytest.approx(min(m.mean() for m in margins), abs=1e-9)
    assert (found.ci_low, found.ci_high) == pytest.approx(
        (min(i.low for i in intervals), min(i.high for i in intervals)), abs=1e-9
    )


def test_recorded_tta_and_ece_equal_a_fresh_computation():
    """The shipped TTA (clean, mirrored, shifted, zoomed) and ECE figures are what the shipped checkpoints give now on
    Debian's 10,000 test images: they cannot drift from the code."""
    test = load_debian()["test"]
    images, labels = to_tensor(test.images), torch.from_numpy(test.labels)
    pixels = torch.from_numpy(test.images.copy()).unsqueeze(1)
    for name in ("small_flip_shift_seed0", "small_dropout_seed1"):
        run = load_run(name)
        model = private_model(run.config, run.final, train=False)
        if name.startswith("small_flip_shift"):
            assert tta_report(model, images, labels) == pytest.approx(run.record["tta"], abs=1e-6)
            assert tta_scales_report(model, images, labels) == pytest.approx(run.record["tta_scales"], abs=1e-6)
            for family, strength in TTA_TEST_SETS:
                views = normalize(transformed_set(pixels, family, strength, INVARIANCE_SEED))
                recorded = run.record["tta_transformed"][f"{family} {strength:g}"]
                assert tta_report(model, views, labels) == pytest.approx(recorded, abs=1e-6)
        fresh = calibration(model, embeddings(model, images), labels.numpy(), 50, 0)
        assert [curve.ece for curve in fresh.values()] == pytest.approx(list(run.record["ece"].values()), abs=1e-6)


def test_no_page_states_a_claim_that_is_not_shown():
    """A claim whose verdict is 'not shown' appears in no page or text as a statement: only via the registry."""
    sources = [TEXTS[key].full + TEXTS[key].short for key in TEXTS]
    sources += [path.read_text() for path in (ROOT / "pages").rglob("*.py")] + [(ROOT / "app.py").read_text()]
    for claim in claims.CLAIMS:
        sentence = claims.sentence(claim.name)
        if claims.verdict(claim.name) == claims.SHOWN:
            assert sentence.startswith(claim.statement)
        else:
            assert sentence.startswith(("**Not shown", "**The opposite")) and claim.differs in sentence
            assert not any(claim.statement in source for source in sources), claim.name


def test_a_projected_not_shown_sentence_keeps_its_reason():
    """The short (projector) sentence of a claim that is not shown says which kind and what it needed."""
    for claim in claims.CLAIMS:
        if claims.verdict(claim.name) == claims.NOT_SHOWN:
            short = claims.sentence(claim.name, short=True)
            assert claim.reason(claims.evidence(claim.name)) in short and "shown needs the interval above 0" in short
            assert claims.evidence(claim.name).text in short


def test_a_real_effect_under_the_minimum_is_called_so(monkeypatch):
    """Not shown with its interval above 0: the sentence says an effect in the lecture's direction is there."""
    name = claims.CLAIMS[0].name
    small = evidence.Evidence(0.5, 0.2, 0.8, "u", 5, "", "t")  # under every accuracy claim's minimum of 1 or 2
    monkeypatch.setattr(claims, "evidence", lambda _: small)
    assert claims.verdict(name) == claims.NOT_SHOWN
    assert "smaller than the minimum" in claims.sentence(name)
    unclear = evidence.Evidence(0.5, -0.2, 1.2, "u", 5, "", "t")
    monkeypatch.setattr(claims, "evidence", lambda _: unclear)
    assert "smaller than the minimum" not in claims.sentence(name)


def test_an_opposite_under_the_minimum_says_how_small_it_is(monkeypatch):
    """The opposite with its whole interval below 0 but a size under the minimum: the sentence gives both."""
    claim = claims.CLAIMS[0]
    for effect, small in ((-0.4, True), (-3.0, False)):
        found = evidence.Evidence(effect, effect - 0.3, effect + 0.3, "u", 5, "", "t")
        monkeypatch.setattr(claims, "evidence", lambda _, found=found: found)
        assert claims.verdict(claim.name) == claims.OPPOSITE
        expected = f"its size ({abs(effect):.2g}) is under the minimum ({claim.minimum:g})"
        assert (expected in claims.sentence(claim.name)) == small


def test_one_number_per_claim_on_every_page():
    """The Lecture claims table and every sentence print the same effect text, from the registry."""
    for row in claims.table():
        assert row["text"] == claims.evidence(row["claim"]).text
        assert row["text"] in claims.sentence(row["claim"]) and row["text"] in claims.sentence(row["claim"], True)


def test_the_wrong_sentences_are_gone():
    """Sentences an audit found false or unmeasured are no longer in any text, claim, page or README."""
    every_text = " ".join(TEXTS[key].full + " " + TEXTS[key].short for key in TEXTS)
    every_text += " ".join(claim.differs + claim.statement for claim in claims.CLAIMS)
    every_text += " ".join(path.read_text() for path in [*(ROOT / "pages").rglob("*.py"), ROOT / "README.md"])
    for wrong in (
        "which erases what tells the classes apart",
        "keeps tanh's spread",
        "drags the average down",
        "so the views mostly agree",
        "should use the augmentations the network was trained with",
        "measures the augmentation, not the network",
        "dropout and BatchNorm often do not combine well",
        "grows over-confident on the images it gets wrong",
        "the 3 points the lecture's examples show",
        "signal from collapsing or exploding, so the network trains faster",
        "Every convolution is followed by BatchNorm, which undoes",
        "its bars sit below",
        "keeps every layer's input at mean 0, std 1",
        "every layer keeps std 1",
        "as in the GroupNorm paper's figure",
        "One image at a time in train mode normalizes every image with its own statistics: the prediction depends",
        "never sees exactly the same input twice",
    ):
        assert wrong not in every_text


def at_best_rate(runs: list[dict], **arm) -> np.ndarray:
    """Test accuracy per seed of the arm's run with the lowest validation loss, found by hand."""
    accuracies = []
    for seed in sorted({r["seed"] for r in runs}):  # the experiment's five seeds
        found = [r for r in runs if r["seed"] == seed and all(
            (r["model"][k[6:]] if k.startswith("model_") else r[k]) == v for k, v in arm.items())]  # fmt: skip
        finished = [r for r in found if r["val_loss"] is not None]
        accuracies.append(min(finished, key=lambda r: r["val_loss"])["test_accuracy"])
    return np.array(accuracies)


def test_input_normalization_effect_is_standardized_minus_unit_each_at_its_chosen_rate():
    """Round 13: 43 rates (1, 1.5, 2, 3, 5, 7 per decade) per kind of input on fresh seeds 55-64, each holding out
    its own draw of images; per seed the rate with the lowest validation loss; standardized minus [0, 1], isolating
    the standardization from the ×255 scale."""
    runs = record("mlp_input_round13")["runs"]
    assert len(runs) == 10 * 3 * 43 and {r["seed"] for r in runs} == set(range(55, 65))
    assert {(r["seed"], r["split_seed"]) for r in runs} == {(s, plan.small_data_seed(s)) for s in range(55, 65)}
    effect = 100 * (at_best_rate(runs, inputs="standard") - at_best_rate(runs, inputs="unit"))
    assert_paired("input-normalization-helps-training", effect)


def test_deep_networks_effect_is_batchnorm_minus_plain_at_fifty_layers_both_kaiming():
    """Round 7: depth 50 alone at seeds 5-9, both with Kaiming initialization, each network at the rate its
    validation chose, per seed."""
    runs = record("mlp_depth_verdict")["runs"]
    assert {r["model"]["init"] for r in runs} == {"kaiming"} and {r["model"]["depth"] for r in runs} == {50}
    assert {r["seed"] for r in runs} == {5, 6, 7, 8, 9} and len(runs) == 5 * 2 * 8
    effect = 100 * (
        at_best_rate(runs, model_norm="batch", model_depth=50) - at_best_rate(runs, model_norm="none", model_depth=50)
    )
    assert_paired("bn-trains-deep-nets", effect)


def test_dropout_time_effect_is_the_mean_log_ratio_of_epochs_to_each_seeds_target():
    """Round 11, 30 epochs at seeds 40-44 and 65-69, each on its own draw, dropout at p = 0.5 (validation's choice):
    each validation averaged with up to three before it and placed at their mean epoch; per seed the target is 98 %
    of the lower of its two runs' best average; the effect is e^mean(log ratio) - 1, its interval t on the logs."""
    assert slow_plan.LONG_SLOW_SEEDS == (40, 41, 42, 43, 44, 65, 66, 67, 68, 69) and slow_plan.LONG_SLOW_P == 0.5
    seeds = slow_plan.LONG_SLOW_SEEDS
    runs = {arm: [record(f"slow_long_{arm}_seed{s}") for s in seeds] for arm in ("none", "dropout0.5")}
    assert {r["model"]["dropout"] for r in runs["dropout0.5"]} == {0.5} and len(
        {r["data_seed"] for r in runs["none"]}
    ) == 10
    assert [r["data_seed"] for r in runs["none"]] == [r["data_seed"] for r in runs["dropout0.5"]]

    def smoothed(r: dict) -> tuple[list[float], list[float]]:
        epochs = [step * 128 / 10_000 for step in r["epoch_steps"]]
        windows = [slice(max(0, k - 3), k + 1) for k in range(len(epochs))]
        return [np.mean(epochs[w]) for w in windows], [np.mean(r["epoch_val_accuracy"][w]) for w in windows]

    logs = []
    for none, dropout in zip(runs["none"], runs["dropout0.5"]):
        curves = [smoothed(none), smoothed(dropout)]
        target = 0.98 * min(max(accuracy) for _, accuracy in curves)
        first = [next(e for e, a in zip(*curve) if a >= target) for curve in curves]
        logs.append(np.log(first[1] / first[0]))
    logs = np.array(logs)
    half = stats.t.ppf(0.975, len(logs) - 1) * logs.std(ddof=1) / np.sqrt(len(logs))
    found = claims.evidence("dropout-trains-slower")
    expected = 100 * np.expm1([logs.mean(), logs.mean() - half, logs.mean() + half])
    assert [found.effect, found.ci_low, found.ci_high] == pytest.approx(expected, abs=1e-9)
    assert found.seeds == 10 and "paired t over 10 seeds on log ratios" in found.text


def test_checkpoint_ensemble_effect_is_one_networks_error_minus_all_its_checkpoints_averaged():
    """Round 10's softmax outputs on the 10,000 test images, 100 epochs at seeds 35-39: the single network against
    the mean of all 5 checkpoints of its seed's snapshot run."""
    labels = load_debian()["test"].labels
    assert (np.load(RUNS_DIR / "test_labels.npy") == labels).all()  # the labels the app ships score the same

    def error(name: str) -> float:
        probs = np.load(RUNS_DIR / f"{name}.npz")["probs"].astype(np.float32)
        assert probs.shape == (5 if "snapshot" in name else 1, 10_000, 10)
        return float((probs.mean(0).argmax(-1) != labels).mean())

    effect = [100 * (error(f"ckpt_long_single_seed{s}") - error(f"ckpt_long_snapshot_seed{s}")) for s in range(35, 40)]
    assert_paired("checkpoint-ensemble-helps", effect)
