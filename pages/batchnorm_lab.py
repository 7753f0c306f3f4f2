"""BatchNorm Lab: what normalization does inside a real CNN trained on Fashion-MNIST."""

from pages.ui.kit import header_ui, presets_ui
from pages.ui.routing import use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core.labs import BATCHNORM
from pages.sections.batchnorm import lab_section

header_ui(BATCHNORM.title, "bn.notice")
presets_ui(BATCHNORM.name)
lab_section()
