"""MC Dropout Lab: run one trained network many times with dropout on, and read its uncertainty."""

import streamlit as st

from app import beside_ui, header_ui, open_tab_ui, projector_mode, seed_ui, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core.mc_dropout import OVERCONFIDENT
from core.precomputed import MAX_PASSES
from pages.sections.mc_dropout import (
    TABS,
    basics_section,
    calibration_section,
    input_ui,
    model_p_ui,
    ood_section,
    perturbation_section,
    prediction_section,
    tta_section,
)
from pages.sections.shared import presets_ui

header_ui("MC Dropout Lab", "mc.notice")
presets_ui("mc_dropout_lab")
left, middle, right = st.columns([1, 1, 2], vertical_alignment="bottom")
passes = middle.slider("Passes T", 1, MAX_PASSES, 50, key="mc_T", bind="query-params")
with right:
    seed = seed_ui()
label, tab = open_tab_ui("mc_tab", TABS)
# The over-confident network has its own p: the model's p is hidden for it (a link's choice arrives by one rerun).
own_p = label == "Calibration" and st.session_state.get("mc_calibration_net") == OVERCONFIDENT
p = model_p_ui(left, own_p)
uses_input = label in TABS[:2]  # only the first two tabs use the input
with tab:  # projected, the sidebar is closed: the input goes beside the figure
    panel, shown = beside_ui() if projector_mode() and uses_input else (st.sidebar, st.container())
chosen = input_ui(panel, where=[tab] if uses_input else [])
with shown:
    match label, chosen:
        case "Prediction", (key, x):
            prediction_section(p, key, x, passes, seed, panel)
        case "Perturbation", (key, x):
            perturbation_section(p, key, x, passes, seed)
        case "Calibration", _:
            calibration_section(p, passes, own_p)
        case "In vs out", _:
            ood_section(p, passes)
        case "Dropout basics", _:
            basics_section()
        case "Test-time augmentation", _:
            tta_section(p)
