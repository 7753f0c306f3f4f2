"""AugNorm Lab: the router, plus the light widgets every page shares.

Run with ``streamlit run app.py``. Pages import these helpers with ``from app import ...``; the labs' heavy
shared caches are in ``pages/sections/shared.py``. The router itself only runs when Streamlit executes this
file as the main script.
"""

from __future__ import annotations

import gc
import importlib
import secrets
import threading
from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.pages_manager import PagesManager

from core.links import rejected_settings, share_url
from core.texts import TEXTS

# Home imports only the above: Streamlit, the texts and the link helpers. The labs' modules (torch,
# torchvision, plotly, the shipped records) are imported by a background thread after the first page is sent.
LAB_MODULES = ("torch", "torchvision", "plotly.graph_objects", "pages.sections.studio", "pages.sections.batchnorm",
               "pages.sections.mc_dropout", "pages.sections.regularization", "core.claims")  # fmt: skip
MAX_SEED = 2**31 - 1
NARROW_VIEWPORT = 640  # px: a viewport narrower than this (a phone) gets the phone layout of every figure
# Projector mode: everything larger, for the back of a lecture hall (figures are enlarged by plot()).
PROJECTOR_CSS = """<style>
.stMainBlockContainer { font-size: 1.35rem; max-width: 100%; }
.stMainBlockContainer h1 { font-size: 3.2rem; }
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer label { font-size: 1.35rem; }
.stMainBlockContainer [data-testid="stMetricValue"] p { font-size: 2.6rem; line-height: 1.25; }
.stMainBlockContainer [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
.stMainBlockContainer [data-testid="stMetricDelta"] p { font-size: 1.1rem; }
[data-testid="stCaptionContainer"] { font-size: 1.15rem; }
.stMainBlockContainer input, [data-testid="stSliderThumbValue"] { font-size: 1.35rem; }
.stMainBlockContainer .stSlider [data-testid="stWidgetLabel"] { margin-bottom: 1rem; }
.stMainBlockContainer button { min-height: 3rem; }
.stMainBlockContainer button p { font-size: 1.35rem; white-space: normal; overflow: visible; text-overflow: clip; }
.stMainBlockContainer [data-baseweb="tab"] p { font-size: 1.35rem; }
.stMainBlockContainer [data-testid="stTable"] :is(td, th) { font-size: 1.2rem; }
</style>"""
# The uploader's own "25MB per file" would contradict the 10 MB the app accepts (its label says that instead).
APP_CSS = '<style>[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }</style>'
# Reports whether the browser window is narrower than NARROW_VIEWPORT, and again only when that changes, so
# plot() can lay figures out for a phone (Streamlit does not tell the server the viewport's width).
VIEWPORT_JS = """
export default function ({ data, setStateValue }) {
  const report = () => {
    const narrow = window.innerWidth < data.breakpoint;
    if (narrow !== data.narrow) setStateValue("narrow", narrow);
  };
  report();
  window.addEventListener("resize", report);
  return () => window.removeEventListener("resize", report);
}
"""
_viewport = st.components.v2.component("augnorm_viewport", html="<span></span>", js=VIEWPORT_JS)


_routing = threading.local()  # .active: this script thread is inside main(), so the page runs via the router
_warming = threading.Lock()  # taken once and kept: the warm-up thread starts once per process
_warm = threading.Event()  # set when that thread has imported them (or failed to)


def _warm_up() -> None:
    """Import every lab's modules, then move what exists by now out of the garbage collector's sight.

    Runs once per process, in the background: Home is painted meanwhile. Only this thread imports them: two
    threads importing torchvision at once met a half-initialized module (its package imports itself in a
    circle), so a lab's run waits for this one (``wait_for_labs``). gc.freeze(): the 445,000 objects of
    torch, plotly and the app's modules live as long as the server; scanning them made every full collection
    stall all sessions (about 250 ms in issue 21's profile; 29 ms at most since, ``--only cpu``).
    """
    try:
        for name in LAB_MODULES:
            importlib.import_module(name)
    finally:
        _warm.set()
    gc.collect()
    gc.freeze()


def start_warm_up() -> None:
    """Start _warm_up once per process (the first run of any session calls this)."""
    if _warming.acquire(blocking=False):
        threading.Thread(target=_warm_up, name="augnorm-warm-up", daemon=True).start()


def wait_for_labs() -> None:
    """Block until the warm-up thread has imported the labs' modules (at once if it has)."""
    start_warm_up()
    _warm.wait()


def _leave_legacy_navigation() -> None:
    """The house layout keeps pages in pages/, which Streamlit takes for its legacy auto-discovered navigation
    until the server's first st.navigation call (and AppTest resets that before every run). Leave that mode.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def use_router() -> None:
    """The first call of every page: a page run without the router (legacy mode) leaves it and runs again.

    Checked per run, not by Streamlit's global flag alone: when a class opens a fresh server at once, a
    session can start in legacy mode just before another session's router turns the flag off.
    """
    if not getattr(_routing, "active", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def projector_mode() -> bool:
    """Presentation mode: the sidebar toggle, or ``?projector=true`` in the link before the toggle exists."""
    return bool(st.session_state.get("projector", st.query_params.get("projector") == "true"))


def explain(key: str, style: str = "markdown", **values: object) -> None:
    """Show one of core.texts' explanations (as markdown, caption or info box), filled with live ``values``.

    In projector mode only its key sentence is shown.
    """
    text = TEXTS[key]
    text = (text.short if projector_mode() else text.full).format(**values)
    if style == "info":
        st.info(text, icon=":material/lightbulb:")
    else:
        getattr(st, style)(text)


def narrow_viewport() -> bool:
    """The browser window is phone-sized (reported by the viewport component that main() mounts)."""
    return bool(st.session_state.get("viewport", {}).get("narrow", False))


def _rerun_with_new_layout() -> None:
    """Nothing to do: the rerun that follows lays every figure out again. (Streamlit keeps a component's state
    value only under a name that has an ``on_<name>_change`` callback.)"""


def open_tab_ui(key: str, labels: Sequence[str]) -> tuple[str, DeltaGenerator]:
    """Tabs bound to the link (``?key=<label>``): the open tab's label and container. Pages fill only that
    one, so hidden tabs compute nothing."""
    tabs = st.tabs(labels, key=key, bind="query-params")
    label, tab = next(((label, tab) for label, tab in zip(labels, tabs) if tab.open), (labels[0], tabs[0]))
    return label, tab


def tabs_ui(key: str, sections: dict[str, Callable[[], None]]) -> None:
    """Tabs of which only the open one runs its section."""
    label, tab = open_tab_ui(key, list(sections))
    with tab:
        sections[label]()


def _draw_new_seed(key: str) -> None:
    st.session_state[key] = secrets.randbelow(10_000)


def seed_ui(key: str = "seed") -> int:
    """A visible seed with a button that draws a new one: the same seed always gives the same pictures."""
    column_seed, column_button = st.columns([2, 1], vertical_alignment="bottom")  # room for "New seed", projected
    seed = column_seed.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        # No explicit value: it starts at min_value (0). An explicit default plus the New seed callback writing
        # the same key made Streamlit log a long "set via the Session State API" warning on every press.
        step=1,
        key=key,
        bind="query-params",
    )
    column_button.button(
        "New seed",
        icon=":material/casino:",
        on_click=_draw_new_seed,
        args=(key,),
        key=f"{key}-new",
        width="stretch",
    )
    return int(seed)


def share_ui(requested: dict[str, list[str]] | None) -> None:
    """Sidebar: the link to this exact view; and what the opening link (``requested`` on a session's first run)
    could not set, judged for each setting once its widget has been drawn (a hidden tab's widgets are not).

    A name no widget of the page draws (a typo, another page's setting) stays unjudged and leaves with the page.
    """
    state = st.session_state
    pending = requested if requested is not None else state.get("link_pending", {})
    drawn = {name: values for name, values in pending.items() if name in state}
    # Still waiting: names not drawn yet that are still in the URL (a page switch takes its settings away).
    state.link_pending = {
        name: values for name, values in pending.items() if name not in state and name in st.query_params
    }
    rejected = rejected_settings(drawn, state)
    if rejected:
        st.toast("Ignored from the link (invalid values): " + "; ".join(rejected), icon=":material/link_off:")
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    with st.sidebar.popover("Share this view", icon=":material/link:", width="stretch"):
        st.caption("Anyone opening this link sees the same settings, seeds and pictures (uploads excepted).")
        st.code(share_url(st.context.url, params), language=None, wrap_lines=True)


def main() -> None:
    _leave_legacy_navigation()
    projector = projector_mode()
    st.set_page_config(
        page_title="AugNorm Lab",
        page_icon=":material/science:",
        layout="wide",
        initial_sidebar_state="collapsed" if projector else "auto",
    )
    # A session's first run: remember what the link asked for, to say afterwards what could not be used.
    requested = None if "link_checked" in st.session_state else {k: st.query_params.get_all(k) for k in st.query_params}
    st.session_state.link_checked = True
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/augmentation_studio.py", title="Augmentation Studio", icon=":material/auto_awesome:"),
        st.Page("pages/batchnorm_lab.py", title="BatchNorm Lab", icon=":material/equalizer:"),
        st.Page("pages/mc_dropout_lab.py", title="MC Dropout Lab", icon=":material/casino:"),
        st.Page("pages/regularization_lab.py", title="Regularization Lab", icon=":material/tune:"),
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
        _viewport(
            key="viewport",
            data={"narrow": narrow_viewport(), "breakpoint": NARROW_VIEWPORT},
            default={"narrow": False},
            on_narrow_change=_rerun_with_new_layout,
        )
    if page is not pages[0]:  # a lab (or Lecture claims): its heavy imports come from the warm-up thread
        wait_for_labs()
    _routing.active = True
    try:
        page.run()
    finally:
        _routing.active = False
    share_ui(requested)
    start_warm_up()  # after the page is sent: the first visitor's Home does not wait for torch


if __name__ == "__main__":
    # Run the router from the imported module, the one the pages import, so they share ``_routing``.
    import app

    app.main()
