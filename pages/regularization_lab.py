"""Regularization Lab: augmentation and regularizers on scarce data, L2 vs weight decay, early stopping, ensembles."""

from pages.ui.kit import header_ui, presets_ui
from pages.ui.routing import use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core.labs import REGULARIZATION
from pages.sections.regularization import lab_section

header_ui(REGULARIZATION.title, "reg.notice")
presets_ui(REGULARIZATION.name)
lab_section()
