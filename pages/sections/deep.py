"""BatchNorm Lab's recap sections: the four normalizations on real activations, deep networks with and without
BatchNorm, and the non-linearities' gradients."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core import deep, mlp, norms, softmax
from core.data import CLASSES, to_tensor
from core.init_demo import SATURATION
from core.models import LEAKY_SLOPE
from core.runs import private_model
from pages.sections.data import fashion_subset, shipped_model, shipped_record, shipped_run
from pages.sections.widgets import claim_note, plot, table
from pages.ui.kit import beside_ui, explain

NORM_BATCHES = (2, 4, 8, 16)  # a batch of one is the table's last column
GROUPS = (1, 2, 4, 8, 16)  # every one divides each block's 16 or 32 channels


@st.cache_resource(show_spinner="Running the BatchNorm network on 16 test images…")
def normalization_inputs() -> dict[str, torch.Tensor]:
    """What enters each block's normalization in the shipped BN network, for the first 16 test images: shared."""
    run = shipped_run("batchnorm")
    images, _ = fashion_subset()["test"].tensors(max(NORM_BATCHES))
    return norms.normalization_inputs(private_model(run.config, run.final, train=False), images)


@st.cache_resource(max_entries=64, show_spinner=False)
def norm_reports(layer: str, batch: int, groups: int) -> list[norms.NormReport]:
    return norms.compare(normalization_inputs()[layer][:batch], groups)


def normalizations_section() -> None:
    explain("bn.norms")
    inputs = normalization_inputs()
    controls, shown = beside_ui()
    with controls:
        layer = st.select_slider("Block", list(inputs), value="block1", key="norms_layer", bind="query-params")
        batch = st.select_slider("Batch size N", NORM_BATCHES, value=8, key="norms_batch", bind="query-params")
        groups = st.select_slider("GroupNorm groups G", GROUPS, value=4, key="norms_groups", bind="query-params")
    _, channels, height, width = inputs[layer].shape
    shown.caption(f"{layer}: N = {batch} test images × C = {channels} channels × H·W = {height}×{width}")
    plot("norm_cube", norms.cube_figure, batch, channels, groups, content=(batch, channels, groups), container=shown)
    table("norms", norms.report_rows(norm_reports(layer, batch, groups), groups), content=(layer, batch, groups))
    explain("bn.norms_numbers", "caption")


@st.cache_resource(show_spinner=False)
def depth_arms() -> dict[tuple[str, int], list[dict]]:
    return deep.depth_arms(shipped_record("mlp_depth")["runs"])


def deep_networks_section() -> None:
    rates, depths = ", ".join(f"{lr:g}" for lr in mlp.DEPTH_LRS), f"{min(mlp.DEPTHS)} to {max(mlp.DEPTHS)}"
    explain("bn.deep", steps=f"{mlp.DEPTH_STEPS:,}", rates=rates, seeds=len(mlp.SEEDS), depths=depths)
    arms = depth_arms()
    plot("depth_accuracy", deep.depth_accuracy_figure, arms, content="recorded")
    stalled = deep.stalled_depth(arms, "none")
    if stalled is not None:
        st.markdown(
            f"**The plain network stops training at depth {stalled}**: its training loss ends near chance (above "
            f"{deep.STALLED:.2f}; chance is ln 10 = 2.30) for every seed, even at the rate its validation chose."
        )
    else:
        st.markdown(f"The plain network still trains at every depth tried, up to {max(mlp.DEPTHS)} layers.")
    fresh = mlp.DEPTH_VERDICT_SEEDS
    st.caption(
        f"The figures and tables show seeds {mlp.SEEDS[0]}–{mlp.SEEDS[-1]} at every depth; the claim is judged at "
        f"depth {max(mlp.DEPTHS)} on seeds {fresh[0]}–{fresh[-1]}, registered before their runs."
    )
    claim_note("bn-trains-deep-nets")
    depth = st.segmented_control(
        "Depth", mlp.DEPTHS, default=max(mlp.DEPTHS), required=True, key="deep_depth", bind="query-params"
    )
    bands, rows = depth_view(depth)
    plot("depth_loss", mlp.loss_figure, bands, content=depth)
    table("depth_arms", rows, content=depth)
    plot("depth_gradients", deep.gradient_figure, arms, depth, content=depth)


@st.cache_resource(max_entries=len(mlp.DEPTHS), show_spinner=False)
def depth_view(depth: int) -> tuple[dict, list[dict]]:
    """One depth's plain and BatchNorm arms: loss bands and table rows, once per depth."""
    pairs = {deep.NORM_LABELS[norm]: depth_arms()[(norm, depth)] for norm in ("none", "batch")}
    return mlp.loss_bands(pairs), mlp.arm_rows(pairs)


@st.cache_resource(max_entries=len(mlp.ACTIVATION_LRS), show_spinner=False)
def activation_view(rate: float) -> list[dict]:
    """The non-linearities' table rows at one training rate, once per rate."""
    return deep.activation_rows(shipped_record("mlp_activation")["runs"], rate)


@st.cache_resource(show_spinner=False)
def activation_curves() -> dict[str, tuple[np.ndarray, ...]]:
    return deep.activation_curves()


def nonlinearities_section() -> None:
    softmax_ui()
    probe = f"{mlp.PROBE:,}"
    explain(
        "bn.nonlin",
        depth=mlp.ACTIVATION_DEPTH,
        steps=f"{mlp.ACTIVATION_STEPS:,}",
        probe=probe,
        seeds=len(mlp.SEEDS),
        slope=LEAKY_SLOPE,
    )
    plot("activation_curves", deep.activation_figure, activation_curves(), content="curves")
    rate = st.segmented_control(
        "Training learning rate",
        mlp.ACTIVATION_LRS,
        default=mlp.ACTIVATION_LRS[0],
        required=True,
        key="nonlin_lr",
        bind="query-params",
        format_func=lambda lr: f"{lr:g}",
    )
    table("nonlin", activation_view(rate), content=rate)
    records = shipped_record("mlp_activation")["runs"]
    plot("nonlin_gradients", deep.layer_gradient_figure, records, rate, content=rate)
    explain("bn.nonlin_dead", "caption", margin=f"{1 - SATURATION:.2g}", probe=probe, slope=LEAKY_SLOPE)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_softmax(item: int) -> softmax.SoftmaxSteps:
    test = fashion_subset()["test"]
    return softmax.softmax_steps(
        shipped_model("batchnorm"), to_tensor(test.images[item : item + 1])[0], int(test.labels[item])
    )


@st.fragment
def softmax_ui() -> None:
    """The recap's softmax on one test item: scores, exponentials, probabilities."""
    st.subheader("Softmax and sigmoid: from scores to probabilities")
    explain("bn.softmax", "caption")
    item = st.slider(
        "Test item", 0, len(fashion_subset()["test"].labels) - 1, 0, key="softmax_item", bind="query-params"
    )
    steps = cached_softmax(item)
    plot("softmax", softmax.softmax_figure, steps, CLASSES, content=item)
    st.markdown(steps.sentence(CLASSES))
