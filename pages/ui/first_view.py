"""The Augmentation Studio's first view on a fresh server: its shipped pictures while torch is imported.

Light: imports Streamlit, pages.ui.kit and core.pictures only (no numpy, no torch).
"""

from __future__ import annotations

import streamlit as st

from core.labs import STUDIO
from core.pictures import load_cells, matching
from pages.ui.kit import PICTURE_GRIDS, explain, header_ui, pictures_ui, presets_ui, projector_mode


def samples_per_row() -> int:
    """The Studio's samples per row: five when projected (the original and four draws fill one row)."""
    return 5 if projector_mode() else 4


def studio_first_view_ui() -> bool:
    """If the link opens a view whose pictures are shipped (core.pictures): the page's header and those pictures,
    as the Studio will show them. Returns whether it drew them."""
    view = matching({key: st.query_params.get_all(key) for key in st.query_params})
    if view is None:
        return False
    header_ui(STUDIO.title, "studio.notice")
    presets_ui(STUDIO.name)
    explain("studio.first_view", "caption")
    per_row = samples_per_row() if view.grid == "samples" else PICTURE_GRIDS[0]  # the mixed batch: the default
    pictures_ui(view.grid, load_cells(view), per_row=per_row)
    return True
