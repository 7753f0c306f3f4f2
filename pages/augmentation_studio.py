"""Augmentation Studio: build a torchvision pipeline and see exactly what it draws for every sample."""

import streamlit as st

from pages.ui.kit import header_ui, presets_ui, projector_mode
from pages.ui.routing import use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core.labs import REGULARIZATION, STUDIO, RegularizationTab
from pages.sections.studio import studio_section

header_ui(STUDIO.title, "studio.notice")
presets_ui(STUDIO.name)
if not projector_mode():  # projected, the grid needs the room (the sidebar's menu reaches the Regularization Lab)
    st.page_link(
        REGULARIZATION.page,
        label="What augmentation buys a real CNN: shifted, rotated, mirrored test items "
        "(Regularization Lab › Small data)",
        icon=":material/insights:",
        query_params={REGULARIZATION.tab_key: RegularizationTab.SMALL_DATA},
    )
studio_section()
