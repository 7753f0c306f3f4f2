"""How a page is reached: through the router (app.py), and a lab only once the warm-up has imported its modules.

Light: imports Streamlit only. app.py runs as ``__main__`` on every rerun, this module once per process: the
router and the pages share its ``_routing`` flag and its one warm-up thread.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

# Home imports only the light pages.ui: Streamlit, the texts and the link helpers. The labs' modules (torch,
# torchvision, plotly, the shipped records) are imported by a background thread after the first page is sent.
LAB_MODULES = ("torch", "torchvision", "plotly.graph_objects", "pages.sections.studio", "pages.sections.batchnorm",
               "pages.sections.mc_dropout", "pages.sections.regularization", "core.claims")  # fmt: skip

_routing = threading.local()  # .active: this script thread is inside run_page(), so the page runs via the router
_warming = threading.Lock()  # taken once and kept: the warm-up thread starts once per process
_warm = threading.Event()  # set when that thread has imported them (or failed to)
# A first view's pictures go out this long before the imports start: the Studio's first picture came 2.18 s after a
# fresh server's start with this head start, 2.94 s without it (medians of 4 servers, this machine).
FIRST_VIEW_HEAD_START = 1.5  # s


def _warm_up() -> None:
    """Import every lab's modules, then move what exists by now out of the garbage collector's sight.

    Runs once per process, in the background: Home is painted meanwhile. Only this thread imports them: two
    threads importing torchvision at once met a half-initialized module (its package imports itself in a
    circle), so a lab's run waits for this one (``wait_for_labs``). gc.freeze(): the 445,000 objects of
    torch, plotly and the app's modules live as long as the server; scanning them made every full collection
    stall all sessions (about 250 ms in a py-spy profile; 29 ms at most since, ``python -m tests.bench --only cpu``).
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


def wait_for_labs(first_view: Callable[[], bool] | None = None) -> None:
    """Block until the warm-up thread has imported the labs' modules (at once if it has).

    Before that ``first_view`` may draw what needs none of them (it returns whether it drew anything); if it did,
    the page then runs again, whole, in place of what it drew.
    """
    drew = not _warm.is_set() and first_view is not None and first_view()
    if drew and not _warming.locked():  # the imports have not started yet: let its pictures go out first
        time.sleep(FIRST_VIEW_HEAD_START)
    start_warm_up()
    _warm.wait()
    if drew:
        st.rerun()


def leave_legacy_navigation() -> None:
    """The house layout keeps pages in pages/, which Streamlit takes for its legacy auto-discovered navigation
    until the server's first st.navigation call (and AppTest resets that before every run). Leave that mode.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def run_page(page: StreamlitPage) -> None:
    """Run the page the router chose: its use_router() lets it through."""
    _routing.active = True
    try:
        page.run()
    finally:
        _routing.active = False


def use_router() -> None:
    """The first call of every page: a page run without the router (legacy mode) leaves it and runs again.

    Checked per run, not by Streamlit's global flag alone: when a class opens a fresh server at once, a
    session can start in legacy mode just before another session's router turns the flag off.
    """
    if not getattr(_routing, "active", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
