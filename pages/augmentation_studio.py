"""Augmentation Studio: build a torchvision pipeline and see exactly what it draws for every sample."""

import streamlit as st

from app import explain, seed_ui, tabs_ui, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core.augment import pipeline_code
from pages.sections.shared import image_input_ui
from pages.sections.studio import (
    label_section,
    mixing_section,
    one_transform_section,
    pipeline_section,
    pipeline_ui,
    test_time_crops_section,
    trivial_augment_section,
)

st.title("Augmentation Studio")
explain("studio.notice", "info")
st.page_link(
    "pages/regularization_lab.py",
    label="What augmentation buys a real CNN: shifted, rotated, mirrored test items (Regularization Lab › Small data)",
    icon=":material/insights:",
    query_params={"reg_tab": "Small data"},
)
loaded = image_input_ui()
chain = pipeline_ui()
count_column, seed_column = st.columns([1, 2], vertical_alignment="bottom")
count = count_column.slider("Number of samples", 1, 32, 8, key="count", bind="query-params")
with seed_column:
    seed = seed_ui("studio_seed")
if loaded is not None:
    tabs_ui(
        "studio_tab",
        {
            "Pipeline": lambda: pipeline_section(loaded, chain, count, seed),
            "One transform": lambda: one_transform_section(loaded, count, seed),
            "CutMix & MixUp": lambda: mixing_section(seed),
            "TrivialAugment explorer": lambda: trivial_augment_section(loaded),
            "Test-time crops": lambda: test_time_crops_section(loaded),
            "Label-preserving?": label_section,
            "Code": lambda: st.code(pipeline_code(chain, seed, count), language="python"),
        },
    )
