"""MC Dropout Lab: run one trained network many times with dropout on, and read its uncertainty."""

from pages.ui.kit import header_ui, presets_ui
from pages.ui.routing import use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core.labs import MC_DROPOUT
from pages.sections.mc_dropout import lab_section

header_ui(MC_DROPOUT.title, "mc.notice")
presets_ui(MC_DROPOUT.name)
lab_section()
