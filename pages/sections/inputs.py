"""Augmentation Studio's sections on what happens around augmentation: input pre-processing (mean image,
per-channel statistics, ``v2.Normalize``) and the memory and speed of augmenting on the fly."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from core import mlp
from core import preprocessing as pre
from core.data import MEAN, STD
from core.images import LoadedImage, load_image, png_bytes
from core.pipeline import AugmentationError, ChainItem, chain_titles
from pages.sections.data import SAMPLE_NAMES, fashion_subset, sample_bytes, shipped_record
from pages.sections.widgets import claim_note, plot, table
from pages.ui.kit import explain, pictures_ui

SHOWN_SIDE = 256  # px of each pre-processed picture (nearest-neighbour enlarged from the dataset's size)


def enlarged(values: np.ndarray, half_range: float | None = None) -> bytes:
    picture = pre.shown(values, half_range)
    return png_bytes(picture.resize((SHOWN_SIDE, SHOWN_SIDE), 0))  # 0: nearest, every pixel stays visible


@st.cache_resource(show_spinner="Computing the datasets' statistics…")
def dataset_statistics() -> dict[str, dict[str, object]]:
    """Mean images (and their pictures) and per-channel statistics of the sample photos (as a 64×64 dataset) and
    of Fashion-MNIST."""
    photos = pre.as_dataset([load_image(sample_bytes(name)).image for name in SAMPLE_NAMES])
    items = fashion_subset()["train"].images
    found = {}
    for name, images in (("photos", photos), ("fashion", items)):
        mean = pre.mean_image(images)
        stats = pre.channel_stats(images)
        found[name] = {"mean": mean, "picture": enlarged(mean), "stats": stats, "count": len(images)}
    return found


@st.cache_resource(max_entries=16, show_spinner=False)
def photo_views(digest: str, _image: Image.Image) -> dict[str, object]:
    """``digest`` names the image: its pictures and histograms after each pre-processing."""
    photos = dataset_statistics()["photos"]
    found = pre.views(_image, photos["mean"], *photos["stats"])
    return {
        "pictures": [
            (enlarged(found.original), "as loaded, in [0, 1]"),
            (enlarged(found.per_channel, 3.0), "v2.Normalize (per channel): −3 … +3 as black … white"),
            (enlarged(found.minus_mean_image, 1.0), "minus the mean image: −1 … +1 as black … white"),
        ],
        "panels": {
            "as loaded": found.original,
            "v2.Normalize": found.per_channel,
            "minus mean image": found.minus_mean_image,
        },
    }


@st.cache_resource(show_spinner=False)
def input_view() -> tuple[dict, list[dict]]:
    """The input experiment's arms at their chosen rates: loss bands and table rows."""
    picked = pre.input_arms(shipped_record("mlp_input_round13")["runs"])
    return mlp.loss_bands(picked), mlp.arm_rows(picked)


def statistics_rows(stats: dict) -> list[dict[str, object]]:
    means, stds = stats["stats"]
    names = pre.CHANNELS if len(means) == 3 else ("grey",)
    return [{"channel": n, "mean": f"{m:.3f}", "std": f"{s:.3f}"} for n, m, s in zip(names, means, stds)]


def preprocessing_section(loaded: LoadedImage) -> None:
    explain("studio.preprocessing", side=pre.PHOTO_SIDE)
    found = dataset_statistics()
    photos, fashion = found["photos"], found["fashion"]
    left, right = st.columns(2)
    left.image(photos["picture"], caption=f"Mean image of the {photos['count']} sample photos", output_format="PNG")
    table("photo_stats", statistics_rows(photos), content="photos", container=left)
    right.image(
        fashion["picture"],
        caption=f"Mean image of {fashion['count']:,} Fashion-MNIST training items",
        output_format="PNG",
    )
    table("fashion_stats", statistics_rows(fashion), content="fashion", container=right)
    right.caption(f"The networks use the 60,000 training images' mean {MEAN} and std {STD} (core.data).")
    st.subheader("Your image, pre-processed")
    views = photo_views(loaded.digest, loaded.image)
    pictures_ui("preprocessed", views["pictures"])
    plot("pixel_histograms", pre.histogram_figure, views["panels"], content=loaded.digest)
    st.subheader("Why it matters: one network, three kinds of input")
    low, high, count = f"{mlp.INPUT_LRS[0]:g}", f"{mlp.INPUT_LRS[-1]:g}", len(mlp.INPUT_LRS)
    seeds = len(mlp.INPUT_ROUND13_SEEDS)
    explain("studio.input_runs", steps=mlp.INPUT_STEPS, low=low, high=high, count=count, seeds=seeds)
    bands, rows = input_view()
    plot("input_loss", mlp.loss_figure, bands, content="recorded")
    table("input_arms", rows, content="recorded")
    claim_note("input-normalization-helps-training")


def _measure(key: tuple, loaded: LoadedImage, chain: list[ChainItem], copies: int, dataset: str) -> None:
    """*Measure*: time both ways on this server now, on the photo as one of the training set's pictures; the
    result (or torchvision's refusal) for the page to show."""
    picture, sized = pre.as_training_picture(loaded.image, chain, pre.TRAINING_SETS[dataset])
    try:
        with st.spinner("Augmenting 48 pictures, then reading 48 stored ones…"):
            st.session_state.throughput = (key, pre.measure_throughput(picture, sized, 48, copies, seed=0))
    except AugmentationError as error:
        st.session_state.throughput = (key, str(error))


def memory_section(loaded: LoadedImage, chain: list[ChainItem]) -> None:
    explain("studio.memory")
    if not chain:
        st.info("Pick at least one augmentation in the sidebar to build a pipeline.")
        return
    left, middle, right = st.columns(3)
    dataset = left.selectbox(
        "Training set", list(pre.TRAINING_SETS), index=1, key="memory_dataset", bind="query-params"
    )
    epochs = middle.select_slider("Epochs", (10, 30, 90, 200), value=90, key="memory_epochs", bind="query-params")
    copies = right.select_slider("Copies K", (1, 5, 10, 20, 50), value=10, key="memory_copies", bind="query-params")
    key = (loaded.digest, chain_titles(chain), repr([item.values for item in chain]), dataset)
    # A callback, not the button's return value: it runs before the page, so no rerun can drop the click.
    measure = dict(on_click=_measure, args=(key, loaded, chain, copies, dataset))
    st.button("Measure on this server", icon=":material/timer:", type="primary", key="measure", **measure)
    measured = st.session_state.get("throughput")
    if measured is None or measured[0] != key:
        st.caption(f"Pipeline: {chain_titles(chain)}. Press *Measure* to time it on this server.")
        return
    found = measured[1]
    if isinstance(found, str):  # torchvision refused the pipeline on this image
        st.error(found)
        return
    a, b, c = st.columns(3)
    a.metric("On the fly", f"{found.on_the_fly:,.0f} pictures/s")
    b.metric(
        "Reading stored copies", f"{found.precomputed:,.0f} pictures/s", f"{found.precomputed / found.on_the_fly:,.0f}x"
    )
    c.metric(f"One stored copy, {found.side[0]}×{found.side[1]} px", f"{found.bytes_per_picture:,} bytes")
    training_set = pre.TRAINING_SETS[dataset]
    if training_set.side is not None:
        st.caption(
            f"Timed on your photo as a {dataset.split(' (')[0]} picture ({training_set.side}×{training_set.side} px"
            f"{', grey' if training_set.channels == 1 else ''}), every crop or output size of the pipeline set to "
            f"{training_set.side} px, as one would set it for that training set."
        )
    rows = pre.storage_rows(found, training_set.pictures, sorted({1, copies, epochs}), epochs)
    table("memory", rows, content=(key, dataset, epochs, copies, found.on_the_fly))
    explain("studio.memory_verdict", "caption", pipeline=chain_titles(chain))
