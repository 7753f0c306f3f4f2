"""MC Dropout Lab's sections and caches: one trained network run many times with dropout on."""

from __future__ import annotations

import secrets

import numpy as np
import streamlit as st
import torch
from PIL import Image
from streamlit.delta_generator import DeltaGenerator

from core.arms import ROUND12_TUNED
from core.augment_plan import ROUND12_SEEDS
from core.bn_lab import images_to_fashion_input
from core.calibration import ECE_BINS, against_the_slide, calibration_change, reliability_figure
from core.data import CLASSES, to_display, to_tensor
from core.dropout_bn import VarianceShift, variance_shift, variance_shift_figure
from core.figures import lines_figure
from core.images import png_bytes
from core.labs import MC_DROPOUT, OVERCONFIDENT, OVERCONFIDENT_LABEL, MCDropoutTab
from core.mc_dropout import (
    DROPOUT_P,
    PerturbedFeatures,
    class_distribution_figure,
    convergence_figure,
    deterministic_probs,
    embeddings,
    fashion_position,
    groups_figure,
    mc_probs,
    perturbation_sweep,
    perturbed_features,
    prediction_numbers,
    rotation_features,
    rotation_scatter,
    rotation_scatter_figure,
    running_mean,
    sweep_series,
    tta_against_the_slide,
    votes,
    votes_figure,
    weight_scaling,
)
from core.precomputed import MAX_PASSES
from core.regularization import tta_test_set_rows
from core.small_plan import round_arm
from core.subnetworks import SubNetworks, agreement_figure, subnetworks
from pages.sections.data import fashion_subset, precomputed, shipped_model, shipped_record
from pages.sections.widgets import claim_note, image_input_ui, plot, table
from pages.ui.kit import (
    beside_ui,
    explain,
    link_label,
    open_tab_ui,
    projector_mode,
    recheck_link_ui,
    reserve_sidebar,
    seed_ui,
)

PER_CLASS = 200  # test images per class in the shipped subset
PICTURE_SIDE = 196  # px of the input as the network sees it: 7 screen pixels per input pixel, made at this size
# The lab opens on an item whose passes disagree (p 0.1, T 50, seed 0: 30 votes Shirt, 20 another class; mutual
# information 0.07 nats, the 8th highest of the 2,000 test items), not on one every pass is sure of.
OPENING_ITEM = ("Shirt", 107)
SOURCES = ("Fashion-MNIST", "Photo")
ROTATION_PASSES = 100  # T of the rotated-item view, as in Gal & Ghahramani's Fig. 4
THETA, X = np.array([2.0, -1.0]), np.array([1.0, 3.0])  # the Dropout basics unit's weights and inputs


def _surprise() -> None:
    st.session_state.mc_class = CLASSES[secrets.randbelow(len(CLASSES))]
    st.session_state.mc_index = secrets.randbelow(PER_CLASS)


def input_ui(panel: DeltaGenerator, where) -> tuple[str, torch.Tensor] | None:
    """The input, in ``panel`` (the sidebar; projected, beside the figure): a Fashion-MNIST test item or a photo.
    Returns a cache key and the (1, 1, 28, 28) input.

    None when the photo is missing, after saying so in each of ``where`` (the tabs that need the input).
    """
    panel.subheader("Input")
    shown = panel.container()  # the picture first: projected, it is on the first screen above the controls
    source = panel.segmented_control(
        "Input", SOURCES, default=SOURCES[0], required=True, key="mc_source", bind="query-params"
    )
    if source == SOURCES[0]:
        name = panel.selectbox(
            "Class", CLASSES, index=CLASSES.index(OPENING_ITEM[0]), key="mc_class", bind="query-params"
        )
        index = panel.slider("Item", 0, PER_CLASS - 1, OPENING_ITEM[1], key="mc_index", bind="query-params")
        panel.button("Surprise me", icon=":material/shuffle:", on_click=_surprise, key="mc_surprise")
        test = fashion_subset()["test"]
        position = fashion_position(test.labels, CLASSES.index(name), index)
        key = f"fashion:{position}"
        x, picture = network_input(key, test.images[position])
    else:
        loaded = image_input_ui(where)
        if loaded is None:
            return None
        invert = panel.toggle("Invert (items are light on black)", value=True, key="mc_invert", bind="query-params")
        key = f"{loaded.digest}:{invert}"
        x, picture = network_input(key, loaded.image, invert)
    shown.image(picture, caption="What the network sees: 28×28 greyscale", width=PICTURE_SIDE, output_format="PNG")
    return key, x


@st.cache_resource(max_entries=64, show_spinner=False)
def network_input(key: str, _source: np.ndarray | Image.Image, invert: bool = False) -> tuple[torch.Tensor, bytes]:
    """The (1, 1, 28, 28) input named ``key`` (a test item's pixels, or a photo made Fashion-MNIST-like) and
    what the network sees as a PNG, made once: not converted and encoded again on every rerun."""
    if isinstance(_source, np.ndarray):
        x = to_tensor(_source[None])
    else:
        x = images_to_fashion_input([_source], invert)
    return x, png_bytes(to_display(x[0], scale=PICTURE_SIDE // 28))


# st.cache_resource, not cache_data: the arrays are read-only and shared, so a hit unpickles no copy.
@st.cache_resource(max_entries=64, show_spinner=False)
def cached_mc(p: float, key: str, passes: int, seed: int, _x: torch.Tensor) -> dict[str, object]:
    """The passes and everything shown of them, computed once per setting: a rerun recomputes nothing."""
    model = shipped_model(f"dropout_p{p}")
    samples, deterministic = mc_probs(model, _x, passes, seed).numpy()[:, 0], deterministic_probs(model, _x).numpy()[0]
    top = int(samples.mean(0).argmax())
    return {
        "samples": samples,
        "deterministic": deterministic,
        "numbers": prediction_numbers(samples, deterministic, CLASSES),
        "votes": votes(samples[:, None])[0],
        "convergence": (running_mean(samples)[:, top], samples[:, top], CLASSES[top]),
    }


def prediction_section(p: float, key: str, x: torch.Tensor, passes: int, seed: int, panel: DeltaGenerator) -> None:
    """The MC prediction's numbers (in ``panel`` when projected, beside the figure; else in a row) and figures."""
    found = cached_mc(p, key, passes, seed, x)
    content, numbers = (p, key, passes, seed), found["numbers"]
    row = panel if projector_mode() else st.container(horizontal=True)
    for number in numbers:
        row.metric(number.label, number.value, number.note or None, "off", help=number.help, delta_arrow="off")
    plot("distribution", class_distribution_figure, found["samples"], found["deterministic"], CLASSES, content=content)
    left, right = st.columns(2)
    plot("votes", votes_figure, found["votes"], CLASSES, content=content, container=left)
    plot("conv", convergence_figure, *found["convergence"], content=content, container=right)


# The perturbed inputs' features are cached apart from the passes: a new seed or T reruns only the head.
@st.cache_resource(max_entries=32, show_spinner=False)
def cached_perturbed_features(p: float, key: str, kind: str, _x: torch.Tensor) -> PerturbedFeatures:
    return perturbed_features(shipped_model(f"dropout_p{p}"), _x[0], kind)


# No spinner: a few ms, far under its 0.5 s delay, and each spinner starts a thread (as does cached_rotation's).
@st.cache_resource(max_entries=32, show_spinner=False)
def cached_perturbation(p: float, key: str, kind: str, passes: int, seed: int, _x: torch.Tensor):
    swept = cached_perturbed_features(p, key, kind, _x)
    return perturbation_sweep(shipped_model(f"dropout_p{p}"), swept, passes, seed)


@st.fragment
def perturbation_section(p: float, key: str, x: torch.Tensor, passes: int, seed: int) -> None:
    kind = st.segmented_control(
        "Perturbation",
        ["rotate", "brightness"],
        default="rotate",
        required=True,
        key="mc_perturbation",
        bind="query-params",
    )
    series, x_title = sweep_series(kind, *cached_perturbation(p, key, kind, passes, seed, x))
    plot("perturbation", lines_figure, series, x_title, "nats / probability", content=(p, key, kind, passes, seed))
    explain("mc.perturbation")
    st.subheader(f"The item rotated in 12 steps, {ROTATION_PASSES} passes each")
    explain("mc.rotation", "caption")
    scatter = cached_rotation(p, key, seed, x)
    plot("rotation_scatter", rotation_scatter_figure, scatter, CLASSES, content=(p, key, seed))


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_rotation_features(p: float, key: str, _x: torch.Tensor) -> torch.Tensor:
    return rotation_features(shipped_model(f"dropout_p{p}"), _x[0])


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_rotation(p: float, key: str, seed: int, _x: torch.Tensor):
    features = cached_rotation_features(p, key, _x)
    return rotation_scatter(shipped_model(f"dropout_p{p}"), features, ROTATION_PASSES, seed)


@st.fragment
def calibration_section(p: float, passes: int, own_p: bool) -> None:
    # Labels are also the link's values: they stay the same whatever p is.
    networks = {"main": "main model (p as set above, 60,000 images)", OVERCONFIDENT: OVERCONFIDENT_LABEL}
    choice = st.segmented_control(
        "Network",
        list(networks),
        default="main",
        required=True,
        format_func=link_label("mc_calibration_net", networks.get),
        key="mc_calibration_net",
        bind="query-params",
    )
    if (choice == OVERCONFIDENT) != own_p:  # the model's p above hides (or shows again) with this choice
        st.rerun(scope="app")
    name = OVERCONFIDENT if own_p else f"dropout_p{p}"
    curves = precomputed().calibration(name, passes)
    off, mc = curves.values()
    if notice := against_the_slide(off, mc, OVERCONFIDENT_LABEL):
        st.markdown(notice)
    plot("reliability", reliability_figure, curves, content=(name, passes))
    described = OVERCONFIDENT_LABEL if own_p else f"main model (p = {p}, 60,000 images)"
    explain("mc.calibration", "caption", off_ece=off.ece, mc_ece=mc.ece, network=described, bins=ECE_BINS)
    st.markdown(calibration_change(off, mc))
    claim_note("mc-dropout-calibrates-small-data")
    claim_note("mc-dropout-calibrates")


@st.cache_resource(show_spinner=False)
def tta_trained_rows() -> list[dict]:
    trained = {
        label: [shipped_record(f"small_{round_arm(arm, 12)}_seed{seed}") for seed in ROUND12_SEEDS]
        for label, arm in (("trained with flip + crop", "flip_shift"), ("trained without augmentation", "none"))
    }
    return tta_test_set_rows(trained)


def tta_section(p: float) -> None:
    report = precomputed().tta(p)
    images = len(fashion_subset()["test"].labels)
    if notice := tta_against_the_slide(report, images, "the table below, for networks trained with these views"):
        st.markdown(notice)
    explain("mc.tta")
    rows = [{"prediction": view, "accuracy": f"{value:.2%}"} for view, value in report.items()]
    rows += [{"prediction": view, "accuracy": f"{value:.2%}"} for view, value in precomputed().tta_scales(p).items()]
    table("tta", rows, content=p)
    st.subheader(f"Trained with the same views, or without (500 images, {len(ROUND12_SEEDS)} seeds)")
    explain(
        "mc.tta_trained",
        "caption",
        seeds=", ".join(map(str, ROUND12_SEEDS)),
        with_rate=f"{ROUND12_TUNED['flip_shift'][0]:g}",
        without_rate=f"{ROUND12_TUNED['none'][0]:g}",
    )
    table("tta_trained", tta_trained_rows(), content="recorded")
    claim_note("tta-helps")


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_weight_scaling(p: float):
    return weight_scaling(THETA, X, p)  # 100,000 real dropout draws


@st.fragment
def basics_section(model_p: float, seed: int) -> None:
    (t1, t2), (x1, x2) = THETA, X
    explain("mc.basics", t1=t1, t2=t2, x1=x1, x2=x2, full=float(THETA @ X))
    p = st.slider(
        "Drop probability p of this two-input unit",
        0.0,
        0.9,
        0.5,
        0.05,
        key="basics_p",
        bind="query-params",
        help="Only for this example; the model's p is chosen above the tabs.",
    )
    row = st.container(horizontal=True, key="weight_scaling")
    for number in cached_weight_scaling(p).numbers():
        row.metric(number.label, number.value, help=number.help or None)
    st.subheader(f"Many models in one: two sub-networks of the main model (p = {model_p})")
    explain("mc.subnetworks", "caption")
    found = cached_subnetworks(model_p, seed)
    plot("subnetworks", agreement_figure, found, content=(model_p, seed))
    st.markdown(found.sentence())
    st.subheader(f"Dropout before BatchNorm: the variance shift (p = {model_p})")
    explain("mc.variance_shift", "caption")
    shift = cached_variance_shift(model_p, seed)
    plot("variance_shift", variance_shift_figure, shift, content=(model_p, seed))
    st.markdown(shift.sentence())


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_variance_shift(p: float, seed: int) -> VarianceShift:
    """A fresh dropout and BatchNorm layer, both orders, on the main model's embeddings of the test items."""
    return variance_shift(cached_test_features(p), p, seed)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_subnetworks(p: float, seed: int) -> SubNetworks:
    """Two fixed masks of the main model on the shipped test images (their embeddings computed once per p)."""
    test = fashion_subset()["test"]
    model = shipped_model(f"dropout_p{p}")
    return subnetworks(model, cached_test_features(p), test.labels, seed)


@st.cache_resource(max_entries=len(DROPOUT_P), show_spinner=False)
def cached_test_features(p: float) -> torch.Tensor:
    return embeddings(shipped_model(f"dropout_p{p}"), to_tensor(fashion_subset()["test"].images))


def ood_section(p: float, passes: int) -> None:
    groups = precomputed().ood(p, passes)
    left, right = st.columns(2)
    information = {name: numbers.mutual_information for name, numbers in groups.items()}
    entropies = {name: numbers.predictive_entropy for name, numbers in groups.items()}
    plot("ood_mi", groups_figure, information, "mutual information (nats)", content=(p, passes), container=left)
    plot("ood_entropy", groups_figure, entropies, "predictive entropy (nats)", content=(p, passes), container=right)
    explain("mc.ood")


def model_p_ui(container, own_p: bool) -> float:
    """The model's dropout p; for the over-confident network, which has its own p, a disabled stand-in."""
    if own_p:
        return container.select_slider(
            "Model's dropout p", DROPOUT_P, value=0.5, key="mc_p_own", disabled=True, help="This network's own p."
        )
    return container.select_slider(
        "Model's dropout p",
        DROPOUT_P,
        value=0.1,
        key="mc_p",
        bind="query-params",
        help="Which shipped network runs: trained with this dropout probability (Dropout basics has its own p).",
    )


@st.fragment
def lab_section() -> None:
    """The lab below its header: the model's p, T and seed, the tabs and the input (in the sidebar, or projected
    beside the figure). One fragment: moving any of them reruns it alone, not the header and the router."""
    reserve_sidebar()  # projected, the input may move from beside the figure to the sidebar
    left, middle, right = st.columns([1, 1, 2], vertical_alignment="bottom")
    passes = middle.slider("Passes T", 1, MAX_PASSES, 50, key="mc_T", bind="query-params")
    with right:
        seed = seed_ui()
    label, tab = open_tab_ui(MC_DROPOUT.tab_key, MC_DROPOUT.labels)
    # The over-confident network has its own p: the model's p is hidden for it (a link's choice arrives by one rerun).
    own_p = label == MCDropoutTab.CALIBRATION and st.session_state.get("mc_calibration_net") == OVERCONFIDENT
    p = model_p_ui(left, own_p)
    uses_input = label in (MCDropoutTab.PREDICTION, MCDropoutTab.PERTURBATION)  # the tabs that use the input
    with tab:  # projected, the sidebar is closed: the input goes beside the figure
        panel, shown = beside_ui() if projector_mode() and uses_input else (st.sidebar, st.container())
    chosen = input_ui(panel, where=[tab] if uses_input else [])
    with shown:
        match label, chosen:
            case MCDropoutTab.PREDICTION, (key, x):
                prediction_section(p, key, x, passes, seed, panel)
            case MCDropoutTab.PERTURBATION, (key, x):
                perturbation_section(p, key, x, passes, seed)
            case MCDropoutTab.CALIBRATION, _:
                calibration_section(p, passes, own_p)
            case MCDropoutTab.IN_VS_OUT, _:
                ood_section(p, passes)
            case MCDropoutTab.BASICS, _:
                basics_section(p, seed)
            case MCDropoutTab.TTA, _:
                tta_section(p)
    recheck_link_ui()
