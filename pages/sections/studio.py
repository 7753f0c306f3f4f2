"""Augmentation Studio's sections and caches: a torchvision pipeline and exactly what it draws for every sample."""

from __future__ import annotations

import streamlit as st
from PIL import Image

from core.augment import BY_TITLE, GROUPS, Augmentation, group_catalogue, titles_by_group
from core.auto_augment import trivial_augment_op, trivial_augment_space
from core.images import LoadedImage, contact_sheet, decode_jpeg, digest_of, display_jpeg, png_bytes
from core.label_demo import six_or_nine
from core.labs import STUDIO, StudioTab
from core.mixing import MIX_NAMES, MIX_SIDE, MIXERS, mixed_cells, mixing_code
from core.pipeline import (
    DEFAULT_CHAIN,
    DEFAULT_COUNT,
    DISPLAY_SIDE,
    AugmentationError,
    ChainItem,
    display_samples,
    param_key,
    pipeline_code,
    sample_cells,
    ten_crops,
)
from pages.sections.data import decoded_image, sample_bytes
from pages.sections.inputs import memory_section, preprocessing_section
from pages.sections.widgets import image_input_ui, table
from pages.ui.first_view import samples_per_row
from pages.ui.kit import explain, pictures_ui, projector_mode, seed_ui, tabs_ui

# The caches are st.cache_resource: their JPEG bytes and pictures are only read, so a hit copies nothing.
COLUMNS = 4  # samples per row of the downloaded grid


@st.cache_resource(max_entries=32, show_spinner="Drawing samples…")
def cached_grid(
    digest: str, code: str, _image: Image.Image, _chain: list[ChainItem], count: int, seed: int
) -> list[tuple[bytes, tuple[str, ...]]]:
    """(JPEG, what was drawn) per sample; ``code`` spells out chain, seed and count, so it keys the cache."""
    return display_samples(_image, _chain, count, seed)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_original(digest: str, _image: Image.Image) -> bytes:
    return display_jpeg(_image, DISPLAY_SIDE)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_trivial_augment(digest: str, _image: Image.Image, name: str, bin: int, negative: bool) -> tuple[bytes, str]:
    image, op = trivial_augment_op(_image, name, bin, negative)
    return display_jpeg(image, 640), op.describe()


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_ten_crops(digest: str, _image: Image.Image, resize_to: int, crop: int) -> list[tuple[bytes, str]]:
    """(JPEG, label) per crop: the cells of pictures_ui."""
    return [(display_jpeg(image, DISPLAY_SIDE), label) for label, image in ten_crops(_image, resize_to, crop)]


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_mix(kind: str, alpha: float, seed: int) -> tuple[list[tuple[bytes, str]], float, tuple | None]:
    images = [decoded_image(digest_of(data), data).image for data in map(sample_bytes, MIX_NAMES)]
    cells, mixed = mixed_cells(images, kind, alpha, seed, MIX_NAMES, MIX_SIDE)
    return cells, mixed.lam, mixed.box


def params_ui(augmentation: Augmentation, prefix: str) -> dict:
    """One slider per parameter, bound to the link; values rounded to their step."""
    values = {
        param.name: st.slider(
            param.label, param.low, param.high, param.default, param.step, help=param.help or None,
            key=param_key(augmentation, param, prefix), bind="query-params", persist_state="session",
        )
        for param in augmentation.params
    }  # fmt: skip
    return augmentation.clean(values)


def pipeline_ui() -> list[ChainItem]:
    """Sidebar: which augmentations, in which order, with which parameters."""
    st.sidebar.subheader("Pipeline")
    titles = st.sidebar.multiselect(
        "Augmentations, applied in the order picked",
        [title for group in GROUPS for title in titles_by_group(group)],
        default=list(DEFAULT_CHAIN),
        key="chain",
        bind="query-params",
        persist_state="session",  # the BatchNorm Lab augments your image with this pipeline
    )
    st.sidebar.caption(group_catalogue())
    chain = []
    for title in titles:
        augmentation = BY_TITLE[title]
        with st.sidebar.expander(f"{augmentation.title} · {augmentation.group}"):
            st.caption(augmentation.explanation)
            values = params_ui(augmentation, "")
        problem = augmentation.problem(values)
        if problem:
            st.warning(f"**{augmentation.title}** is left out: {problem}", icon=":material/tune:")
            continue
        chain.append(ChainItem(augmentation, values))
    return chain


def pipeline_chips_ui(chain: list[ChainItem]) -> None:
    """Projected, the sidebar is closed: the pipeline as a line of chips in the main area, in its order (in the
    tabs that use it)."""
    chips = " → ".join(f":blue-background[{item.augmentation.title}]" for item in chain)
    st.markdown(f"**Pipeline:** {chips or 'none (open the sidebar to pick augmentations)'}")


def count_seed_ui() -> tuple[int, int]:
    """How many samples, drawn with which seed: in each tab that uses them, kept while another tab is open."""
    with st.container(horizontal=True, vertical_alignment="bottom"):
        count = st.slider(
            "Number of samples", 1, 32, DEFAULT_COUNT, key="count", bind="query-params", persist_state="page"
        )
        seed = seed_ui("studio_seed")
    return count, seed


def samples_ui(loaded: LoadedImage, chain: list[ChainItem], count: int, seed: int, label: str) -> list | None:
    """The original, then the samples, at the same size; a clear message if torchvision cannot apply the chain."""
    try:
        samples = cached_grid(loaded.digest, pipeline_code(chain, seed, count), loaded.image, chain, count, seed)
    except AugmentationError as error:
        st.warning(f"{error}. Change the settings or the image.", icon=":material/tune:")
        return None
    original, size = cached_original(loaded.digest, loaded.image), (loaded.image.width, loaded.image.height)
    cells = sample_cells(original, size, samples, label)
    pictures_ui("samples", cells, per_row=samples_per_row())
    return samples


@st.fragment
def pipeline_section(loaded: LoadedImage, chain: list[ChainItem]) -> None:
    """The pipeline's samples; a new count or seed reruns only this section."""
    if not chain:
        st.info("Pick at least one augmentation in the sidebar to build a pipeline.")
        return
    if projector_mode():
        pipeline_chips_ui(chain)
    count, seed = count_seed_ui()
    explain("studio.samples", "caption", seed=seed)
    samples = samples_ui(loaded, chain, count, seed, "#")
    if samples:
        st.download_button(
            "Download grid (PNG)",
            data=lambda: png_bytes(contact_sheet([decode_jpeg(jpeg) for jpeg, _ in samples], columns=COLUMNS)),
            file_name=f"augnorm-grid-seed{seed}.png",
            mime="image/png",
            icon=":material/download:",
            type="tertiary",
        )


@st.fragment
def one_transform_section(loaded: LoadedImage) -> None:
    explain("studio.one")
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    group = left.segmented_control(
        "Group", GROUPS, default=GROUPS[0], required=True, key="one_group", bind="query-params"
    )
    titles = titles_by_group(group)
    title = right.selectbox("Augmentation", titles, key=f"one.{group.split()[0].lower()}", bind="query-params")
    augmentation = BY_TITLE[title]
    st.caption(augmentation.explanation)
    with st.container(horizontal=True):
        values = params_ui(augmentation, "one.")
    problem = augmentation.problem(values)
    if problem:
        st.warning(f"**{augmentation.title}**: {problem}", icon=":material/tune:")
        return
    count, seed = count_seed_ui()
    samples_ui(loaded, [ChainItem(augmentation, values)], count, seed, "draw ")


@st.fragment
def mixing_section() -> None:
    explain("studio.mixing")
    seed = seed_ui("studio_seed")
    left, right = st.columns(2, vertical_alignment="bottom")
    kind = left.segmented_control(
        "Transform", list(MIXERS), default="CutMix", required=True, key="mix", bind="query-params"
    )
    alpha = right.slider("λ ~ Beta(α, α) with α =", 0.1, 2.0, 1.0, 0.1, key="mix_alpha", bind="query-params")
    cells, lam, box = cached_mix(kind, round(alpha, 1), seed)
    box_text = f", box (x1, y1, x2, y2) = {box} pasted from the partner" if box else ""
    st.markdown(f"Drawn with seed {seed}: **λ = {lam:.3f}** (each image's own share){box_text}.")
    pictures_ui("mixed", cells)
    st.code(mixing_code(kind, round(alpha, 1), seed, MIX_NAMES, MIX_SIDE), language="python")


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
    right.container(key="trivial_augment_picture").image(
        jpeg, caption=description, width="stretch", output_format="JPEG"
    )
    table("trivial_augment_space", space, content=(loaded.image.height, loaded.image.width))


@st.fragment
def test_time_crops_section(loaded: LoadedImage) -> None:
    explain("studio.test_time_crops")
    left, right = st.columns(2)
    resize_to = left.slider("Resize short side to (px)", 64, 512, 256, 8, key="tta_resize", bind="query-params")
    crop = right.slider("Crop size (px)", 32, 512, 224, 8, key="tta_crop", bind="query-params")
    if crop > resize_to:
        st.warning(f"The crop ({crop} px) must fit in the resized image ({resize_to} px): shrink the crop.")
        return
    counts = st.container(horizontal=True)
    counts.metric("No augmentation", "1 view")
    counts.metric("Flip", "2 views")
    counts.metric("Crop + flip", "10 views")
    pictures_ui("crops", cached_ten_crops(loaded.digest, loaded.image, resize_to, crop), per_row=5)


@st.cache_resource(show_spinner=False)
def cached_six_or_nine() -> list[tuple[bytes, str]]:
    """Each view of the digit as PNG, with its caption."""
    return [
        (png_bytes(view.image), f"{view.name}: a {view.looks_like} ({view.verdict}), score "
         f"{view.similarity[view.looks_like]:.2f}")
        for view in six_or_nine()
    ]  # fmt: skip


def label_section() -> None:
    explain("studio.label")
    for column, (picture, caption) in zip(st.container(key="six_or_nine").columns(5), cached_six_or_nine()):
        column.image(picture, caption=caption, output_format="PNG")
    explain("studio.advice", "info")


@st.fragment
def code_section(chain: list[ChainItem]) -> None:
    if projector_mode():
        pipeline_chips_ui(chain)
    count, seed = count_seed_ui()
    st.code(pipeline_code(chain, seed, count), language="python")


@st.fragment
def studio_section() -> None:
    """The image and the pipeline (in the sidebar), then the tabs. One fragment: a new image, pipeline or tab reruns
    it alone, not the header and the router."""
    loaded = image_input_ui()
    chain = pipeline_ui()
    if loaded is not None:
        tabs_ui(
            STUDIO,
            {
                StudioTab.PIPELINE: lambda: pipeline_section(loaded, chain),
                StudioTab.ONE_TRANSFORM: lambda: one_transform_section(loaded),
                StudioTab.MIXING: mixing_section,
                StudioTab.TRIVIAL_AUGMENT: lambda: trivial_augment_section(loaded),
                StudioTab.TEST_TIME_CROPS: lambda: test_time_crops_section(loaded),
                StudioTab.LABEL_PRESERVING: label_section,
                StudioTab.PREPROCESSING: lambda: preprocessing_section(loaded),
                StudioTab.MEMORY: lambda: memory_section(loaded, chain),
                StudioTab.CODE: lambda: code_section(chain),
            },
        )
