"""Regularization Lab: augmentation and regularizers on scarce data, L2 vs weight decay, early stopping, ensembles."""

from app import header_ui, tabs_ui, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from pages.sections.checkpoints import checkpoint_section, dropout_time_section
from pages.sections.regularization import (
    early_stopping_section,
    ensembles_section,
    small_data_section,
    weight_decay_section,
)
from pages.sections.shared import presets_ui

header_ui("Regularization Lab", "reg.notice")
presets_ui("regularization_lab")
tabs_ui(
    "reg_tab",
    {
        "Small data": small_data_section,
        "Weight decay vs L2": weight_decay_section,
        "Early stopping": early_stopping_section,
        "Ensembles": ensembles_section,
        "Checkpoint ensembles": checkpoint_section,
        "Dropout: training time": dropout_time_section,
    },
)
