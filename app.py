"""AugNorm Lab: the router. Run with ``streamlit run app.py``.

The pages are in pages/; what they share is in pages/ui/ (light: Home imports it) and pages/sections/ (the labs'
heavy data, widgets and sections, imported by the warm-up thread after the first page is sent).
"""

from __future__ import annotations

import streamlit as st

from core.labs import LABS, STUDIO
from pages.ui.first_view import studio_first_view_ui
from pages.ui.kit import (
    NARROW_VIEWPORT,
    SLIDE_FIGURES,
    lecture_nav_ui,
    link_check_ui,
    narrow_viewport,
    projector_mode,
)
from pages.ui.routing import leave_legacy_navigation, run_page, start_warm_up, wait_for_labs
from pages.ui.shell import APP_CSS, PROJECTOR_CSS, browser


def _rerun_with_new_layout() -> None:
    """Nothing to do: the rerun that follows lays every figure out again. (Streamlit keeps a component's state
    value only under a name that has an ``on_<name>_change`` callback.)"""


def main() -> None:
    leave_legacy_navigation()
    projector = projector_mode()
    st.set_page_config(
        page_title="AugNorm Lab",
        page_icon="🧪",  # an emoji: the browser draws it (a material icon is fetched from fonts.gstatic.com)
        layout="wide",
        initial_sidebar_state="collapsed" if projector else "auto",
    )
    # A session's first run: remember what the link asked for, to say afterwards what could not be used (in the
    # session: the Studio's first view ends its run early, and the run after judges it).
    if "link_pending" not in st.session_state:
        st.session_state.link_pending = {key: st.query_params.get_all(key) for key in st.query_params}
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/lecture.py", title="Lecture", icon=":material/slideshow:"),
        *(st.Page(lab.page, title=lab.title, icon=lab.icon) for lab in LABS),
        st.Page("pages/lecture_claims.py", title="Lecture claims", icon=":material/fact_check:"),
    ]
    page = st.navigation(pages)
    st.sidebar.toggle(
        "Projector mode",
        key="projector",
        bind="query-params",
        help="Large text and figures, key sentences only, sidebar collapsed. Share it with ?projector=true.",
    )
    st.html(APP_CSS + (PROJECTOR_CSS if projector else ""))
    with st.sidebar:
        browser(
            key="viewport",  # narrow_viewport() reads the state it reports
            data={"narrow": narrow_viewport(), "breakpoint": NARROW_VIEWPORT, "figures": SLIDE_FIGURES},
            default={"narrow": False},
            on_narrow_change=_rerun_with_new_layout,
        )
    if page is not pages[0]:  # a lab (or Lecture, Lecture claims): its heavy imports come from the warm-up thread
        wait_for_labs(studio_first_view_ui if page.title == STUDIO.title else None)
    lecture_nav_ui()
    run_page(page)
    link_check_ui()
    start_warm_up()  # after the page is sent: the first visitor's Home does not wait for torch


if __name__ == "__main__":  # as Streamlit runs it; importing it (a test does) only loads what the router imports
    main()
