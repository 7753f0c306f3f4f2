"""First visit on a fresh server: each page's first visit in Chromium against Home's first visit.

Per page, a fresh ``streamlit run``: Home is opened in a fresh browser context (the class's first student),
then the page in another (its first visitor), then the page in a third (the second visitor). Each visit is
timed in the browser, from navigation start to the page fully rendered: the script's last run finished and
the last response (the page's code, fonts, pictures) received. The settle waits around it (a fixed pause, then
half a second without traffic) are not counted. Home paints without torch and starts one thread that imports the
libraries and the labs' modules; a lab opened right after waits for that. Target: a page's first visit at most
1.5x Home's first visit plus those imports (``python -c "import torch, torchvision, plotly.graph_objects"`` in a
fresh process), i.e. opening a lab waits for nothing else that could be ready: no model, data or figure.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LOAD_TIMEOUT_MS, settle
from tests.server import streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
PAGES = {
    "Augmentation Studio": "augmentation_studio",
    "BatchNorm Lab": "batchnorm_lab",
    "MC Dropout Lab": "mc_dropout_lab",
    "Regularization Lab": "regularization_lab",
    "Lecture claims": "lecture_claims",
}
QUICK_PAGES = ["BatchNorm Lab"]
TARGET = 1.5  # a page's first visit / (Home's first visit on the same server + the libraries' import time)
IMPORTS = "import torch, torchvision, plotly.graph_objects"
# Before the page's own code: note when the script last stopped running (the app's status attribute), in the
# page's clock (milliseconds since navigation start).
WATCH_SCRIPT = """
window.__scriptFinished = 0;
new MutationObserver(() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (app && app.getAttribute("data-test-script-state") === "notRunning") window.__scriptFinished = performance.now();
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
"""
RENDERED_AT = """() => Math.max(
  window.__scriptFinished,
  performance.getEntriesByType("navigation")[0].loadEventEnd,
  ...performance.getEntriesByType("resource").map(entry => entry.responseEnd),
)"""


def visit(browser, url: str) -> float:
    """Seconds from navigating to ``url`` in a fresh browser context to the page fully rendered."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        page.add_init_script(WATCH_SCRIPT)
        page.goto(url)
        settle(page)  # the run finished, the page's code and pictures are in, no skeleton left
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stSpinner\"]')")
        if page.evaluate("window.__scriptFinished") == 0:
            raise RuntimeError(f"{url}: the script never ran")
        return page.evaluate(RENDERED_AT) / 1000
    finally:
        context.close()


def first_visits(browser, path: str) -> tuple[float, float, float]:
    """On a server of its own: (Home's first visit, the page's first visit, the page's second visit)."""
    with streamlit_server(ARTIFACTS / f"firstvisit_{path}_server.log") as server:
        home = visit(browser, server.url)
        first = visit(browser, f"{server.url}/{path}")
        second = visit(browser, f"{server.url}/{path}")
    return home, first, second


def import_time(runs: int = 3) -> float:
    """Median seconds of a fresh interpreter importing the libraries the labs need."""
    times = []
    for _ in range(runs):
        code = f"import time; started = time.perf_counter(); {IMPORTS}; print(time.perf_counter() - started)"
        times.append(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout))
    return statistics.median(times)


def report(quick: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    titles = QUICK_PAGES if quick else list(PAGES)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        visits = {title: first_visits(browser, PAGES[title]) for title in titles}
        browser.close()
    imports = import_time(1 if quick else 3)
    print("\n## First visit on a fresh server (Chromium, a fresh server per page; navigation -> fully rendered)")
    print(f"target: a page's first visit ≤ {TARGET}x (Home's first visit on the same server + {imports:.2f} s, the "
          f"libraries' import time: {IMPORTS})")  # fmt: skip
    print(f"{'page':<20} {'first visit':>11} {'second visit':>12} {'Home first':>10} {'ratio':>7}")
    ratios = {title: first / (home + imports) for title, (home, first, _) in visits.items()}
    for title, (home, first, second) in visits.items():
        verdict = "ok" if ratios[title] <= TARGET else "MISSED"
        print(f"{title:<20} {first:>9.2f} s {second:>10.2f} s {home:>8.2f} s {ratios[title]:>6.2f}x  {verdict}")
    worst = max(ratios, key=ratios.get)
    ok = ratios[worst] <= TARGET
    print(f"worst ratio: {ratios[worst]:.2f}x ({worst})  target ≤ {TARGET}x  {'ok' if ok else 'MISSED'}")
