"""MC Dropout Lab: run one trained network many times with dropout on, and read its uncertainty."""

from app import header_ui, use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from pages.sections.mc_dropout import lab_section
from pages.sections.shared import presets_ui

header_ui("MC Dropout Lab", "mc.notice")
presets_ui("mc_dropout_lab")
lab_section()
