"""Regularization Lab: augmentation and regularizers on scarce data, L2 vs weight decay, early stopping, ensembles."""

import numpy as np
import streamlit as st
import torch

from app import (
    claim_note,
    explain,
    fashion_subset,
    plot,
    precomputed,
    shipped_model,
    shipped_probs,
    shipped_record,
    tabs_ui,
    use_router,
)
from core.claims import kept_dose
from core.data import CLASSES, SUBSET_PER_CLASS
from core.figures import (
    disagreement_figure,
    early_stopping_figure,
    invariance_figure,
    lines_figure,
    paths_figure,
    seed_band_figure,
)
from core.invariance import FAMILIES, ItemView, invariance_series, item_answers
from core.mc_dropout import fashion_position
from core.regularization import (
    PATH_DECAYS,
    PATH_LEARNING_RATES,
    PATH_STEPS,
    SURFACES,
    across_seeds,
    arm_summary,
    decay_rows,
    disagreement,
    early_stopping,
    early_stopping_losses,
    early_stopping_rows,
    ensemble_series,
    error_correlation,
    grid_rows,
    same_augmentation_rows,
    squared_errors,
    surface_grid,
)
from core.train import (
    AUGMENTATION_LABELS,
    DECAY,
    DECAYS,
    ENSEMBLE_SIZE,
    GRID,
    INVARIANCE_ARMS,
    MC_PASSES,
    RECIPE,
    SEEDS,
    SMALL,
    SMALL_IMAGES,
    SMALL_LABELS,
    grid_name,
)

use_router()

PER_EPOCH = SMALL_IMAGES // SMALL.batch_size  # steps per epoch of the small-data runs
WITH, WITHOUT = AUGMENTATION_LABELS[RECIPE], AUGMENTATION_LABELS["none"]


def seed_records(arm: str) -> list[dict]:
    """The small-data records of one training choice, one per seed."""
    return [shipped_record(f"small_{arm}_seed{seed}") for seed in SEEDS]


def curves(arm: str, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return across_seeds(seed_records(arm), key, PER_EPOCH)


ITEM_NETWORKS = {"without": "none", "with": RECIPE}  # seed 0 of each: the item demo's two networks
ITEM = ("Ankle boot", 146)  # the demo's first item: one where the two networks differ (mirrored, shifted 4 px)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_item_views(position: int) -> list[ItemView]:
    """One test item under each of ITEM_VIEWS, with both networks' answers (computed once per item)."""
    pixels = torch.from_numpy(fashion_subset()["test"].images[position : position + 1].copy())
    models = {short: shipped_model(f"small_{arm}_seed0") for short, arm in ITEM_NETWORKS.items()}
    return item_answers(pixels, int(fashion_subset()["test"].labels[position]), models, CLASSES)


def item_ui() -> None:
    """A test item a student picks, moved as the transformed test sets move it, with both networks' answers."""
    left, right = st.columns(2)
    name = left.selectbox("Class", CLASSES, index=CLASSES.index(ITEM[0]), key="inv_class", bind="query-params")
    index = right.slider("Item", 0, SUBSET_PER_CLASS["test"] - 1, ITEM[1], key="inv_item", bind="query-params")
    test = fashion_subset()["test"]
    views = cached_item_views(fashion_position(test.labels, CLASSES.index(name), index))
    for row in range(0, len(views), 4):
        for column, view in zip(st.columns(4), views[row : row + 4]):
            column.image(view.picture, caption=view.label, width="stretch")
            column.markdown("  \n".join(f":{'green' if a[0] == '✓' else 'red'}[{a}]" for a in view.answers))


def invariance_section() -> None:
    st.subheader("Does augmentation keep the network right when the item moves?")
    explain("reg.invariance", "caption")
    reports = {AUGMENTATION_LABELS[arm]: [r["invariance"] for r in seed_records(arm)] for arm in INVARIANCE_ARMS}
    titles = {family: spec.unit for family, spec in FAMILIES.items()}
    plot("invariance", invariance_figure, invariance_series(reports), titles)
    claim_note("augmentation-buys-invariance")
    explain("reg.invariance_item", "caption", without=WITHOUT, recipe=WITH)
    item_ui()


@st.fragment
def small_data_section() -> None:
    explain("reg.small_data")
    invariance_section()
    st.subheader("Clean test images: accuracy and over-fitting")
    chosen = st.pills(
        "Training choices",
        list(SMALL_LABELS),
        default=["none", "flip_shift", RECIPE],
        selection_mode="multi",
        format_func=SMALL_LABELS.get,
        key="reg_arms",
        bind="query-params",
    )
    series, dashed = {}, []
    for arm in chosen or ["none"]:
        series[f"{SMALL_LABELS[arm]}: validation"] = curves(arm, "val_accuracy")
        series[f"{SMALL_LABELS[arm]}: training"] = curves(arm, "train_accuracy")
        dashed.append(f"{SMALL_LABELS[arm]}: training")
    plot("small_curves", seed_band_figure, series, "epoch", "accuracy (mean ± std over 3 seeds)", dashed=dashed)
    st.dataframe([arm_summary(label, seed_records(arm)) for arm, label in SMALL_LABELS.items()], hide_index=True)
    for claim in ("augmentation-generalizes", "augmentation-shrinks-gap", "dropout-regularizes"):
        claim_note(claim)
    explain("reg.grid", "caption", recipe=WITH)
    pairs = [tuple(shipped_record(grid_name(images, model, arm)) for arm in ("none", RECIPE)) for images, model in GRID]
    st.dataframe(grid_rows(pairs), hide_index=True)
    st.subheader("Compare networks under the same augmentation")
    explain("reg.same_augmentation", "caption")
    arms = ("none", "flip_shift", "narrow_none", "narrow_flip_shift")
    st.dataframe(same_augmentation_rows({arm: seed_records(arm) for arm in arms}, SMALL_LABELS), hide_index=True)
    claim_note("same-augmentation-for-comparison")


@st.cache_data(max_entries=len(SURFACES), show_spinner=False)
def cached_surface_grid(surface: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return surface_grid(SURFACES[surface])  # the contour's 120×120 loss values, once per surface


@st.fragment
def weight_decay_section() -> None:
    explain("reg.decay")
    surface = st.segmented_control(
        "Loss surface",
        list(SURFACES),
        default="ill-conditioned quadratic",
        required=True,
        key="surface",
        bind="query-params",
    )
    left, middle, right = st.columns(3)
    lr = left.select_slider("Learning rate", PATH_LEARNING_RATES, value=0.02, key="opt_lr", bind="query-params")
    decay = middle.select_slider("λ", PATH_DECAYS, value=0.5, key="decay", bind="query-params")
    steps = right.slider("Steps", 10, PATH_STEPS, 200, 10, key="opt_steps", bind="query-params")
    paths = {label: path[: steps + 1] for label, path in precomputed().paths(surface, lr, decay).items()}
    labels = list(paths)
    plot("paths", paths_figure, *cached_surface_grid(surface), paths, dashed=labels[1::2])
    gaps = [float(np.abs(paths[labels[i]] - paths[labels[i + 1]]).max()) for i in (0, 2, 4)]
    for column, title, gap in zip(st.columns(3), ("plain SGD", "SGD momentum 0.9", "Adam vs AdamW"), gaps):
        column.metric(f"{title}: gap", f"{gap:.2g}", help="largest distance between the L2 and the decoupled path")
    claim_note("l2-equals-decay-for-sgd")
    st.subheader("The same on the CNN (recorded, 500 images, 3 seeds)")
    adamw = f"adamw_{DECAY}"
    runs = {"Adam, λ = 0": "none", f"Adam + L2, λ = {DECAY}": "adam_l2", f"AdamW, λ = {DECAY}": adamw}
    norms = {label: curves(arm, "weight_norm") for label, arm in runs.items()}
    ends = {arm.removesuffix(f"_{DECAY}"): norms[label][1][-1] for label, arm in runs.items()}
    l2_train = np.mean([r["kept"]["train_accuracy"] for r in seed_records("adam_l2")])
    explain("reg.decay_cnn", "caption", decay=DECAY, start=norms["Adam, λ = 0"][1][0], l2_train=l2_train, **ends)
    left, right = st.columns(2)
    plot("weight_norm", seed_band_figure, norms, "epoch", "‖weights‖₂", height=360, container=left)
    accuracies = {label: curves(arm, "test_accuracy") for label, arm in runs.items()}
    plot("decay_accuracy", seed_band_figure, accuracies, "epoch", "test accuracy", height=360, container=right)
    claim_note("l2-differs-from-decay-for-adam")
    st.subheader("Three doses of AdamW's decay")
    explain("reg.decay_doses", "caption")
    doses = {decay: seed_records(f"adamw_{decay}") for decay in DECAYS}
    st.dataframe(decay_rows(doses, seed_records("none"), kept_dose), hide_index=True)
    claim_note("weight-decay-regularizes")


@st.fragment
def early_stopping_section() -> None:
    explain("reg.early_stopping", per_epoch=SMALL.eval_every // PER_EPOCH)
    left, right = st.columns(2)
    patience = left.slider(
        "Patience (evaluations without a better validation loss)", 1, 10, 3, key="patience", bind="query-params"
    )
    seed = right.segmented_control("Seed", SEEDS, default=0, required=True, key="es_seed", bind="query-params")
    record = seed_records("none")[seed]
    epochs, losses = early_stopping_losses(record, PER_EPOCH)
    plot("es", early_stopping_figure, epochs, losses, *early_stopping(record["val_loss"], patience))
    st.dataframe(early_stopping_rows(seed_records("none"), patience, PER_EPOCH), hide_index=True)
    claim_note("early-stopping-helps")
    claim_note("early-stopping-lowers-test-loss")


@st.fragment
def ensembles_section() -> None:
    explain("reg.ensembles")
    labels = fashion_subset()["test"].labels
    probs = {
        kind: np.stack([shipped_probs(f"ensemble_{kind}{i}") for i in range(ENSEMBLE_SIZE)]) for kind in ("seed", "bag")
    }
    mc_errors = np.array([shipped_record(f"ensemble_seed{i}")["mc_errors"] for i in range(ENSEMBLE_SIZE)])
    series = ensemble_series(probs, mc_errors, MC_PASSES, labels)
    single = ["single members (seeds)"]
    plot("ensemble", lines_figure, series, "members / passes", "test error", log_x=True, points=single)
    claim_note("ensemble-averages-errors")
    explain("reg.ensemble_squared", "caption")
    found = squared_errors(probs["seed"], labels)
    st.metric("Correlation of the members' probability errors (c / v)", f"{found.covariance / found.variance:.2f}")
    squared = {
        "measured: average of k members": (found.sizes, found.measured),
        "if the errors were uncorrelated: v/k": (found.sizes, found.uncorrelated),
        "floor c: the error the members share": (found.sizes, np.full(len(found.sizes), found.covariance)),
    }
    plot("ensemble_squared", lines_figure, squared, "members k", "squared error ‖p − y‖² (mean)")
    kind = st.segmented_control(
        "Members",
        ["seed", "bag"],
        default="seed",
        required=True,
        key="members",
        bind="query-params",
        format_func={"seed": "different seeds", "bag": "bagging"}.get,
    )
    st.metric(
        "Mean correlation of the members' errors",
        f"{error_correlation(probs[kind], labels):.2f}",
        help="1: the members make exactly the same mistakes, so averaging cannot fix them",
    )
    plot("disagreement", disagreement_figure, disagreement(probs[kind]))


st.title("Regularization Lab")
explain("reg.notice", "info")
tabs_ui(
    "reg_tab",
    {
        "Small data": small_data_section,
        "Weight decay vs L2": weight_decay_section,
        "Early stopping": early_stopping_section,
        "Ensembles": ensembles_section,
    },
)
