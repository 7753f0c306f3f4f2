"""BatchNorm Lab's sections and caches: what normalization does inside a real CNN trained on Fashion-MNIST."""

from __future__ import annotations

import streamlit as st
import torch

from core import bn_lab, bn_undo, figures, plan
from core.init_demo import ACTIVATIONS, SCHEMES, activations_through_depth, depth_heatmap, summary_table
from core.labs import BATCHNORM, BatchNormTab
from core.live import BATCH_CHOICES, LR_CHOICES, LiveChunk, LiveSettings, live_chunk
from core.pipeline import chain_from_state, chain_titles, pipeline_code
from pages.sections.data import fashion_subset, precomputed, shipped_record, shipped_run
from pages.sections.deep import deep_networks_section, nonlinearities_section, normalizations_section
from pages.sections.widgets import claim_note, image_input_ui, plot, table
from pages.ui.kit import beside_ui, explain, projector_mode, tabs_ui

BATCH_SOURCES = ("Fashion-MNIST", "Your image, augmented")
# st.cache_resource for results that are only read: shared, so a hit unpickles no copy of a tensor.


def batch_ui() -> tuple[str, torch.Tensor | None] | None:
    """The batch to look at: Fashion-MNIST test images, or the user's image under the Studio's pipeline.

    None (after saying so here) when the user's image is wanted but missing.
    """
    if projector_mode():  # in the narrow column beside the figure: the choices stacked
        source = st.radio("Batch", BATCH_SOURCES, key="bn_batch", bind="query-params")
    else:
        source = st.segmented_control(
            "Batch", BATCH_SOURCES, default=BATCH_SOURCES[0], required=True, key="bn_batch", bind="query-params"
        )
    if source == BATCH_SOURCES[0]:
        return "fashion", None  # its histograms are precomputed
    loaded = image_input_ui()
    if loaded is None:
        return None
    invert = st.toggle("Invert (items are light on black)", value=True, key="bn_invert", bind="query-params")
    chain = chain_from_state(st.session_state)
    st.caption(f"64 samples of your image (seed 0) through: {chain_titles(chain)}")
    key = f"{loaded.digest}:{pipeline_code(chain, 0, 64)}:{invert}"
    return key, cached_user_batch(key, loaded.image, chain, invert)


@st.cache_resource(max_entries=16, show_spinner="Augmenting your image…")
def cached_user_batch(key: str, _image, _chain, invert: bool) -> torch.Tensor:
    """``key`` names image, pipeline and inversion."""
    return bn_lab.augmented_batch(_image, _chain, invert)


@st.cache_resource(max_entries=32, show_spinner="Running both networks…")
def cached_histograms(step: int, batch_key: str, _images: torch.Tensor):
    """A user's batch (``batch_key``): the Fashion-MNIST batch's histograms are precomputed."""
    runs = {label: shipped_run(name) for label, name in bn_lab.HISTOGRAM_RUNS.items()}
    return bn_lab.snapshot_histograms(runs, step, _images)


def activations_section() -> None:
    """Not a fragment: its batch may be the user's image, chosen in the sidebar (see pages.ui.kit.reserve_sidebar)."""
    controls, shown = beside_ui()
    with controls:
        steps = sorted(shipped_run("batchnorm").snapshots)
        step = st.select_slider("Training step", steps, value=0, key="bn_step", bind="query-params")
        batch = batch_ui()
    if batch is not None:
        key, images = batch
        histograms = precomputed().histograms(step) if key == "fashion" else cached_histograms(step, key, images)
        layer = "all"
        if projector_mode():  # one layer, large: the five rows are taller than a projected screen
            names = [histogram.layer for histogram in histograms]
            layer = controls.select_slider("Layer", names, key="bn_layer", bind="query-params")
            histograms = [histograms[names.index(layer)]]
        plot("histograms", bn_lab.histogram_figure, histograms, content=(key, step, layer), container=shown)
    records = {label: shipped_run(name).record for label, name in bn_lab.HISTOGRAM_RUNS.items()}
    explain("bn.collapse", **bn_lab.collapse(records["plain"]))
    plot("layer_std", bn_lab.layer_std_figure, records, content=tuple(bn_lab.HISTOGRAM_RUNS.values()))


# cache_data: each chunk's trainer state goes on training in the next chunk, so sessions get private copies.
@st.cache_data(max_entries=64, show_spinner=False)
def cached_live_chunk(settings: LiveSettings, chunk: int) -> LiveChunk:
    """Chunk k of a live run: shared by every session with the same settings, computed once."""
    previous = cached_live_chunk(settings, chunk - 1) if chunk else None
    return live_chunk(settings, previous, fashion_subset()["train"], fashion_subset()["test"])


def _start_training() -> None:
    """Form callback: it runs before the page, so the request survives any rerun of this run."""
    state = st.session_state
    state.live_settings, state.animate = LiveSettings(state.lr, state.batch_size, state.steps), True


@st.fragment
def live_training_section() -> None:
    with st.form("live"):
        left, middle, right = st.columns(3)
        left.select_slider("Learning rate (SGD)", LR_CHOICES, value=0.05, key="lr", bind="query-params")
        middle.select_slider("Batch size", BATCH_CHOICES, value=64, key="batch_size", bind="query-params")
        right.slider("Steps", 50, 300, 150, 25, key="steps", bind="query-params")
        st.form_submit_button(
            "Train both networks", icon=":material/play_arrow:", type="primary", on_click=_start_training
        )
    settings, animate = st.session_state.get("live_settings"), st.session_state.pop("animate", False)
    if settings is None:
        explain("bn.live", "info")
    else:
        live_results(settings, animate)
    st.subheader(f"Recorded: {plan.LR_SWEEP_TRAIN.steps} SGD steps at each learning rate, {len(plan.LR_SEEDS)} seeds")
    explain("bn.lr_sweep", "caption")
    sweep = cached_learning_rate_sweep()
    y_title = "test accuracy (mean ± std)"
    plot(
        "lr_sweep",
        figures.seed_band_figure,
        sweep,
        "learning rate (SGD)",
        y_title,
        content="recorded",
        log_x=True,
        height=340,
    )
    claim_note("bn-tolerates-larger-lr")


def live_results(settings: LiveSettings, animate: bool) -> None:
    """Progress, loss curves, histograms and accuracies of a live run (animated right after pressing Train)."""
    progress, chart, histograms = st.progress(0.0), st.empty(), st.empty()
    # Animate right after pressing the button; later reruns draw the (cached) final chunk only.
    for chunk in range(settings.chunks + 1) if animate else [settings.chunks]:
        result = cached_live_chunk(settings, chunk)
        progress.progress(*settings.progress(chunk))
        plot(f"loss{chunk}", bn_lab.loss_figure, result.curves, content=(settings, chunk), container=chart.container())
        if result.histograms:
            where = histograms.container()
            plot(
                f"live_histograms{chunk}",
                bn_lab.histogram_figure,
                result.histograms,
                content=(settings, chunk),
                container=where,
            )
        else:
            histograms.warning("Both networks diverged: their activations are inf or NaN, so there is nothing to draw.")
    row = st.container(horizontal=True)
    for label, verdict in result.verdicts().items():
        row.metric(f"{label}: test accuracy", verdict, help="on 500 images of the shipped test subset")


@st.cache_resource(show_spinner=False)
def cached_learning_rate_sweep():
    return bn_lab.learning_rate_sweep()  # read from the recorded runs once, not on every rerun


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_channel_inputs(channel: int) -> torch.Tensor:
    """What enters block 1's BN for one channel, (1024, 1, 28, 28): then β and batch size only re-average."""
    run = shipped_run("batchnorm")
    return bn_lab.first_norm_inputs(run.config, run.final, fashion_subset()["train"].tensors(1024)[0], channel)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_running_statistics(channel: int, beta: float, batch_size: int, steps: int):
    return bn_lab.running_statistics(cached_channel_inputs(channel), 0, beta, batch_size, steps, seed=0)


@st.fragment
def running_section() -> None:
    """The running estimates under β_m, batch size and channel: a move reruns this figure alone, not the
    recorded results below it."""
    explain("bn.running")
    left, middle, right = st.columns(3)
    beta = left.slider("β_m", 0.5, 0.99, 0.9, 0.01, key="beta_m", bind="query-params")
    batch_size = middle.select_slider(
        "Batch size", bn_lab.RUNNING_BATCHES, value=32, key="rs_batch", bind="query-params"
    )
    channel = right.slider("Channel of block 1", 0, 15, 0, key="rs_channel", bind="query-params")
    statistics = cached_running_statistics(channel, beta, batch_size, 200)
    plot("running", bn_lab.running_stats_figure, statistics, content=(channel, beta, batch_size, 200))


def train_vs_test_section() -> None:
    running_section()
    st.subheader("Train mode or eval mode at test time?")
    row = st.container(horizontal=True)
    for mode, value in precomputed().mode_accuracies().items():
        row.metric(mode, f"{value:.1%}")
    explain("bn.modes", "caption", instance=shipped_record("instancenorm")["test_accuracy_full"])
    claim_note("bn-needs-batch-statistics")
    st.subheader("Small batches: BatchNorm depends on the batch, the other norms do not")
    sweep = {label: (bn_lab.BATCH_SIZES, values) for label, values in precomputed().batch_dependence().items()}
    plot(
        "batch_sweep", figures.lines_figure, sweep, "images per batch", "test accuracy", content="recorded", log_x=True
    )
    explain("bn.batch_size", "caption")


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_formula(layer: str, channel: int):
    run = shipped_run("batchnorm")
    return bn_lab.bn_formula(
        run.config, run.final, fashion_subset()["test"].tensors(bn_lab.FASHION_BATCH)[0], layer, channel
    )


@st.fragment
def formula_section() -> None:
    left, right = st.columns(2)
    layer = left.selectbox("Layer", ["block1", "block2", "block3", "block4"], key="formula_layer", bind="query-params")
    channel = right.slider("Channel", 0, 15, 3, key="formula_channel", bind="query-params")
    numbers = cached_formula(layer, channel)
    for formula in numbers.latex():
        st.latex(formula)
    table("formula", numbers.table(), content=(layer, channel))
    explain("bn.formula", "caption", batch=bn_lab.FASHION_BATCH, difference=numbers.max_difference)
    st.subheader("Can the network undo the normalization?")
    explain("bn.undo", "caption")
    found = cached_undo(layer)
    plot("undo", bn_undo.undo_figure, found, content=layer)
    st.markdown(found.sentence(layer))


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_undo(layer: str) -> bn_undo.Undo:
    run = shipped_run("batchnorm")
    images = fashion_subset()["test"].tensors(bn_lab.FASHION_BATCH)[0]
    return bn_undo.undo_numbers(run.config, run.final, images, layer)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_depth(activation: str, scheme: str):
    return activations_through_depth(fashion_subset()["test"].tensors(512)[0].flatten(1), activation, scheme)


@st.fragment
def initialization_section() -> None:
    left, right = st.columns(2)
    activation = left.segmented_control(
        "Activation", ACTIVATIONS, default="tanh", required=True, key="init_activation", bind="query-params"
    )
    scheme = right.segmented_control(
        "Initialization", SCHEMES, default="Xavier", required=True, key="init_scheme", bind="query-params"
    )
    layers = cached_depth(activation, scheme)
    explain("bn.init", "caption")
    plot("depth", depth_heatmap, layers, activation, content=(activation, scheme))
    table("depth", summary_table(layers), content=(activation, scheme))
    claim_note("kaiming-keeps-variance")


def lab_section() -> None:
    """The lab's tabs, each with its section: only the open one runs."""
    tabs_ui(
        BATCHNORM,
        {
            BatchNormTab.ACTIVATIONS: activations_section,
            BatchNormTab.LIVE_TRAINING: live_training_section,
            BatchNormTab.TRAIN_VS_TEST: train_vs_test_section,
            BatchNormTab.FORMULA: formula_section,
            BatchNormTab.INITIALIZATION: initialization_section,
            BatchNormTab.OTHER_NORMS: normalizations_section,
            BatchNormTab.DEEP: deep_networks_section,
            BatchNormTab.NONLINEARITIES: nonlinearities_section,
        },
        sidebar=True,  # Activations: the user's image is chosen there
    )
