"""Augmentation Studio: build a torchvision pipeline and see exactly what it draws for every sample."""

import streamlit as st
from PIL import Image

from app import explain, image_input_ui, seed_ui, use_router
from core.augment import (
    BY_TITLE,
    DEFAULT_CHAIN,
    ChainItem,
    pipeline_code,
    sample_grid,
    ten_crops,
    trivial_augment_op,
    trivial_augment_space,
)
from core.images import LoadedImage, contact_sheet, decode_jpeg, display_jpeg, png_bytes
from core.label_demo import six_or_nine

use_router()

DISPLAY_SIDE = 320  # px sent to the browser per sample


@st.cache_data(max_entries=32, show_spinner="Drawing samples…")
def cached_grid(
    digest: str, code: str, _image: Image.Image, _chain: list[ChainItem], count: int, seed: int
) -> list[tuple[bytes, tuple[str, ...]]]:
    """(JPEG, what was drawn) per sample; ``code`` spells out chain, seed and count, so it keys the cache."""
    samples = sample_grid(_image, _chain, count, seed)
    return [(display_jpeg(sample.image, DISPLAY_SIDE), sample.drawn) for sample in samples]


@st.cache_data(max_entries=64, show_spinner=False)
def cached_trivial_augment(digest: str, _image: Image.Image, name: str, bin: int, negative: bool) -> tuple[bytes, str]:
    image, op = trivial_augment_op(_image, name, bin, negative)
    return display_jpeg(image, 640), op.describe()


@st.cache_data(max_entries=32, show_spinner=False)
def cached_ten_crops(digest: str, _image: Image.Image, resize_to: int, crop: int) -> list[tuple[str, bytes]]:
    return [(label, display_jpeg(image, DISPLAY_SIDE)) for label, image in ten_crops(_image, resize_to, crop)]


def pipeline_ui() -> list[ChainItem]:
    """Sidebar: which augmentations, in which order, with which parameters."""
    st.sidebar.subheader("Pipeline")
    titles = st.sidebar.multiselect(
        "Augmentations, applied in the order picked",
        list(BY_TITLE),
        default=list(DEFAULT_CHAIN),
        key="chain",
        bind="query-params",
        persist_state="session",  # the BatchNorm Lab augments your image with this pipeline
    )
    chain = []
    for title in titles:
        augmentation = BY_TITLE[title]
        key = augmentation.key
        with st.sidebar.expander(augmentation.title):
            st.caption(augmentation.explanation)
            values = {
                param.name: st.slider(
                    param.label,
                    param.low,
                    param.high,
                    param.default,
                    param.step,
                    help=param.help or None,
                    key=f"{key}.{param.name}",
                    bind="query-params",
                    persist_state="session",
                )
                for param in augmentation.params
            }
        values = augmentation.clean(values)
        problem = augmentation.problem(values)
        if problem:
            st.warning(f"**{augmentation.title}** is left out: {problem}", icon=":material/tune:")
            continue
        chain.append(ChainItem(augmentation, values))
    return chain


def samples_section(loaded: LoadedImage, chain: list[ChainItem], count: int, seed: int) -> None:
    samples = cached_grid(loaded.digest, pipeline_code(chain, seed, count), loaded.image, chain, count, seed)
    explain("studio.samples", "caption", seed=seed)
    st.download_button(
        "Download grid (PNG)",
        data=lambda: png_bytes(contact_sheet([decode_jpeg(jpeg) for jpeg, _ in samples], columns=4)),
        file_name=f"augnorm-grid-seed{seed}.png",
        mime="image/png",
        icon=":material/download:",
        type="tertiary",
    )
    columns = st.columns(4)
    for index, (jpeg, drawn) in enumerate(samples):
        with columns[index % 4]:
            st.image(jpeg, width="stretch")
            st.caption(f"**#{index}**  \n" + "  \n".join(drawn))


@st.fragment
def trivial_augment_section(loaded: LoadedImage) -> None:
    explain("studio.trivial_augment")
    space = trivial_augment_space(loaded.image.height, loaded.image.width)
    names = [row["operation"] for row in space]
    left, right = st.columns([1, 2])
    with left:
        name = st.selectbox("Operation", names, index=names.index("Rotate"), key="ta_op", bind="query-params")
        bin = st.slider("Magnitude bin", 0, 30, 17, key="ta_bin", bind="query-params")
        negative = st.toggle("Negative sign", value=False, key="ta_negative", bind="query-params")
    jpeg, description = cached_trivial_augment(loaded.digest, loaded.image, name, bin, negative)
    right.image(jpeg, caption=description, width="stretch")
    st.dataframe(space, hide_index=True)


@st.fragment
def test_time_crops_section(loaded: LoadedImage) -> None:
    explain("studio.test_time_crops")
    left, right = st.columns(2)
    resize_to = left.slider("Resize short side to (px)", 64, 512, 256, 8, key="tta_resize", bind="query-params")
    crop = right.slider("Crop size (px)", 32, 512, 224, 8, key="tta_crop", bind="query-params")
    if crop > resize_to:
        st.warning(f"The crop ({crop} px) must fit in the resized image ({resize_to} px): shrink the crop.")
        return
    counts = st.columns(3)
    counts[0].metric("No augmentation", "1 view")
    counts[1].metric("Flip", "2 views")
    counts[2].metric("Crop + flip", "10 views")
    crops = cached_ten_crops(loaded.digest, loaded.image, resize_to, crop)
    for row in (crops[:5], crops[5:]):
        for column, (label, jpeg) in zip(st.columns(5), row):
            column.image(jpeg, caption=label, width="stretch")


@st.cache_data(show_spinner=False)
def cached_six_or_nine():
    return six_or_nine()


def label_section() -> None:
    explain("studio.label")
    for column, view in zip(st.columns(5), cached_six_or_nine()):
        scores = ", ".join(f"{digit}: {value:.2f}" for digit, value in view.similarity.items())
        column.image(view.image, caption=f"{view.name}: looks like a {view.looks_like} ({scores})", width="stretch")
    explain("studio.advice", "info")


st.title("Augmentation Studio")
explain("studio.notice", "info")
loaded = image_input_ui()
chain = pipeline_ui()
count_column, seed_column = st.columns([1, 2], vertical_alignment="bottom")
count = count_column.slider("Number of samples", 1, 32, 8, key="count", bind="query-params")
with seed_column:
    seed = seed_ui()
if not chain:
    st.info("Pick at least one augmentation in the sidebar to build a pipeline.")
if loaded is not None:
    tabs = st.tabs(["Samples", "TrivialAugment explorer", "Test-time crops", "Label-preserving?", "Code"])
    with tabs[0]:
        if chain:
            samples_section(loaded, chain, count, seed)
    with tabs[1]:
        trivial_augment_section(loaded)
    with tabs[2]:
        test_time_crops_section(loaded)
    with tabs[3]:
        label_section()
    with tabs[4]:
        st.code(pipeline_code(chain, seed, count), language="python")
