"""The light widgets every page shares: projector mode, explanations, headers, presets, picture grids, tabs, seeds
and the link check.

Light: imports Streamlit and light core modules only (labs, lecture, texts, links, pictures, presets), so Home
and the Studio's first view can use it before the labs' imports.
"""

from __future__ import annotations

import base64
import functools
import secrets
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import lecture
from core.labs import Lab
from core.links import rejected_settings
from core.pictures import encoded_format
from core.presets import presets_markdown
from core.texts import TEXTS

MAX_SEED = 2**31 - 1
NARROW_VIEWPORT = 640  # px: a viewport narrower than this (a phone) gets the phone layout of every figure
PICTURE_GRIDS = (4, 5)  # pictures per row that pictures_ui offers


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


def presented_slide() -> int | None:
    """The lecture's slide (from 0) this view was opened for (``?slide=N``), or None."""
    return lecture.slide_from_query(st.query_params.get(lecture.SLIDE_KEY))


# For the browser component: each slide's key figure (core.lecture), which it shows whole when a view is opened
# for that slide (pages/ui/assets/browser.js). A tuple: Streamlit asks whether a list in a component's data is a
# dataframe, which imports numpy, pandas and pyarrow (0.4 s) on a fresh server's first run: Home's first paint was
# 1.49x a bare page's with the page cache dropped, 1.25x since (1.37x and 1.29x with it; medians of 3).
SLIDE_FIGURES = tuple(slide.figure for slide in lecture.SLIDES)


def header_ui(title: str, notice: str) -> None:
    """The page's title and its *what to notice* box (core.texts' ``notice``); side by side when projected, so
    the first screen keeps its room for the key figure. Projected while presenting, neither: the lecture's bar
    names the slide, and the slide's figure takes the screen."""
    if projector_mode() and presented_slide() is not None:
        return
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
    """The browser window is phone-sized (reported by the browser component that app.py mounts)."""
    return bool(st.session_state.get("viewport", {}).get("narrow", False))


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
def tabs_ui(lab: Lab, sections: Mapping[StrEnum, Callable[[], None]], sidebar: bool = False) -> None:
    """The lab's tabs (core.labs), of which only the open one runs its section. A fragment: opening another tab
    reruns the tabs alone, not the page's header, sidebar and router (a section that is a fragment itself reruns
    alone on its widgets). ``sidebar``: a section may draw in the sidebar (then it must not be a fragment, and these
    tabs must run in every full run of the page; see reserve_sidebar)."""
    if list(sections) != list(lab.tabs):
        raise ValueError(f"{lab.title}: one section per tab, in the tabs' order ({lab.labels})")
    if sidebar:
        reserve_sidebar()
    label, tab = open_tab_ui(lab.tab_key, lab.labels)
    with tab:
        sections[lab.tabs(label)]()
    recheck_link_ui()


def recheck_link_ui() -> None:
    """At the end of a fragment that opens tabs: a tab opened by a fragment rerun draws widgets the full run's
    link_check_ui has not seen, so the link's settings waiting for them are judged here (on a full run, here
    first, and link_check_ui finds them judged)."""
    if st.session_state.get("link_pending"):
        link_check_ui()


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


LINK_LABELS: dict[str, Callable[[object], str]] = {}  # a bound widget's format_func by its key (see link_label)


def link_label(key: str, format_func: Callable[[object], str]) -> Callable[[object], str]:
    """``format_func`` of the widget ``key``, noted for the link check: a link carries its choices by label."""
    LINK_LABELS[key] = format_func
    return format_func


def link_check_ui() -> None:
    """What the opening link (its settings, kept in ``link_pending`` by a session's first run) could not set,
    judged for each setting once its widget has been drawn (a hidden tab's widgets are not), said in a toast.

    A name no widget of the page draws (a typo, another page's setting) stays unjudged and leaves with the page.
    """
    state = st.session_state
    pending = state.get("link_pending", {})
    drawn = {name: values for name, values in pending.items() if name in state}
    # Still waiting: names not drawn yet that are still in the URL (a page switch takes its settings away).
    state.link_pending = {
        name: values for name, values in pending.items() if name not in state and name in st.query_params
    }
    rejected = rejected_settings(drawn, state, LINK_LABELS)
    if rejected:
        st.toast("Ignored from the link (invalid values): " + "; ".join(rejected), icon=":material/link_off:")


def lecture_nav_ui() -> None:
    """While presenting (a view opened from the Lecture page, ``?slide=N``): the previous and the next slide's
    views and the list, in one line above the page, so the lecturer walks the lecture without the sidebar. The
    projector setting travels by itself (its toggle is bound to the link)."""
    index = presented_slide()
    if index is None:
        return
    if st.session_state.get("lecture_slide") != index:  # just arrived: the slide's settings win over this session's
        st.session_state.lecture_slide = index  # widgets, which a visit to the same page earlier left set
        for key in lecture.slide_query(index, projector=False):
            st.session_state.pop(key, None)  # the widget is drawn anew and takes its value from the link
    before, after = lecture.neighbours(index)
    with st.container(horizontal=True, vertical_alignment="center", key="lecture_nav"):
        for other, label, icon in ((before, "Previous", "arrow_back"), (after, "Next", "arrow_forward")):
            if other is None:
                continue
            st.page_link(
                lecture.slide_page(other),
                label=f"{label}: {other + 1}",
                icon=f":material/{icon}:",
                help=lecture.SLIDES[other].title,
                query_params=lecture.slide_query(other, projector=False),
            )
        here = f"Slide {index + 1} of {len(lecture.SLIDES)}: {lecture.SLIDES[index].title}"
        st.page_link("pages/lecture.py", label=here, icon=":material/list:")


def pictures_ui(name: str, cells: Sequence[tuple[bytes, str]], per_row: int = PICTURE_GRIDS[0]) -> None:
    """Pictures with their captions, ``per_row`` to a row (stacked on a phone, in order): one st.image of them
    all, in a container keyed ``pictures<per_row>-<name>`` (``name`` unique in a run) that pages.ui.shell.APP_CSS
    lays out as that grid.

    One element, not a block per row and per cell: the server pays about 0.09 ms for every message of a rerun
    (``python -m tests.bench --only messages``). All cells share one format. "stretch": a width in pixels smaller
    than a picture would make Streamlit shrink and encode it again on every rerun.
    """
    if per_row not in PICTURE_GRIDS:
        raise ValueError(f"pages.ui.shell.APP_CSS lays out {PICTURE_GRIDS} pictures per row, not {per_row}")
    if not cells:
        return
    formats = {encoded_format(picture) for picture, _ in cells}
    if len(formats) > 1:
        raise ValueError(f"the pictures of one grid are sent in one format, got {sorted(formats)}")
    with st.container(key=f"pictures{per_row}-{name}"):
        st.image(
            [picture for picture, _ in cells],
            caption=[caption for _, caption in cells],
            width="stretch",
            output_format=formats.pop(),
        )


def presets_ui(page: str) -> None:
    """The page's one-click presets, as links (each opens its view in a new tab): under the header; projected, in
    the sidebar, so the first screen keeps its room for the key figure."""
    projector = projector_mode()
    (st.sidebar if projector else st).markdown(presets_markdown(page, projector))
