"""Augmentation Studio: build a torchvision pipeline and see exactly what it draws for every sample."""

import streamlit as st

from app import header_ui, projector_mode, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from pages.sections.shared import presets_ui
from pages.sections.studio import studio_section

header_ui("Augmentation Studio", "studio.notice")
presets_ui("augmentation_studio")
if not projector_mode():  # projected, the grid needs the room (the sidebar's menu reaches the Regularization Lab)
    st.page_link(
        "pages/regularization_lab.py",
        label="What augmentation buys a real CNN: shifted, rotated, mirrored test items "
        "(Regularization Lab › Small data)",
        icon=":material/insights:",
        query_params={"reg_tab": "Small data"},
    )
studio_section()
