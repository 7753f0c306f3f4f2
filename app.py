"""AugNorm Lab: the router, plus the widgets and caches every page shares.

Run with ``streamlit run app.py``. Pages import the shared helpers with ``from app import ...``; the
router itself only runs when Streamlit executes this file as the main script.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.pages_manager import PagesManager

from core import claims
from core.data import Split, load_subset
from core.figures import NARROW_VIEWPORT, adapted
from core.images import (
    ACCEPTED_TEXT,
    MAX_BYTES,
    SAMPLE_DIR,
    ImageInputError,
    LoadedImage,
    digest_of,
    display_jpeg,
    load_image,
)
from core.links import rejected_settings, share_url
from core.models import SmallCNN
from core.precomputed import Precomputed
from core.precomputed import load as load_precomputed
from core.runs import Run, load_probs, load_record, load_run, private_model
from core.texts import TEXTS
from core.threads import configure_torch_threads

configure_torch_threads()  # sized to the container's CPU quota, once per process

SAMPLE_NAMES = tuple(sorted(path.stem for path in SAMPLE_DIR.glob("*.jpg")))
MAX_SEED = 2**31 - 1
SIDEBAR_SIDE = 480  # px sent for the sidebar preview: sharp at 2x on a ~240 px wide sidebar
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


class UploadEvicted(LookupError):
    """The session's upload is no longer in the bounded cache (only its digest was kept)."""


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def decoded_image(digest: str, _data: bytes | None) -> LoadedImage:
    """Decode once per distinct file: keyed by the bytes' sha256, not by Streamlit's hashing of them.

    ``_data`` None looks an earlier upload up by its digest alone (another page has no file widget holding it).
    """
    if _data is None:
        raise UploadEvicted(digest)  # exceptions are not cached: the next real upload decodes normally
    return load_image(_data)


@st.cache_data(max_entries=32, show_spinner=False)
def preview_jpeg(digest: str, _image: Image.Image) -> bytes:
    return display_jpeg(_image, SIDEBAR_SIDE)


@st.cache_data(max_entries=len(SAMPLE_NAMES), show_spinner=False)
def sample_bytes(name: str) -> bytes:
    return (SAMPLE_DIR / f"{name}.jpg").read_bytes()


@st.cache_resource(show_spinner=False)
def fashion_subset() -> dict[str, Split]:
    """The shipped Fashion-MNIST subset, loaded once per server and shared read-only."""
    return load_subset()


@st.cache_resource(show_spinner=False)
def shipped_run(name: str) -> Run:
    """A shipped training run (record and weights), shared read-only: pages only build private copies."""
    return load_run(name)


@st.cache_resource(show_spinner=False)
def shipped_record(name: str) -> dict:
    """A shipped run's record (curves, accuracies), read from disk once and shared read-only."""
    return load_record(name)


@st.cache_resource(show_spinner=False)
def shipped_probs(name: str) -> np.ndarray:
    """A shipped run's saved test-set softmax outputs (2000, 10), read once and shared read-only."""
    return load_probs(name)


@st.cache_resource(show_spinner=False)
def precomputed() -> Precomputed:
    """The shipped dataset-wide results (``core.precomputed``), read once per server and shared read-only."""
    return load_precomputed()


@st.cache_resource(show_spinner=False)
def shipped_model(name: str) -> SmallCNN:
    """A shipped network in eval mode, shared by all sessions: never put in train mode, never hooked."""
    run = shipped_run(name)
    return private_model(run.config, run.final, train=False)


def _forget_removed_upload() -> None:
    """The uploader's ×: the session's upload is gone. (A page's empty uploader alone does not mean that.)"""
    if st.session_state.get("upload") is None:
        st.session_state.pop("upload_digest", None)
        st.session_state.pop("upload_name", None)


def _uploaded_image(where: Sequence) -> tuple[LoadedImage | None, str]:
    """The session's upload: the file in this page's uploader, or the one uploaded earlier on any page.

    Only its digest and name live in st.session_state; the decoded picture lives in decoded_image's bounded cache.
    """
    state = st.session_state
    upload = st.sidebar.file_uploader(
        f"Your image (at most {MAX_BYTES // 2**20} MB)",
        key="upload",
        help=f"{ACCEPTED_TEXT}; at most {MAX_BYTES // 2**20} MB and 40 megapixels.",
        on_change=_forget_removed_upload,
    )
    data = upload.getvalue() if upload is not None else None
    if data is not None:
        state.pop("upload_digest", None)  # a file that cannot be used replaces the earlier picture too
        state.upload_name = upload.name
    label = state.get("upload_name", "")
    digest = digest_of(data) if data is not None else state.get("upload_digest")
    if digest is None:
        for place in where:
            place.info("This needs an image: upload one in the sidebar, or switch the source back to *Sample*.")
        return None, label
    try:
        loaded = decoded_image(digest, data)
    except UploadEvicted:
        state.pop("upload_digest", None)
        for place in where:
            place.warning(
                f"**{label}** is no longer in the server's memory (it keeps recent uploads for a while): "
                "please upload it again in the sidebar.",
                icon=":material/history:",
            )
        return None, label
    except ImageInputError as error:
        for place in where:
            place.error(f"**{label}** can't be used: {error}", icon=":material/broken_image:")
        return None, label
    state.upload_digest = digest
    if upload is None:
        st.sidebar.caption("Uploaded earlier in this session. Upload another file to replace it.")
    return loaded, label


def image_input_ui(where: Sequence = (st,)) -> LoadedImage | None:
    """Sidebar: a bundled sample or the user's upload, the session's choice on every page until changed.

    Returns the image, or None after saying why in each of ``where`` (the places of the sections needing it).
    """
    sidebar = st.sidebar
    sidebar.subheader("Image")
    source = sidebar.segmented_control(
        "Source",
        ["Sample", "Upload"],
        default="Sample",
        required=True,
        key="source",
        bind="query-params",
        persist_state="session",
    )
    if source == "Sample":
        name = sidebar.selectbox(
            "Sample image",
            SAMPLE_NAMES,
            index=SAMPLE_NAMES.index("cat"),
            key="image",
            bind="query-params",
            persist_state="session",
        )
        data = sample_bytes(name)
        loaded, label = decoded_image(digest_of(data), data), f"{name}.jpg"
    else:
        loaded, label = _uploaded_image(where)
        if loaded is None:
            return None
    size = f"{loaded.image.width}×{loaded.image.height} px"
    sidebar.image(preview_jpeg(loaded.digest, loaded.image), caption=f"{label}: {size}")
    for note in loaded.notes:
        sidebar.caption(note)
    return loaded


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


def claim_note(name: str) -> None:
    """One of the lecture's claims as the records show it: stated if shown, otherwise where this network differs."""
    text = claims.sentence(name, short=projector_mode())
    if claims.verdict(name) == claims.SHOWN:
        st.success(text, icon=":material/check_circle:")
    else:
        st.warning(text, icon=":material/science:")


@st.cache_resource(max_entries=128, ttl=3600, show_spinner=False)
def shared_figure(builder: str, _build: Callable[..., go.Figure], *args: object, **kwargs: object) -> go.Figure:
    """``_build(*args, **kwargs)`` once per builder name and distinct content, shared read-only by every session.

    plotly builds figures slowly and Streamlit sends them quickly (BatchNorm Lab histograms: 61 ms vs 5 ms),
    so a class opening the same page pays for each figure once.
    """
    return _build(*args, **kwargs)


def narrow_viewport() -> bool:
    """The browser window is phone-sized (reported by the viewport component that main() mounts)."""
    return bool(st.session_state.get("viewport", {}).get("narrow", False))


def _rerun_with_new_layout() -> None:
    """Nothing to do: the rerun that follows lays every figure out again. (Streamlit keeps a component's state
    value only under a name that has an ``on_<name>_change`` callback.)"""


def show_figure(key: str, figure: go.Figure, container=st) -> None:
    """Show ``figure`` fitted to the screen (phone, projector) with an HTML download button."""
    narrow, projector = narrow_viewport(), projector_mode()
    if narrow or projector:
        figure = adapted(figure, narrow, projector)  # a private copy: a shared figure is never changed
    # On a phone plotly's toolbar covers the figure's title, and touch users pan and zoom with their fingers.
    container.plotly_chart(figure, key=key, config={"displayModeBar": not narrow})
    container.download_button(
        "Download figure (HTML)",
        data=lambda: figure.to_html(include_plotlyjs="cdn"),  # built only when clicked
        file_name=f"augnorm-{key}.html",
        mime="text/html",
        key=f"{key}-download",
        icon=":material/download:",
        type="tertiary",
    )


def plot(key: str, build: Callable[..., go.Figure], *args: object, container=st, **kwargs: object) -> None:
    """Show the shared core figure ``build(*args, **kwargs)`` fitted to the screen, with a download button."""
    show_figure(key, shared_figure(f"{build.__module__}.{build.__qualname__}", build, *args, **kwargs), container)


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
    _routing.active = True
    try:
        page.run()
    finally:
        _routing.active = False
    share_ui(requested)


if __name__ == "__main__":
    # Run the router from the imported module, the one the pages import, so they share ``_routing``.
    import app

    app.main()
