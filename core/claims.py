"""The lecture's claims, each with the evidence this app's own experiments give for it.

Every claim names its slide, the page section that shows it, and a measurement (``core.measures``,
``core.decay_measures``, ``core.dropout_measures``, ``core.mc_measures``, ``core.time_measures``): the effect in the
lecture's direction (positive: the claim holds here), its 95 % interval (Student's t over the paired per-seed
effects, or a paired bootstrap over the test images where one network or ensemble is compared with another) and the
unit. One rule for every claim (``core.claim_rules.RULE``): *shown* when the interval lies above 0 and the effect
reaches the claim's minimum, stated in the registry; *the opposite* when the interval lies below 0; *not shown*
otherwise, and then either *the claim fails here* (the interval lies below the minimum, or a stated condition fails)
or *this test cannot see it* (the interval still holds the minimum). Pages state a claim only through ``sentence``,
so they can never say more than the records show.

``python -m core.claims --tsv`` prints the table.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import plotly.graph_objects as go

from core import augment_measures, decay_measures, dropout_measures, figures, labs, mc_measures, measures, time_measures
from core.evidence import Evidence, significant
from core.labs import BatchNormTab, MCDropoutTab, RegularizationTab, StudioTab
from core.runs import RUNS_DIR, load_summary

SHOWN, NOT_SHOWN, OPPOSITE = "shown", "not shown", "the opposite"
FAILS, UNSEEN = "the claim fails here", "this test cannot see it"  # the two kinds of "not shown"


@dataclass(frozen=True)
class Claim:
    name: str
    statement: str  # the lecture's sentence, stated only when shown
    slide: str  # where the lecture says it
    section: StrEnum  # the tab that shows it (a member of a lab's tabs in core.labs)
    minimum: float  # the smallest effect that counts as clearly non-zero, in the evidence's unit
    differs: str  # what this small network does instead, said when the claim is not shown; guesses worded as such
    measure: Callable[[Path], Evidence]

    @property
    def page(self) -> str:
        """The page file of the lab whose tab ``section`` is."""
        return labs.BY_TABS[type(self.section)].page

    def verdict(self, evidence: Evidence) -> str:
        if evidence.ci_high < 0:
            return OPPOSITE
        holds = evidence.condition_met and evidence.ci_low > 0 and evidence.effect >= self.minimum
        return SHOWN if holds else NOT_SHOWN

    def reason(self, evidence: Evidence) -> str:
        """Why a claim is not shown: it fails here, or this test cannot see it ("" when shown or the opposite)."""
        if self.verdict(evidence) != NOT_SHOWN:
            return ""
        return FAILS if evidence.ci_high < self.minimum or not evidence.condition_met else UNSEEN

    def label(self, evidence: Evidence) -> str:
        """The verdict as a table or a link shows it: a mark, the verdict, and which kind of "not shown"."""
        verdict = self.verdict(evidence)
        if verdict == SHOWN:
            return "✓ shown"
        if verdict == OPPOSITE:
            return "✗ the opposite"
        return f"⚠ not shown: {self.reason(evidence)}"


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "augmentation-buys-invariance",
        "Training with augmentation makes the classifier far less sensitive to the changes of pose it simulates: "
        "it loses far less of its accuracy when the test item is shifted or mirrored.",
        "Data augmentation",
        RegularizationTab.SMALL_DATA,
        2.0,
        "The augmented networks do not lose clearly less accuracy on the transformed test images than the others "
        "(the numbers say by how much).",
        measures.invariance_evidence,
    ),
    Claim(
        "augmentation-generalizes",
        "Training with data augmentation improves test accuracy when data are scarce.",
        "Data augmentation",
        RegularizationTab.SMALL_DATA,
        1.0,
        "On the clean test images the recipe's gain is not clear of 0 or of the minimum (the interval says which); "
        "the table of other regimes (training-set size, BatchNorm on/off, one seed each) shows how far they got.",
        measures.augmentation_evidence,
    ),
    Claim(
        "augmentation-shrinks-gap",
        "Augmentation reduces over-fitting: the gap between training and test accuracy shrinks, and the test "
        "accuracy or the test loss improves with it.",
        "Data augmentation",
        RegularizationTab.SMALL_DATA,
        1.0,
        "A smaller gap alone is not less over-fitting: the numbers say whether the test figures moved, or only "
        "the training accuracy fell.",
        measures.gap_evidence,
    ),
    Claim(
        "dropout-regularizes",
        "Dropout (its rate and p chosen on validation) reduces over-fitting: higher test accuracy than the same "
        "network without it.",
        "Dropout",
        RegularizationTab.SMALL_DATA,
        1.0,
        "At the rate and p validation chose, dropout leaves the test accuracy about where it was (the interval lies "
        "below the minimum); both networks still fit every training image, and with dropout the test loss and ECE are "
        "higher. Its only dropout layer sits before the last linear layer, after every BatchNorm (the published "
        "argument against combining them, a variance shift, concerns dropout before BatchNorm). A guess, not measured: "
        "one dropout layer at the end leaves the convolutions free to memorize 500 images.",
        dropout_measures.dropout_evidence,
    ),
    Claim(
        "weight-decay-regularizes",
        "Weight decay (AdamW; rate and λ chosen on validation) improves test accuracy over training without it.",
        "Weight decay",
        RegularizationTab.WEIGHT_DECAY,
        1.0,
        "At the rate and λ validation chose (round 8's choices, re-run at ten fresh seeds in round 14), decay's "
        "effect on test accuracy lies below the minimum, its interval around 0 (ahead at 5 of 10 seeds), and AdamW at "
        "the λ that tied on validation does no better. The decay does act: it roughly halves the final weights and "
        "lowers the test loss at every seed (the numbers). Round 8's five seeds, where AdamW trailed at every seed, "
        "and round 7's, where it led by 0.1 points, are reported beside.",
        decay_measures.weight_decay_evidence,
    ),
    Claim(
        "weight-decay-regularizes-sgd",
        "Weight decay with SGD (momentum 0.9; its rate and λ chosen together on validation) improves test accuracy "
        "over the same training without it.",
        "Weight decay",
        RegularizationTab.WEIGHT_DECAY,
        1.0,
        "At the rate and λ validation chose, decay's effect on test accuracy is not clear of 0 or of the minimum "
        "(the interval says which). The decay does act (the numbers): it shrinks the final weights to less than half "
        "and lowers the test loss at every seed. On the tuning seeds' validation images λ 0.01 was about a point "
        "ahead of SGD without decay; on the 10,000 test images that lead is gone.",
        decay_measures.sgd_decay_evidence,
    ),
    Claim(
        "early-stopping-helps",
        "Early stopping (the weights of the highest validation accuracy, evaluated every epoch, in a run at a "
        "constant learning rate) gives a better test accuracy than training to the end of the run.",
        "Early stopping",
        RegularizationTab.EARLY_STOPPING,
        1.0,
        "The weights of the highest validation accuracy score no better on the test images than the end of the run. "
        "After the validation loss turns, the test loss rises while the test accuracy holds (the weights of the "
        "lowest validation loss, taken before the turn, score below the end on average, though not clearly at these "
        "seeds): the loss says stop, the accuracy does not. The runs are at a constant rate, so neither the "
        "stopped weights nor the end were annealed; in round 2's cosine runs (the numbers), where the end is "
        "annealed, the lowest-loss weights were less accurate than the end, their interval below 0. A guess, not "
        "measured: after the turn the network grows more confident on the test items it still gets wrong (a higher "
        "loss) while it gets no fewer of them right.",
        measures.early_stopping_evidence,
    ),
    Claim(
        "early-stopping-lowers-test-loss",
        "Early stopping (the weights of the lowest validation loss, evaluated every epoch) keeps a lower test loss "
        "than training to the end of the schedule.",
        "Early stopping",
        RegularizationTab.EARLY_STOPPING,
        0.02,
        "The test loss hardly rises after the validation loss has turned.",
        measures.early_stopping_loss_evidence,
    ),
    Claim(
        "ensemble-averages-errors",
        "Averaging several networks' predictions makes fewer errors than the networks alone.",
        "Ensembles",
        RegularizationTab.ENSEMBLES,
        0.5,
        "The average's gain over a member is not clear of 0 on these test images.",
        measures.ensemble_evidence,
    ),
    Claim(
        "mc-dropout-calibrates",
        "Averaging MC-dropout passes (the slide: 25–100 of them) makes a network's probabilities better than its "
        "prediction with dropout off, by the test loss (cross-entropy: a proper score, which miscalibration raises and "
        "which has no binning floor; Gal & Ghahramani measured the test log-likelihood), for networks trained on "
        "55,000 images, each way at the p its own validation loss chose.",
        "MC dropout",
        MCDropoutTab.CALIBRATION,
        0.005,
        "On networks trained on 55,000 images, each way at the p its own validation loss chose, the MC average does "
        "not lower the test loss by the minimum: it is a little higher at every seed (the numbers give the test loss "
        "and the ECE of each, and temperature scaling, the usual baseline). On the tuning runs' validation images "
        "the MC average's loss is above dropout off's at every p tried and rises with p, so its own measure chooses "
        "the least dropout of the grid, 0.05, where 50 passes differ little from dropout off. A guess, not "
        "measured: with dropout off these networks' ECE is at the floor that binning noise sets on 10,000 test images "
        "(the numbers), so averaging has little miscalibration to mend. On networks trained on 500 images the claim "
        "has its own verdict (mc-dropout-calibrates-small-data).",
        mc_measures.mc_calibration_evidence,
    ),
    Claim(
        "mc-dropout-calibrates-small-data",
        "Averaging MC-dropout passes (the slide: 25–100 of them) makes a network's probabilities better calibrated "
        "(lower ECE) than its prediction with dropout off, for networks trained on 500 images.",
        "MC dropout",
        MCDropoutTab.CALIBRATION,
        0.5,
        "On networks trained on 500 images, at the p validation chose, the MC average does not lower the ECE by the "
        "minimum (the numbers give each, and temperature scaling, the usual baseline).",
        mc_measures.mc_calibration_small_evidence,
    ),
    Claim(
        "tta-helps",
        "Averaging the prediction over test-time views (a mirror and 2-pixel shifts) improves test accuracy, for a "
        "network trained with the same views.",
        "Test-time augmentation",
        MCDropoutTab.TTA,
        0.3,
        "Averaging the views changes the accuracy of the networks trained with them too little to show.",
        mc_measures.tta_evidence,
    ),
    Claim(
        "bn-tolerates-larger-lr",
        "With BatchNorm a network still learns at learning rates that stall the same network without it.",
        "Batch normalization",
        BatchNormTab.LIVE_TRAINING,
        5.0,
        "At this rate BatchNorm's lead over the plain network is not clear (the numbers give each one's accuracy).",
        measures.bn_learning_rate_evidence,
    ),
    Claim(
        "bn-needs-batch-statistics",
        "At test time BatchNorm must use its running averages: normalizing each test image with its own "
        "statistics (train mode, one image at a time) costs accuracy.",
        "BatchNorm at test time",
        BatchNormTab.TRAIN_VS_TEST,
        5.0,
        "Normalizing each test image by its own statistics costs less than the minimum here. A guess, not "
        "measured: the images' own statistics are close to the running averages.",
        measures.bn_batch_statistics_evidence,
    ),
    Claim(
        "kaiming-keeps-variance",
        "With ReLU, Kaiming initialization keeps the activations' spread through depth; Glorot/Xavier halves the "
        "variance at every layer.",
        "Initialization",
        BatchNormTab.INITIALIZATION,
        1.0,
        "Here the two initializations do not behave as the statement says (the numbers give each one's std after "
        "10 layers).",
        measures.kaiming_evidence,
    ),
    Claim(
        "l2-equals-decay-for-sgd",
        "For plain SGD, an L2 penalty in the loss and decoupled weight decay, Θ ← (1 − αλ)Θ − α∇f, are the same "
        "update; with momentum they are not.",
        "Weight decay vs L2",
        RegularizationTab.WEIGHT_DECAY,
        0.01,
        "On this surface the two rules did not behave as the statement says (the numbers say which part).",
        decay_measures.sgd_equivalence_evidence,
    ),
    Claim(
        "l2-differs-from-decay-for-adam",
        "For Adam, L2 in the loss is not weight decay: with each rule's learning rate and λ chosen together on "
        "validation (as Loshchilov & Hutter tuned them), AdamW reaches a higher test accuracy than Adam with L2.",
        "Weight decay vs L2",
        RegularizationTab.WEIGHT_DECAY,
        1.0,
        "The two update rules do differ (the paths above), but with each rule's rate (3e-4 to 3e-2) and λ chosen "
        "together on validation this test cannot tell whether their test accuracies are apart by the minimum: the "
        "interval holds both 0 and the minimum (the numbers; the Weight decay tab's table has every pair's "
        "validation accuracy).",
        decay_measures.adam_difference_evidence,
    ),
    Claim(
        "same-augmentation-for-comparison",
        "Compare networks only under the same augmentation: augmenting only one of them can reverse the ranking.",
        "Data augmentation",
        RegularizationTab.SMALL_DATA,
        1.0,
        "The effect is the smaller of two mean margins over the seeds: the fair ranking (both networks augmented) "
        "and its reversal (only the other one augmented). The numbers say whether the ranking reverses; the "
        "verdict, whether both margins are clearly above 0 and the smaller one reaches the minimum.",
        augment_measures.same_augmentation_evidence,
    ),
    Claim(
        "input-normalization-helps-training",
        "Standardized inputs (the mean subtracted, divided by the std) make the same network train better in the "
        "same budget than the same pixels only scaled to [0, 1].",
        "Data pre-processing",
        StudioTab.PREPROCESSING,
        1.0,
        "With a rate chosen for each kind of input, standardized inputs lead [0, 1] pixels at 9 of 10 seeds, by less "
        "than the minimum; the interval cannot tell whether the lead reaches it. Raw pixels trail far behind.",
        measures.input_normalization_evidence,
    ),
    Claim(
        "bn-trains-deep-nets",
        "With BatchNorm very deep networks are easier to train: at the deepest depth tried the BN network reaches "
        "a higher test accuracy in the same budget than the plain one, both with Kaiming initialization and each "
        "at the learning rate its validation chose.",
        "BN: what do you get?",
        BatchNormTab.DEEP,
        5.0,
        "With the lecture's initialization (Kaiming) and a rate chosen for it, the plain network trains at every depth "
        "tried here. At depth 50 the BatchNorm network's gradient at initialization is thousands of times larger at "
        "its first layer than at its last hidden layer (the numbers, and the gradient figure below), as Yang et al. "
        "(2019) showed for BatchNorm in deep networks without residual connections. A guess, not measured: with "
        "residual connections, as in most very deep networks trained with BatchNorm, the comparison could come out the "
        "other way.",
        measures.deep_networks_evidence,
    ),
    Claim(
        "dropout-trains-slower",
        "Dropout needs more training time: the network with dropout takes more epochs to reach the same validation "
        "accuracy (the lecture: usually about 1.5x; tested here is more, by at least 10 %).",
        "Dropout",
        RegularizationTab.DROPOUT_TIME,
        10.0,
        "Over 30 epochs, at the p validation chose (0.5), dropout takes more epochs to reach 98 % of the weaker arm's "
        "best one-epoch validation accuracy at all 10 seeds (1.12x to 1.62x), and to reach 99 % at 8 of them, but not "
        "to reach that best itself (the numbers). A guess, not measured: both curves level off near their best, so "
        "where each first reaches it is largely chance. Round 4's test (10 epochs, p 0.25, one target shared by all "
        "seeds, every evaluation read alone) could not see the effect.",
        time_measures.long_dropout_time_evidence,
    ),
    Claim(
        "checkpoint-ensemble-helps",
        "Averaging the predictions of one run's checkpoints (a snapshot ensemble) makes fewer errors than the single "
        "network trained for the same time.",
        "Ensembling variants",
        RegularizationTab.CHECKPOINT_ENSEMBLES,
        0.3,
        "At Huang et al.'s 5 cycles, each of 20 epochs (100 in all, half their example's 200 in 5 cycles of 40, "
        "ResNet-110 on CIFAR-100), the average of all 5 checkpoints makes fewer errors than the one network on "
        "average, but the interval holds both 0 and the minimum (the numbers). Each checkpoint alone is now about as "
        "good as the one network, where in round 3's 20 epochs the earlier checkpoints were clearly weaker.",
        time_measures.checkpoint_ensemble_evidence,
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
    """What a page may say about a claim: the lecture's statement only if shown, otherwise what the test found.

    ``short``: the key sentence, for a projector; a "not shown" keeps which kind it is and what it needed.
    """
    claim, found = BY_NAME[name], evidence(name)
    verdict = claim.verdict(found)
    if verdict == SHOWN:
        if short:
            return f"{claim.statement} Here: {found.text}."
        return f"{claim.statement} Here: {found.numbers} (effect {found.text})."
    needed = f"shown needs the interval above 0 and an effect of at least {claim.minimum:g}" + (
        "" if found.condition_met else f", and {found.condition}"
    )
    if verdict == OPPOSITE:
        heading, short_heading = "**The opposite here.**", "The opposite here"
    else:
        heading, short_heading = f"**Not shown: {claim.reason(found)}.**", f"Not shown ({claim.reason(found)})"
    if short:
        return f"{short_heading}: {claim.statement.rstrip('.')} ({found.text}; {needed})."
    small = claim.reason(found) == FAILS and found.ci_low > 0 and found.condition_met  # real, under the minimum
    return (
        f"{heading} The lecture: *{claim.statement}* Here: {found.numbers} (effect {found.text}; {needed}). "
        + ("An effect in the lecture's direction is there (its interval lies above 0), smaller than the minimum. "
           if small else "")
        + (f"The opposite is clear, but its size ({abs(found.effect):.2g}) is under the minimum ({claim.minimum:g}). "
           if verdict == OPPOSITE and abs(found.effect) < claim.minimum else "")
        + claim.differs
    )  # fmt: skip


COLUMNS = ("claim", "slide", "effect", "ci_low", "ci_high", "seeds", "interval", "unit", "verdict")  # --tsv


def table() -> list[dict[str, object]]:
    """One row per claim, for the Lecture claims page and the command line."""
    rows = []
    for claim in CLAIMS:
        found = evidence(claim.name)
        rows.append(
            {
                "label": claim.label(found),
                "claim": claim.name,
                "slide": claim.slide,
                "effect": significant(found.effect),
                "ci_low": significant(found.ci_low),
                "ci_high": significant(found.ci_high),
                "seeds": found.seeds,
                "unit": found.unit,
                "verdict": claim.verdict(found),
                "reason": claim.reason(found),
                "text": found.text,
                "interval": found.interval_of,
                "minimum": claim.minimum,
                "numbers": found.numbers,
                "page": claim.page,
                "section": claim.section,
            }
        )
    return rows


VERDICT_COLOURS = {SHOWN: "#009E73", OPPOSITE: "#D55E00", FAILS: "#E69F00", UNSEEN: "#999999"}


def verdicts_figure(rows: Sequence[dict[str, object]], part_of: Mapping[str, str]) -> go.Figure:
    """How many of each lecture part's claims (``part_of``: claim name -> part, in the lecture's order) this app's
    experiments show, show the opposite of, or do not show (split by why): one stacked bar per part."""
    kind = {row["claim"]: row["reason"] or row["verdict"] for row in rows}
    parts = [part for part in dict.fromkeys(part_of.values()) if any(part_of[claim] == part for claim in kind)]
    traces = []
    for verdict, colour in VERDICT_COLOURS.items():
        counts = [sum(kind[c] == verdict and part_of[c] == part for c in kind) for part in parts]
        traces.append(go.Bar(x=counts, y=parts, orientation="h", name=verdict, marker_color=colour))
    layout = figures.house_layout(60 + 42 * len(parts), "The claims, by part of the lecture")
    layout.update(
        barmode="stack",
        bargap=0.25,
        xaxis=dict(dtick=1),  # a count of claims
        yaxis=dict(autorange="reversed"),  # the lecture's order, top to bottom
        legend=dict(orientation="h", y=-0.12, yanchor="top", traceorder="normal"),
    )
    return go.Figure(traces, layout)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The lecture's claims and what this app's experiments show.")
    parser.add_argument("--tsv", action="store_true", help="tab-separated: " + ", ".join(COLUMNS))
    args = parser.parse_args(argv)
    rows = table()
    if args.tsv:
        print("\t".join(COLUMNS))
        for row in rows:
            print("\t".join(str(row[column]) for column in COLUMNS))
        return
    for row in rows:
        kind = f" ({row['reason']})" if row["reason"] else ""
        print(f"{row['verdict']}{kind}  {row['claim']}: {row['text']}")
        print(f"    {row['numbers']}")


if __name__ == "__main__":
    main()
