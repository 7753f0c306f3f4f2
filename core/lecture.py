"""The lecture, slide by slide: for each topic of *Data Augmentation and Advanced Regularization*, in the slides'
order, the lab tab that shows it, the settings that show its point, one sentence on what the view shows, and the
claim of the registry (core.claims) that tests it. The Lecture page lists them; while presenting, every opened view
links to the previous and next slide.

A slide without a demo in this app says why, in one sentence, instead of linking anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from core.arms import SMALL_LABELS
from core.labs import BY_TABS, OVERCONFIDENT_LABEL, BatchNormTab, MCDropoutTab, RegularizationTab, StudioTab

SLIDE_KEY = "slide"  # the query parameter that marks a view opened from the lecture (its slide's number, from 1)
CLAIMS_PAGE = "lecture_claims"  # the page of the last slide, "What do we know so far"


@dataclass(frozen=True)
class Slide:
    part: str  # the lecture's part the slide belongs to
    title: str  # the slide's topic, as the lecture names it
    shows: str  # one sentence: what the opened view shows (or, without a view, why there is none)
    view: StrEnum | None = None  # the lab tab that shows it (None: no demo in this app)
    settings: Mapping[str, str | list[str]] = field(default_factory=dict)  # query parameters of the view
    claims: tuple[str, ...] = ()  # the registry's claims that test the slide
    # The key of the element that shows the slide's point (its class is st-key-<figure>): presenting, the view
    # opens with it wholly on the projected screen, scrolled to it if the view holds more above it.
    figure: str = ""


RECAP, PRE, AUG, REG, DROP, MC, BN, NORMS, KNOW = (
    "Recap",
    "Data pre-processing",
    "Data augmentation",
    "Regularization",
    "Dropout",
    "MC dropout",
    "Batch normalization",
    "Other normalizations",
    "What we know",
)

SLIDES: tuple[Slide, ...] = (
    Slide(
        RECAP,
        "Softmax and sigmoid",
        "One test item's ten scores from the trained network, their exponentials, and the probabilities softmax "
        "makes of them; the sigmoid of the true class's score beside.",
        BatchNormTab.NONLINEARITIES,
        {"softmax_item": "0"},
        figure="softmax",
    ),
    Slide(
        RECAP,
        "Activation functions: saturation and dead units",
        "Sigmoid, tanh, ReLU and Leaky ReLU with their derivatives, and how much gradient reaches the first layer.",
        BatchNormTab.NONLINEARITIES,
        figure="activation_curves",
    ),
    Slide(
        RECAP,
        "Weight initialization",
        "Activations through ten ReLU layers: too small an init lets them vanish, Kaiming keeps their spread.",
        BatchNormTab.INITIALIZATION,
        {"init_activation": "relu", "init_scheme": "Kaiming"},
        ("kaiming-keeps-variance",),
        figure="depth",
    ),
    Slide(
        PRE,
        "Subtract the mean image or the per-channel mean",
        "A photo before and after the mean image (AlexNet) and v2.Normalize (VGG), and the same network trained on "
        "raw, [0, 1] and standardized inputs.",
        StudioTab.PREPROCESSING,
        claims=("input-normalization-helps-training",),
        figure="pictures4-preprocessed",
    ),
    Slide(
        AUG,
        "Label-preserving transformations",
        "Four random views of one photo through a flip and a random crop: the same label every time.",
        StudioTab.PIPELINE,
        {"chain": ["Horizontal flip", "RandomResizedCrop"], "count": "4"},
        figure="pictures5-samples",
    ),
    Slide(
        AUG,
        "Flip, crop, scale",
        "One geometric transform, drawn many times, with what was drawn under each sample.",
        StudioTab.ONE_TRANSFORM,
        {"one_group": "Geometric", "one.geometric": "RandomResizedCrop", "count": "4"},
        figure="pictures5-samples",
    ),
    Slide(
        AUG,
        "Colour and brightness",
        "One photometric transform (ColorJitter), drawn many times.",
        StudioTab.ONE_TRANSFORM,
        {"one_group": "Photometric", "one.photometric": "ColorJitter", "count": "4"},
        figure="pictures5-samples",
    ),
    Slide(
        AUG,
        "Is it still the same label?",
        "Transforms that can change what a picture shows, measured on Fashion-MNIST items.",
        StudioTab.LABEL_PRESERVING,
        figure="six_or_nine",
    ),
    Slide(
        AUG,
        "TrivialAugment and RandAugment",
        "TrivialAugmentWide's operations at every magnitude bin: what one draw can do to a photo.",
        StudioTab.TRIVIAL_AUGMENT,
        figure="trivial_augment_picture",
    ),
    Slide(
        AUG,
        "CutMix and MixUp",
        "Two photos mixed, with the label mixed in the same proportion.",
        StudioTab.MIXING,
        figure="pictures4-mixed",
    ),
    Slide(
        AUG,
        "Augmentation on scarce data",
        "The same CNN trained on 500 images with and without augmentation: accuracy on clean and on shifted or "
        "mirrored test images.",
        RegularizationTab.SMALL_DATA,
        claims=("augmentation-buys-invariance", "augmentation-generalizes", "augmentation-shrinks-gap"),
        figure="invariance",
    ),
    Slide(
        AUG,
        "Compare networks under the same augmentation",
        "Two widths, each trained with and without augmentation, and whether an unequal comparison flips them.",
        RegularizationTab.SMALL_DATA,
        claims=("same-augmentation-for-comparison",),
        figure="table-same",
    ),
    Slide(
        AUG,
        "Memory vs speed",
        "The pipeline applied on the fly against reading stored copies, timed on this server.",
        StudioTab.MEMORY,
        figure="measure",
    ),
    Slide(
        AUG,
        "Test-time augmentation: crops",
        "The ten crops (corners, centre and their mirrors) a network averages at test time.",
        StudioTab.TEST_TIME_CROPS,
        figure="pictures5-crops",
    ),
    Slide(
        AUG,
        "Test-time augmentation: averaging views",
        "One network's prediction averaged over views, on clean, mirrored and shifted test images.",
        MCDropoutTab.TTA,
        claims=("tta-helps",),
        figure="table-tta",
    ),
    Slide(
        REG,
        "Weight decay and L2",
        "SGD with L2 in the loss and with decoupled decay: the same path, until momentum or Adam enter.",
        RegularizationTab.WEIGHT_DECAY,
        {"decay": "1.0"},
        ("l2-equals-decay-for-sgd", "weight-decay-regularizes", "weight-decay-regularizes-sgd"),
        figure="paths",
    ),
    Slide(
        REG,
        "L2 is not weight decay for Adam",
        "Adam with L2 and AdamW on the CNN: weight norms and test accuracy.",
        RegularizationTab.WEIGHT_DECAY,
        claims=("l2-differs-from-decay-for-adam",),
        figure="decay_accuracy",
    ),
    Slide(
        REG,
        "Early stopping",
        "Training, validation and test loss over epochs, with where early stopping stops and what it keeps.",
        RegularizationTab.EARLY_STOPPING,
        claims=("early-stopping-helps", "early-stopping-lowers-test-loss"),
        figure="es",
    ),
    Slide(
        REG,
        "Ensembles",
        "The average of several networks against the networks alone, and why correlated errors limit it.",
        RegularizationTab.ENSEMBLES,
        claims=("ensemble-averages-errors",),
        figure="ensemble",
    ),
    Slide(
        REG,
        "Ensembling variants: checkpoints",
        "One run's checkpoints averaged, against one network and independent short ones at the same cost.",
        RegularizationTab.CHECKPOINT_ENSEMBLES,
        claims=("checkpoint-ensemble-helps",),
        figure="checkpoints",
    ),
    Slide(
        DROP,
        "Dropout and the weight-scaling rule",
        "The lecture's two-input unit: dropout's expectation, and PyTorch's inverted scaling, by real draws.",
        MCDropoutTab.BASICS,
        figure="weight_scaling",
    ),
    Slide(
        DROP,
        "Dropout reduces over-fitting",
        f"The same CNN on 500 images with and without {SMALL_LABELS['dropout']}: training and test accuracy over "
        "seeds.",
        RegularizationTab.SMALL_DATA,
        {"reg_arms": [SMALL_LABELS["none"], SMALL_LABELS["dropout"]]},  # pills bound to the link by their labels
        ("dropout-regularizes",),
        figure="small_curves",
    ),
    Slide(
        DROP,
        "Co-adaptation: many models in one",
        "Two fixed dropout masks, two sub-networks of the trained model: how often each is right, how often they "
        "agree, and their average (below the weight-scaling rule).",
        MCDropoutTab.BASICS,
        figure="subnetworks",
    ),
    Slide(
        DROP,
        "Dropout needs more training time",
        "Epochs to the same validation accuracy with and without dropout, 10 seeds.",
        RegularizationTab.DROPOUT_TIME,
        claims=("dropout-trains-slower",),
        figure="dropout_time",
    ),
    Slide(
        MC,
        "MC dropout: many passes",
        "One item, many dropout passes: the spread of the class probabilities.",
        MCDropoutTab.PREDICTION,
        {"mc_class": "Shirt", "mc_index": "107"},
        figure="distribution",
    ),
    Slide(
        MC,
        "Uncertainty under a changing input",
        "An item rotated or brightened step by step: entropy and mutual information rise.",
        MCDropoutTab.PERTURBATION,
        figure="perturbation",
    ),
    Slide(
        MC,
        "In and out of distribution",
        "Fashion-MNIST items against photos and noise: the passes disagree more away from the training data.",
        MCDropoutTab.IN_VS_OUT,
        figure="ood_mi",
    ),
    Slide(
        MC,
        "Calibration",
        "Reliability diagrams with dropout off and for the MC average, on an over-confident network.",
        MCDropoutTab.CALIBRATION,
        {"mc_calibration_net": OVERCONFIDENT_LABEL},
        ("mc-dropout-calibrates-small-data", "mc-dropout-calibrates"),
        figure="reliability",
    ),
    Slide(
        BN,
        "Internal covariate shift",
        "What enters each non-linearity over training steps, plain against BatchNorm, from the recorded runs.",
        BatchNormTab.ACTIVATIONS,
        {"bn_step": "100"},
        figure="histograms",
    ),
    Slide(
        BN,
        "The BatchNorm transform",
        "The formula on one channel of a real batch: mean, variance, normalized values, γ and β.",
        BatchNormTab.FORMULA,
        figure="table-formula",
    ),
    Slide(
        BN,
        "The network can learn to undo the normalization",
        "Each channel's learned γ and β beside the batch's σ_B and μ_B (below the formula): how far the trained "
        "network went towards undoing it.",
        BatchNormTab.FORMULA,
        figure="undo",
    ),
    Slide(
        BN,
        "Training vs test time",
        "Running averages against batch statistics at test time, and how small batches spoil them.",
        BatchNormTab.TRAIN_VS_TEST,
        {"rs_batch": "2"},
        ("bn-needs-batch-statistics",),
        figure="running",
    ),
    Slide(
        BN,
        "Larger learning rates",
        "Plain and BatchNorm networks trained live from the same seed; then a rate that stalls the plain one.",
        BatchNormTab.LIVE_TRAINING,
        {"lr": "0.2"},
        ("bn-tolerates-larger-lr",),
        figure="lr_sweep",
    ),
    Slide(
        BN,
        "Very deep networks",
        "Plain and BatchNorm MLPs of depth 4 to 50, both with Kaiming init, each at its own best rate.",
        BatchNormTab.DEEP,
        claims=("bn-trains-deep-nets",),
        figure="depth_accuracy",
    ),
    Slide(
        BN,
        "Dropout and BatchNorm together",
        "A dropout layer before and after a BatchNorm layer on real activations: the variance BatchNorm learns in "
        "training against what it meets at test time (the shift; its cost in accuracy is not measured).",
        MCDropoutTab.BASICS,
        {"mc_p": "0.5"},
        figure="variance_shift",
    ),
    Slide(
        NORMS,
        "Layer, instance and group normalization",
        "Which values share one mean and variance in each normalization, on a real batch of activations.",
        BatchNormTab.OTHER_NORMS,
        figure="norm_cube",
    ),
    Slide(
        KNOW,
        "What do we know so far?",
        "Every claim of the lecture with what this app's experiments measure and a verdict.",
        figure="verdicts",
    ),
)


def claim_parts() -> dict[str, str]:
    """Each registry claim's lecture part (that of the first slide naming it), in the lecture's order."""
    parts: dict[str, str] = {}
    for slide in SLIDES:
        for claim in slide.claims:
            parts.setdefault(claim, slide.part)
    return parts


def slide_query(index: int, projector: bool) -> dict[str, str | list[str]]:
    """The query parameters that open slide ``index`` (from 0): its tab, its settings, its number."""
    slide = SLIDES[index]
    query: dict[str, str | list[str]] = {}
    if slide.view is not None:
        query[BY_TABS[type(slide.view)].tab_key] = str(slide.view)
    query.update(slide.settings)
    query[SLIDE_KEY] = str(index + 1)
    if projector:
        query["projector"] = "true"
    return query


def slide_page(index: int) -> str | None:
    """The page file that shows slide ``index``: its lab's, the claims page for the last one, None without a demo."""
    slide = SLIDES[index]
    if slide.view is not None:
        return BY_TABS[type(slide.view)].page
    return f"pages/{CLAIMS_PAGE}.py" if slide.part == KNOW else None


def slide_from_query(value: str | None) -> int | None:
    """The slide index (from 0) a view's ``?slide=`` names, or None when it names none or no valid one."""
    if value is None or not value.isdigit() or not 1 <= int(value) <= len(SLIDES):
        return None
    return int(value) - 1


def neighbours(index: int) -> tuple[int | None, int | None]:
    """The previous and next slides that open a view (a slide without a demo is skipped when presenting)."""
    shown = [i for i in range(len(SLIDES)) if slide_page(i) is not None]
    before = [i for i in shown if i < index]
    after = [i for i in shown if i > index]
    return (before[-1] if before else None), (after[0] if after else None)
