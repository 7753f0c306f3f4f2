"""Augmentation Studio: build a torchvision pipeline and see exactly what it draws for every sample."""

import streamlit as st

from app import header_ui, projector_mode, tabs_ui, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from pages.sections.inputs import memory_section, preprocessing_section
from pages.sections.shared import image_input_ui, presets_ui
from pages.sections.studio import (
    code_section,
    label_section,
    mixing_section,
    one_transform_section,
    pipeline_chips_ui,
    pipeline_section,
    pipeline_ui,
    test_time_crops_section,
    trivial_augment_section,
)

header_ui("Augmentation Studio", "studio.notice")
presets_ui("augmentation_studio")
projector = projector_mode()
if not projector:  # projected, the grid needs the room (the sidebar's menu reaches the Regularization Lab)
    st.page_link(
        "pages/regularization_lab.py",
        label="What augmentation buys a real CNN: shifted, rotated, mirrored test items "
        "(Regularization Lab › Small data)",
        icon=":material/insights:",
        query_params={"reg_tab": "Small data"},
    )
loaded = image_input_ui()
chain = pipeline_ui()
if projector:
    pipeline_chips_ui(chain)
if loaded is not None:
    tabs_ui(
        "studio_tab",
        {
            "Pipeline": lambda: pipeline_section(loaded, chain),
            "One transform": lambda: one_transform_section(loaded),
            "CutMix & MixUp": mixing_section,
            "TrivialAugment explorer": lambda: trivial_augment_section(loaded),
            "Test-time crops": lambda: test_time_crops_section(loaded),
            "Label-preserving?": label_section,
            "Pre-processing": lambda: preprocessing_section(loaded),
            "Memory vs speed": lambda: memory_section(loaded, chain),
            "Code": lambda: code_section(chain),
        },
    )
