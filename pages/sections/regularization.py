"""Regularization Lab's sections and caches: augmentation and regularizers on scarce data, L2 vs weight decay,
early stopping, ensembles."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core import early_stopping, ensemble_plan, ensembles, figures, invariance, plan, tuning, weight_decay
from core import regularization as reg
from core.arms import AUGMENTATION_LABELS, SMALL_LABELS, TUNED
from core.augment_plan import ROUND12_SEEDS, SAME_ARMS, SAME_GRIDS
from core.data import CLASSES, SUBSET_PER_CLASS
from core.images import png_bytes
from core.labs import REGULARIZATION, RegularizationTab
from core.mc_dropout import fashion_position
from core.runs import load_test_labels
from core.small_plan import GRID, grid_name, round_arm
from pages.sections.checkpoints import checkpoint_section, dropout_time_section
from pages.sections.data import fashion_subset, precomputed, shipped_model, shipped_probs, shipped_record
from pages.sections.widgets import claim_note, plot, table
from pages.ui.kit import explain, link_label, pictures_ui, projector_mode, tabs_ui

PER_EPOCH = plan.SMALL_IMAGES // plan.SMALL.batch_size  # steps per epoch of the small-data runs
WITH, WITHOUT = AUGMENTATION_LABELS[plan.RECIPE], AUGMENTATION_LABELS["none"]
RULES = {"AdamW": "adamw", "Adam + L2": "adam_l2"}  # the Adam decay rules, as the weight-decay tables name them


def seed_records(arm: str, seeds: tuple[int, ...] = plan.SEEDS) -> list[dict]:
    """The small-data records of one training choice, one per seed (by default round 2's)."""
    return [shipped_record(f"small_{arm}_seed{seed}") for seed in seeds]


def curves(arm: str, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return reg.across_seeds(seed_records(arm), key, PER_EPOCH)


# Each section's data comes from one cached call keyed by its widgets' values. st.cache_resource, not
# cache_data: the values are read-only and shared, so no rerun pays for unpickling a copy.
@st.cache_resource(show_spinner=False)
def small_data_view() -> dict:
    """The recorded small-data results that no widget changes: figures' series and the tables' rows."""
    reports = {AUGMENTATION_LABELS[arm]: [r["invariance"] for r in seed_records(arm)] for arm in plan.INVARIANCE_ARMS}
    pairs = [
        tuple(shipped_record(grid_name(images, model, arm)) for arm in ("none", plan.RECIPE)) for images, model in GRID
    ]
    return {
        "invariance": invariance.invariance_series(reports),
        "titles": {family: spec.unit for family, spec in invariance.FAMILIES.items()},
        "summary": [reg.arm_summary(label, seed_records(arm)) for arm, label in SMALL_LABELS.items()],
        "grid": reg.grid_rows(pairs),
        "same": reg.same_augmentation_rows(
            {arm: seed_records(round_arm(arm, 12), ROUND12_SEEDS) for arm in SAME_ARMS}, SMALL_LABELS
        ),
        "same_rates": joint_table(reg.same_augmentation_names(SMALL_LABELS), (12,), SAME_GRIDS),
        "rates": joint_table({AUGMENTATION_LABELS[arm]: arm for arm in ("none", plan.RECIPE)}, rounds=(8,)),
        "dropout_rates": joint_table(
            {"no dropout": "none", "dropout": "dropout"}, (8, 9, 13), plan.ROUND13_DROPOUT_GRIDS, "p"
        ),
    }


@st.cache_resource(max_entries=64, show_spinner=False)
def small_curves(arms: tuple[str, ...]) -> tuple[dict, list[str]]:
    """Training and validation accuracy of the chosen arms (series, the dashed ones' labels)."""
    return reg.train_validation_series({SMALL_LABELS[arm]: seed_records(arm) for arm in arms}, PER_EPOCH)


@st.cache_resource(show_spinner=False)
def decay_view() -> dict:
    """The recorded CNN runs of the weight-decay tab: norms, accuracies and the dose table."""
    runs = {
        "Adam, λ = 0": "none",
        f"Adam + L2, λ = {TUNED['adam_l2']:g}": "adam_l2",
        f"AdamW, λ = {TUNED['adamw']:g}": "adamw",
    }
    norms = {label: curves(arm, "weight_norm") for label, arm in runs.items()}
    rules = {**RULES, "SGD + L2": "sgd_decay"}
    grids = {rule: tuning.tuning_records(arm) for rule, arm in rules.items()}
    return {
        "norms": norms,
        "ends": {arm: norms[label][1][-1] for label, arm in runs.items()},
        "start": norms["Adam, λ = 0"][1][0],
        "l2_train": np.mean([r["kept"]["train_accuracy"] for r in seed_records("adam_l2")]),
        "accuracies": {label: curves(arm, "test_accuracy") for label, arm in runs.items()},
        "doses": weight_decay.tuning_rows(grids, {rule: TUNED[arm] for rule, arm in rules.items()}),
        "joint": joint_table({**RULES, "Adam, no decay": "none"}),
        "joint_sgd": joint_table({"SGD + L2": "sgd_decay"}),
    }


def round8_figures() -> dict[str, object]:
    """What the round 8 captions name: its rates, tuning seeds and verdict seeds."""
    rates = ", ".join(f"{rate:g}" for rate in plan.ROUND8_RATES)
    return {"rates": rates, "tune_seeds": len(plan.TUNE_SEEDS), "seeds": len(plan.ROUND8_SEEDS)}


def round9_figures() -> dict[str, object]:
    """What the round 9 caption names: dropout's rates and p (with round 13's), the tuning seeds and verdict seeds."""
    rates, doses = plan.ROUND13_GRIDS["dropout"]
    return {
        "rates": ", ".join(f"{rate:g}" for rate in rates),
        "doses": ", ".join(f"{p:g}" for p in doses),
        "tune_seeds": len(plan.TUNE_SEEDS),
        "seeds": len(plan.ROUND9_SEEDS),
    }


def joint_table(
    rules: dict[str, str],
    rounds: tuple[int, ...] = (5, 7, 8),
    round_grids: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = plan.ROUND8_GRIDS,
    dose_name: str = "λ",
) -> list[dict[str, str]]:
    """The joint grids of ``rules`` (``round_grids``'; round 7's for an arm it does not tune): a row per dose, a
    column per rate, ✓ and the rounds at the choices of ``rounds``."""
    grids = {arm: round_grids.get(arm, (None, None)) for arm in rules.values()}
    return tuning.joint_rows(
        {rule: tuning.joint_results(arm, rates=grids[arm][0], doses=grids[arm][1]) for rule, arm in rules.items()},
        {rule: tuning.chosen_rounds(arm, rounds) for rule, arm in rules.items()},
        dose_name,
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def paths_view(surface: str, lr: float, decay: float, steps: int) -> tuple[dict[str, np.ndarray], list[float]]:
    """The six optimizers' paths for ``steps`` steps, and the largest gap of each L2 / decoupled pair."""
    paths = {label: path[: steps + 1] for label, path in precomputed().paths(surface, lr, decay).items()}
    labels = list(paths)
    return paths, [float(np.abs(paths[labels[i]] - paths[labels[i + 1]]).max()) for i in (0, 2, 4)]


@st.cache_resource(max_entries=64, show_spinner=False)
def early_stopping_view(arm: str, seed: int, patience: int) -> tuple[tuple, list[dict]]:
    """(the figure's arguments, the table's rows) for one arm's runs, one seed's curves and a patience."""
    record = seed_records(arm)[plan.SEEDS.index(seed)]
    losses = early_stopping.early_stopping_losses(record, PER_EPOCH)
    stop = early_stopping.stop_epochs(record, patience, PER_EPOCH)
    seeds = plan.SEEDS + plan.FRESH_SEEDS if arm == plan.EARLY_STOPPING_ARM else plan.SEEDS  # the claims': 5-9
    return (losses, *stop), early_stopping.early_stopping_rows(seed_records(arm, seeds), patience, PER_EPOCH)


@st.cache_resource(show_spinner=False)
def ensembles_view() -> dict:
    """The shipped ensembles' test-set outputs and what the tab computes from them (bootstraps included)."""
    labels = load_test_labels()
    probs = {  # (members, 10000, 10)
        kind: np.concatenate([shipped_probs(f"ensemble_{kind}{i}") for i in range(ensemble_plan.ENSEMBLE_SIZE)])
        for kind in ("seed", "bag")
    }
    mc_errors = np.array([shipped_record(f"ensemble_seed{i}")["mc_errors"] for i in range(ensemble_plan.ENSEMBLE_SIZE)])
    found = ensembles.squared_errors(probs["seed"], labels)
    return {
        "series": ensembles.ensemble_series(probs, mc_errors, ensemble_plan.MC_PASSES, labels),
        "correlation": found.covariance / found.variance,
        "squared": ensembles.squared_error_series(found),
        "members": {
            kind: (ensembles.error_correlation(probs[kind], labels), ensembles.disagreement(probs[kind]))
            for kind in probs
        },
    }


ITEM_NETWORKS = {"without": "none", "with": plan.RECIPE}  # seed 0 of each: the item demo's two networks
ITEM = ("Ankle boot", 146)  # the demo's first item: one where the two networks differ (mirrored, shifted 4 px)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_item_views(position: int) -> list[tuple[bytes, invariance.ItemView]]:
    """One test item under each of ITEM_VIEWS, with both networks' answers, and each picture as PNG (computed
    and encoded once per item, not on every rerun)."""
    pixels = torch.from_numpy(fashion_subset()["test"].images[position : position + 1].copy())
    models = {short: shipped_model(f"small_{arm}_seed0") for short, arm in ITEM_NETWORKS.items()}
    views = invariance.item_answers(pixels, int(fashion_subset()["test"].labels[position]), models, CLASSES)
    return [(png_bytes(view.picture), view) for view in views]


def item_ui() -> None:
    """A test item a student picks, moved as the transformed test sets move it, with both networks' answers."""
    left, right = st.columns(2)
    name = left.selectbox("Class", CLASSES, index=CLASSES.index(ITEM[0]), key="inv_class", bind="query-params")
    index = right.slider("Item", 0, SUBSET_PER_CLASS["test"] - 1, ITEM[1], key="inv_item", bind="query-params")
    test = fashion_subset()["test"]
    views = cached_item_views(fashion_position(test.labels, CLASSES.index(name), index))
    pictures_ui("item", [
        (picture, "  \n".join([view.label, *(f":{'green' if a[0] == '✓' else 'red'}[{a}]" for a in view.answers)]))
        for picture, view in views
    ])  # fmt: skip


def invariance_section() -> None:
    if not projector_mode():  # projected, the caption's key sentence asks the same: the figure stays on screen
        st.subheader("Does augmentation keep the network right when the item moves?")
    explain("reg.invariance", "caption", seeds=f"{plan.SEEDS[0]}–{plan.SEEDS[-1]}")
    view = small_data_view()
    plot("invariance", invariance.invariance_figure, view["invariance"], view["titles"], content="recorded")
    claim_note("augmentation-buys-invariance")
    explain("reg.invariance_item", "caption", without=WITHOUT, recipe=WITH)
    item_ui()


@st.fragment
def small_data_section() -> None:
    explain("reg.small_data", seeds=len(plan.SEEDS))
    invariance_section()
    st.subheader("Clean test images: accuracy and over-fitting")
    chosen = st.pills(
        "Training choices",
        list(SMALL_LABELS),
        default=["none", "flip_shift", plan.RECIPE],
        selection_mode="multi",
        format_func=link_label("reg_arms", SMALL_LABELS.get),
        key="reg_arms",
        bind="query-params",
    )
    arms = tuple(chosen or ["none"])
    series, dashed = small_curves(arms)
    y_title = f"accuracy (mean ± std over {len(plan.SEEDS)} seeds)"
    plot("small_curves", figures.seed_band_figure, series, "epoch", y_title, content=arms, dashed=dashed)
    view = small_data_view()
    table("summary", view["summary"], content="recorded")
    explain("reg.augmentation_rates", "caption", **round8_figures())
    table("augmentation_rates", view["rates"], content="recorded", whole=True)
    for claim in ("augmentation-generalizes", "augmentation-shrinks-gap"):
        claim_note(claim)
    explain("reg.dropout_rates", "caption", **round9_figures())
    table("dropout_rates", view["dropout_rates"], content="recorded", whole=True)
    claim_note("dropout-regularizes")
    explain("reg.grid", "caption", recipe=WITH)
    table("grid", view["grid"], content="recorded")
    st.subheader("Compare networks under the same augmentation")
    explain("reg.same_augmentation", "caption", seeds=f"{ROUND12_SEEDS[0]}–{ROUND12_SEEDS[-1]}")
    table("same", view["same"], content="recorded")
    explain("reg.same_rates", "caption", **round8_figures())
    table("same_rates", view["same_rates"], content="recorded", whole=True)
    claim_note("same-augmentation-for-comparison")


@st.cache_resource(max_entries=len(weight_decay.SURFACES), show_spinner=False)
def surface_grid(surface: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # the contour's 120×120 loss values, once per surface
    return weight_decay.surface_grid(weight_decay.SURFACES[surface])


@st.fragment
def paths_section() -> None:
    """The optimizers' paths on a loss surface: a move reruns these alone, not the recorded CNN results below."""
    explain("reg.decay")
    surface = st.segmented_control(
        "Loss surface",
        list(weight_decay.SURFACES),
        default="ill-conditioned quadratic",
        required=True,
        key="surface",
        bind="query-params",
    )
    left, middle, right = st.columns(3)
    lr = left.select_slider(
        "Learning rate", weight_decay.PATH_LEARNING_RATES, value=0.02, key="opt_lr", bind="query-params"
    )
    decay = middle.select_slider("λ", weight_decay.PATH_DECAYS, value=0.5, key="decay", bind="query-params")
    steps = right.slider("Steps", 10, weight_decay.PATH_STEPS, 200, 10, key="opt_steps", bind="query-params")
    paths, gaps = paths_view(surface, lr, decay, steps)
    setting = (surface, lr, decay, steps)
    plot("paths", weight_decay.paths_figure, *surface_grid(surface), paths, content=setting, dashed=list(paths)[1::2])
    row = st.container(horizontal=True)
    for title, gap in zip(("plain SGD", "SGD momentum 0.9", "Adam vs AdamW"), gaps):
        row.metric(f"{title}: gap", f"{gap:.2g}", help="largest distance between the L2 and the decoupled path")
    claim_note("l2-equals-decay-for-sgd")


def weight_decay_section() -> None:
    paths_section()
    st.subheader(f"The same on the CNN (recorded, 500 images, {len(plan.SEEDS)} seeds)")
    view = decay_view()
    explain(
        "reg.decay_cnn", "caption", l2=TUNED["adam_l2"], decoupled=TUNED["adamw"], start=view["start"],
        l2_train=view["l2_train"], **view["ends"],
    )  # fmt: skip
    left, right = st.columns(2)
    norms, accuracies = view["norms"], view["accuracies"]
    plot("weight_norm", figures.seed_band_figure, norms, "epoch", "‖weights‖₂", content="recorded", height=360,
         container=left)  # fmt: skip
    plot("decay_accuracy", figures.seed_band_figure, accuracies, "epoch", "test accuracy", content="recorded",
         height=360, container=right)  # fmt: skip
    claim_note("l2-differs-from-decay-for-adam")
    st.subheader("Rate and λ chosen together")
    sgd_rates = ", ".join(f"{rate:g}" for rate in plan.SGD_JOINT_RATES)
    extension = ", ".join(f"{label} λ {plan.ROUND8_EXTENSION[arm]:g}" for label, arm in RULES.items())
    explain(
        "reg.decay_joint",
        "caption",
        sgd_rates=sgd_rates,
        extension=extension,
        round14=len(plan.ROUND14_SEEDS),
        **round8_figures(),
    )
    table("joint", view["joint"], content="recorded", whole=True)
    table("joint_sgd", view["joint_sgd"], content="recorded", whole=True)
    st.subheader("λ chosen on validation at one rate (round 2), for each rule")
    explain(
        "reg.decay_doses", "caption", tune_seeds=len(plan.TUNE_SEEDS), seeds=len(plan.SEEDS), sgd_lr=TUNED["sgd"],
        rates=", ".join(f"{rate:g}" for rate in plan.TUNING_GRIDS["sgd"]),
    )  # fmt: skip
    table("doses", view["doses"], content="recorded", whole=True)
    claim_note("weight-decay-regularizes")
    claim_note("weight-decay-regularizes-sgd")


@st.fragment
def early_stopping_section() -> None:
    explain("reg.early_stopping", per_epoch=plan.SMALL.eval_every // PER_EPOCH)
    schedules = {"constant rate": plan.EARLY_STOPPING_ARM, "cosine schedule": "none"}
    schedule = st.segmented_control(
        "Learning rate", list(schedules), default="constant rate", required=True, key="es_rate", bind="query-params"
    )
    left, right = st.columns(2)
    patience = left.slider(
        "Patience (epochs without a better validation loss)", 1, 100, 20, key="patience", bind="query-params"
    )
    seed = right.segmented_control("Seed", plan.SEEDS, default=0, required=True, key="es_seed", bind="query-params")
    arguments, rows = early_stopping_view(schedules[schedule], seed, patience)
    plot("es", early_stopping.early_stopping_figure, *arguments, content=(schedule, seed, patience))
    table("early_stopping", rows, content=(schedule, seed, patience))
    claim_note("early-stopping-helps")
    claim_note("early-stopping-lowers-test-loss")


@st.fragment
def ensembles_section() -> None:
    explain("reg.ensembles")
    view = ensembles_view()
    single = ["single members (seeds)"]
    plot("ensemble", figures.lines_figure, view["series"], "members / passes", "test error", content="recorded",
         log_x=True, points=single)  # fmt: skip
    claim_note("ensemble-averages-errors")
    explain("reg.ensemble_squared", "caption")
    st.metric("Correlation of the members' probability errors (c / v)", f"{view['correlation']:.2f}")
    y_title = "squared error ‖p − y‖² (mean)"
    plot("ensemble_squared", figures.lines_figure, view["squared"], "members k", y_title, content="recorded")
    kind = st.segmented_control(
        "Members",
        ["seed", "bag"],
        default="seed",
        required=True,
        key="members",
        bind="query-params",
        format_func=link_label("members", {"seed": "different seeds", "bag": "bagging"}.get),
    )
    correlation, disagreement = view["members"][kind]
    st.metric(
        "Mean correlation of the members' errors",
        f"{correlation:.2f}",
        help="1: the members make exactly the same mistakes, so averaging cannot fix them",
    )
    plot("disagreement", ensembles.disagreement_figure, disagreement, content=kind)


def lab_section() -> None:
    """The lab's tabs, each with its section: only the open one runs."""
    tabs_ui(
        REGULARIZATION,
        {
            RegularizationTab.SMALL_DATA: small_data_section,
            RegularizationTab.WEIGHT_DECAY: weight_decay_section,
            RegularizationTab.EARLY_STOPPING: early_stopping_section,
            RegularizationTab.ENSEMBLES: ensembles_section,
            RegularizationTab.CHECKPOINT_ENSEMBLES: checkpoint_section,
            RegularizationTab.DROPOUT_TIME: dropout_time_section,
        },
    )
