"""Cold start: from ``streamlit run`` to the first page fully rendered in Chromium, against the import floor.

The floor is ``python -c "import torch, torchvision, streamlit"``: no app can start faster. The browser is
launched before the server, so its own start-up is not counted. Target: at most ~1.5x the floor, i.e.
nothing heavy (training, dataset decoding, figure building) happens at import or start-up.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, settle
from tests.server import streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"


def import_floor() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch, torchvision, streamlit"], check=True)
    return time.perf_counter() - started


def cold_start(browser) -> tuple[float, float]:
    """(seconds to /_stcore/health, seconds to the Home page rendered), both from spawning the server."""
    page = browser.new_page()
    with streamlit_server(ARTIFACTS / "coldstart_server.log") as server:
        page.goto(server.url)
        settle(page)
        rendered = time.perf_counter() - server.started
    page.close()
    return server.healthy - server.started, rendered


def report(quick: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    runs = 1 if quick else 3
    floors = [import_floor() for _ in range(runs)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        starts = [cold_start(browser) for _ in range(runs)]
        browser.close()
    floor = statistics.median(floors)
    health = statistics.median(start[0] for start in starts)
    rendered = statistics.median(start[1] for start in starts)
    print(f"\n## Cold start (median of {runs}; the OS file cache is warm)")
    print(f"floor: python -c 'import torch, torchvision, streamlit'  {floor:6.2f} s")
    print(f"streamlit run -> /_stcore/health                         {health:6.2f} s")
    verdict = "ok" if rendered <= 1.5 * floor else "MISSED"
    print(f"streamlit run -> Home rendered in Chromium               {rendered:6.2f} s  "
          f"{rendered / floor:.2f}x the floor  target ≤ 1.5x  {verdict}")  # fmt: skip
