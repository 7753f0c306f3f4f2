"""AugNorm Lab: the router, plus the light widgets every page shares.

Run with ``streamlit run app.py``. Pages import these helpers with ``from app import ...``; the labs' heavy
shared caches are in ``pages/sections/shared.py``. The router itself only runs when Streamlit executes this
file as the main script.
"""

from __future__ import annotations

import base64
import functools
import gc
import importlib
import secrets
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.pages_manager import PagesManager

from core.links import rejected_settings
from core.texts import TEXTS

# Home imports only the above: Streamlit, the texts and the link helpers. The labs' modules (torch,
# torchvision, plotly, the shipped records) are imported by a background thread after the first page is sent.
LAB_MODULES = ("torch", "torchvision", "plotly.graph_objects", "pages.sections.studio", "pages.sections.batchnorm",
               "pages.sections.mc_dropout", "pages.sections.regularization", "core.claims")  # fmt: skip
MAX_SEED = 2**31 - 1
NARROW_VIEWPORT = 640  # px: a viewport narrower than this (a phone) gets the phone layout of every figure
# Projector mode: everything larger, for the back of a lecture hall (figures are enlarged by plot()).
# The first screen at 1280x720 holds each lab's key figure: less padding above the title, a smaller title.
PROJECTOR_CSS = """<style>
.stMainBlockContainer { font-size: 1.35rem; max-width: 100%; padding-top: 2.5rem; padding-bottom: 2rem; }
.stMainBlockContainer h1 { font-size: 2.2rem; padding: 0; }
header[data-testid="stHeader"] { background: transparent; }
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
.stMainBlockContainer [data-testid="stCode"] code { font-size: 1.2rem; }
.stMainBlockContainer .katex { font-size: 1.6em; }
</style>"""
PICTURE_GRIDS = (4, 5)  # pictures per row that pictures_ui offers
# A grid of pictures is one st.image in a container keyed "pictures<n>-..." (pictures_ui): laid out here as n
# columns, one on a phone, as st.columns would be (without a block per row and per cell). Fullscreen (Streamlit
# hides the body's overflow meanwhile), the pictures are a row to scroll through, each as large as the screen.
_FULLSCREEN = 'body[style*="overflow: hidden"] '


def _in_grids(selector: str, prefix: str = "") -> str:
    """``selector`` inside every picture grid's container, each preceded by ``prefix``."""
    return ", ".join(f'{prefix}[class*="st-key-pictures{n}-"] {selector}' for n in PICTURE_GRIDS)


_LIST = '[data-testid="stImage"]'  # Streamlit's list of pictures (a flex row of its own)
_COLUMNS = "".join(
    f'[class*="st-key-pictures{n}-"] {_LIST} {{ grid-template-columns: repeat({n}, minmax(0, 1fr)); }}'
    for n in PICTURE_GRIDS
)
# The uploader's own "25MB per file" would contradict the 10 MB the app accepts (its label says that instead).
APP_CSS = f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
{_in_grids(_LIST)} {{ display: grid; gap: 1rem; width: 100%; align-items: start; }}
{_COLUMNS}
@media (max-width: {NARROW_VIEWPORT - 0.02}px) {{ {_in_grids(_LIST)} {{ grid-template-columns: minmax(0, 1fr); }} }}
{_in_grids(_LIST, _FULLSCREEN)} {{
  grid-auto-flow: column; grid-template-columns: none; grid-auto-columns: 100%; overflow-x: auto;
  scroll-snap-type: x mandatory;
}}
{_in_grids('[data-testid="stImageContainer"]', _FULLSCREEN)} {{ scroll-snap-align: start; }}
{_in_grids("img", _FULLSCREEN)} {{ max-height: calc(100vh - 10rem) !important; object-fit: contain; }}
</style>"""
# What only the browser knows, in one sidebar component (one element per run, not four): whether the window is
# narrower than NARROW_VIEWPORT, reported again only when that changes, so plot() can lay figures out for a phone
# (Streamlit does not tell the server the viewport's width); and the address bar, shown as the link to share.
# The link is read from the address bar when it is shown: a section that reruns on its own updates the address
# bar but not the server-drawn parts outside it, so a link drawn by the server after the page went stale.
BROWSER_HTML = """
<details>
  <summary><svg viewBox="0 -960 960 960" aria-hidden="true"><path d="M440-280H280q-83 0-141.5-58.5T80-480q0-83
    58.5-141.5T280-680h160v80H280q-50 0-85 35t-35 85q0 50 35 85t85 35h160v80ZM320-440v-80h320v80H320Zm200
    160v-80h160q50 0 85-35t35-85q0-50-35-85t-85-35H520v-80h160q83 0 141.5 58.5T880-480q0 83-58.5 141.5T680-280H520Z"/>
  </svg>Share this view</summary>
  <p>Anyone opening this link sees the same settings, seeds and pictures (uploads excepted).</p>
  <output class="link"></output>
  <button type="button">Copy link</button>
</details>
"""
BROWSER_CSS = """
details { font-family: inherit; color: var(--st-text-color); }
summary {
  display: flex; align-items: center; justify-content: center; gap: 0.5rem; cursor: pointer; list-style: none;
  padding: 0.4rem 0.75rem; border: 1px solid color-mix(in srgb, var(--st-text-color) 20%, transparent);
  border-radius: var(--st-button-radius); background: var(--st-background-color);
}
summary::-webkit-details-marker { display: none; }
summary:hover { border-color: var(--st-primary-color); color: var(--st-primary-color); }
svg { width: 1.2em; height: 1.2em; fill: currentColor; }
p { font-size: 0.875em; opacity: 0.75; margin: 0.6rem 0 0.4rem; }
.link {
  display: block; font-family: var(--st-code-font); font-size: 0.8em; word-break: break-all; padding: 0.5rem;
  border-radius: var(--st-base-radius); background: var(--st-secondary-background-color); user-select: all;
}
button {
  margin-top: 0.5rem; width: 100%; font: inherit; color: inherit; cursor: pointer; padding: 0.3rem 0.75rem;
  border: 1px solid color-mix(in srgb, var(--st-text-color) 20%, transparent);
  border-radius: var(--st-button-radius); background: var(--st-background-color);
}
"""
BROWSER_JS = """
export default function ({ parentElement, data, setStateValue }) {
  const report = () => {
    const narrow = window.innerWidth < data.breakpoint;
    if (narrow !== data.narrow) setStateValue("narrow", narrow);
  };
  report();
  window.addEventListener("resize", report);
  const details = parentElement.querySelector("details");
  const link = parentElement.querySelector(".link");
  const button = parentElement.querySelector("button");
  const show = () => {
    const address = window.location.origin + window.location.pathname + window.location.search;
    if (link.textContent !== address) link.textContent = address;
  };
  show();
  details.ontoggle = show;
  const watch = setInterval(() => details.open && show(), 250);  // widgets rewrite the address as they change
  button.onclick = async () => {
    show();
    try {
      await navigator.clipboard.writeText(link.textContent);
      button.textContent = "Copied";
    } catch {  // no clipboard (plain http): select the link for Ctrl+C
      getSelection().selectAllChildren(link);
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => (button.textContent = "Copy link"), 2000);
  };
  return () => {
    window.removeEventListener("resize", report);
    clearInterval(watch);
  };
}
"""
_browser = st.components.v2.component("augnorm_browser", html=BROWSER_HTML, css=BROWSER_CSS, js=BROWSER_JS)


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
    # A young collection every 10,000 new container objects, not Python's 700: a rerun allocates many (protobuf
    # messages, plotly dicts), so fewer, larger collections (a guess at the gain: one --only cpu run each gave
    # 13.5 -> 13.0 ms of CPU per rerun and 34 -> 16 ms for the longest collection, within the runs' spread).
    # Cycles are still collected, in larger batches.
    gc.set_threshold(10_000, 10, 10)


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


@functools.cache
def picture_html(path: Path, alt: str) -> str:
    """An <img> holding the JPEG at ``path``, read and encoded once per process. Home's pictures are drawn so:
    st.image would import numpy into Home, which paints before the labs' imports."""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/jpeg;base64,{data}" alt="{alt}" style="width: 100%">'


def header_ui(title: str, notice: str) -> None:
    """The page's title and its *what to notice* box (core.texts' ``notice``); side by side when projected, so
    the first screen keeps its room for the key figure."""
    left, right = st.columns([1, 2], vertical_alignment="center") if projector_mode() else [st.container()] * 2
    left.title(title)
    with right:
        explain(notice, "info")


def beside_ui(ratio: Sequence[int] = (1, 3)) -> tuple[DeltaGenerator, DeltaGenerator]:
    """Where a section's controls and its key figure go: side by side when projected (the figure stays on the
    first screen at 1280x720), one under the other otherwise."""
    if projector_mode():
        controls, figure = st.columns(ratio, gap="large")
        return controls, figure
    here = st.container()
    return here, here


def narrow_viewport() -> bool:
    """The browser window is phone-sized (reported by the browser component that main() mounts)."""
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


def reserve_sidebar() -> None:
    """Called first by a fragment that may draw in the sidebar, and runs in every full run: it writes there each
    time (nothing visible), so Streamlit keeps it a place there. A fragment rerun that draws in the sidebar for the
    first time since the last full run raises StreamlitInvalidLayoutContextError (a tab or a choice can decide
    whether it does). A fragment that does not run in every full run must not draw in the sidebar."""
    st.sidebar.empty()


@st.fragment
def tabs_ui(key: str, sections: dict[str, Callable[[], None]], sidebar: bool = False) -> None:
    """Tabs of which only the open one runs its section. A fragment: opening another tab reruns the tabs alone,
    not the page's header, sidebar and router (a section that is a fragment itself reruns alone on its widgets).
    ``sidebar``: a section may draw in the sidebar (then it must not be a fragment, and these tabs must run in
    every full run of the page; see reserve_sidebar)."""
    if sidebar:
        reserve_sidebar()
    label, tab = open_tab_ui(key, list(sections))
    with tab:
        sections[label]()
    recheck_link_ui()


def recheck_link_ui() -> None:
    """At the end of a fragment that opens tabs: a tab opened by a fragment rerun draws widgets the full run's
    link_check_ui has not seen, so the link's settings waiting for them are judged here (on a full run, here
    first, and link_check_ui finds them judged)."""
    if st.session_state.get("link_pending"):
        link_check_ui(None)


def _draw_new_seed(key: str) -> None:
    st.session_state[key] = secrets.randbelow(10_000)


def seed_ui(key: str = "seed") -> int:
    """A visible seed with a button that draws a new one: the same seed always gives the same pictures.

    Drawn in every tab that uses it; its value stays while another tab is open.
    """
    row = st.container(horizontal=True, vertical_alignment="bottom")  # one block (columns: three)
    seed = row.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        # No explicit value: it starts at min_value (0). An explicit default plus the New seed callback writing
        # the same key made Streamlit log a long "set via the Session State API" warning on every press.
        step=1,
        key=key,
        bind="query-params",
        persist_state="page",
    )
    row.button("New seed", icon=":material/casino:", on_click=_draw_new_seed, args=(key,), key=f"{key}-new")
    return int(seed)


def link_check_ui(requested: dict[str, list[str]] | None) -> None:
    """What the opening link (``requested`` on a session's first run) could not set, judged for each setting once
    its widget has been drawn (a hidden tab's widgets are not), said in a toast.

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
        _browser(
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
    link_check_ui(requested)
    start_warm_up()  # after the page is sent: the first visitor's Home does not wait for torch


if __name__ == "__main__":
    # Run the router from the imported module, the one the pages import, so they share ``_routing``.
    import app

    app.main()
