"""BatchNorm Lab: what normalization does inside a real CNN trained on Fashion-MNIST."""

from app import header_ui, tabs_ui, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from pages.sections.batchnorm import (
    activations_section,
    formula_section,
    initialization_section,
    live_training_section,
    train_vs_test_section,
)
from pages.sections.deep import deep_networks_section, nonlinearities_section, normalizations_section
from pages.sections.shared import presets_ui

header_ui("BatchNorm Lab", "bn.notice")
presets_ui("batchnorm_lab")
tabs_ui(
    "bn_tab",
    {
        "Activations": activations_section,
        "Live training": live_training_section,
        "Train vs test": train_vs_test_section,
        "BN formula": formula_section,
        "Initialization": initialization_section,
        "Other normalizations": normalizations_section,
        "Deep networks": deep_networks_section,
        "Non-linearities": nonlinearities_section,
    },
    sidebar=True,  # Activations: the user's image is chosen there
)
