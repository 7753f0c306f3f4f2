"""Cold start: from ``streamlit run`` to Home painted in Chromium, against a bare two-line Streamlit page.

The bare page (``import streamlit as st; st.write(...)``) runs with the app's own ``.streamlit/config.toml``:
no app can paint sooner. The browser is launched before each server, so its own start-up is not counted.
Target: Home's first paint at most 1.5x the bare page's, i.e. Home waits for nothing heavy (torch, torchvision,
plotly and the records are imported after it is sent). Measured twice: with the files in the page cache (a server
started again), and, where this user may drop the kernel's page cache (root), with every server started after
dropping it, as the first server after a boot (or a woken Community Cloud app) starts.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, settle
from tests.server import ROOT, streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
DROP_CACHES = Path("/proc/sys/vm/drop_caches")
BARE_PAGE = 'import streamlit as st\nst.write("A bare page")\n'


def first_paint(browser, root: Path | None = None, dropping: bool = False) -> tuple[float, float]:
    """(seconds to /_stcore/health, seconds to the first page rendered), both from spawning the server (after
    emptying the page cache if ``dropping``)."""
    if dropping:
        drop_page_cache()
    page = browser.new_page()
    with streamlit_server(ARTIFACTS / "coldstart_server.log", root=root) as server:
        page.goto(server.url)
        settle(page)
        rendered = time.perf_counter() - server.started
    page.close()
    return server.healthy - server.started, rendered


def bare_app(into: Path) -> Path:
    """A two-line app.py beside a copy of the app's Streamlit config."""
    shutil.copytree(ROOT / ".streamlit", into / ".streamlit")
    (into / "app.py").write_text(BARE_PAGE)
    return into


def drop_page_cache() -> bool:
    """Empty the kernel's page cache, as after a boot; False where this user may not."""
    os.sync()
    try:
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def report(quick: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    runs = 1 if quick else 3
    print(f"\n## Cold start: a fresh server to the first page painted in Chromium (median of {runs})")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as directory:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        bare = bare_app(Path(directory))
        for cache in ("in the page cache", "page cache dropped before each server"):
            dropping = cache != "in the page cache"
            if dropping and (quick or not drop_page_cache()):
                print(f"{cache}: not measured ({'--quick' if quick else 'this user may not drop it'})")
                continue
            pairs = [(first_paint(browser, bare, dropping), first_paint(browser, None, dropping)) for _ in range(runs)]
            bare_health, bare_paint = (statistics.median(p[0][i] for p in pairs) for i in (0, 1))
            health, paint = (statistics.median(p[1][i] for p in pairs) for i in (0, 1))
            verdict = "ok" if paint <= 1.5 * bare_paint else "MISSED"
            print(f"{cache}:\n  bare two-line page: /_stcore/health {bare_health:5.2f} s, painted {bare_paint:5.2f} s")
            print(f"  AugNorm Lab Home:   /_stcore/health {health:5.2f} s, painted {paint:5.2f} s  "
                  f"{paint / bare_paint:.2f}x the bare page  target ≤ 1.5x  {verdict}")  # fmt: skip
        browser.close()
