"""Cold start to the first augmented picture: the Augmentation Studio against albumentations-demo, side by side.

Each round starts a fresh server of one app, then of the other (the browser launched before both, so its own
start-up is not counted), and times from spawning the server to the first augmented picture loaded in Chromium:
the Studio's sample ``#0``, albumentations-demo's "Transformed image". albumentations-demo
(github.com/IliaLarchenko/albumentations-demo, commit ad22189) runs from a checkout named by the environment
variable ALBUMENTATIONS_DEMO, in a venv this part makes with its requirements pinned (``albumentations_demo.txt``:
its own pins, numpy raised to the oldest with wheels for Python 3.11). Without the checkout, or if the venv cannot be
installed, the part says so and measures the Studio alone.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.server import ROOT, streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
DEMO_VENV = ARTIFACTS / "albumentations-demo-venv"
DEMO_REQUIREMENTS = Path(__file__).parent / "albumentations_demo.txt"
# Its sdists import pkg_resources while building, which setuptools 70 and later no longer ship.
BUILD_CONSTRAINTS = "setuptools<70\n"
# True once an <img> whose picture has arrived sits in a picture element whose caption holds ``marker``.
PICTURE_SHOWN = """marker => [...document.querySelectorAll('img')].some(img => img.complete && img.naturalWidth > 0
    && (img.closest('[data-testid=stImageContainer], [data-testid=stImage]')?.innerText || '').includes(marker))"""
TIMEOUT_MS = 120_000


def demo_python() -> tuple[Path | None, str]:
    """(albumentations-demo's checkout, '') with its venv made, or (None, why it cannot run here)."""
    checkout = os.environ.get("ALBUMENTATIONS_DEMO")
    if not checkout or not (Path(checkout) / "src" / "app.py").exists():
        return None, "set ALBUMENTATIONS_DEMO to a checkout of github.com/IliaLarchenko/albumentations-demo"
    python = DEMO_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DEMO_VENV)], check=True)
        constraints = ARTIFACTS / "albumentations-demo-build-constraints.txt"
        constraints.write_text(BUILD_CONSTRAINTS)
        env = {**os.environ, "PIP_BUILD_CONSTRAINT": str(constraints), "PIP_CONSTRAINT": str(constraints)}
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(DEMO_REQUIREMENTS)], env=env, capture_output=True
        )
        if installed.returncode != 0:
            shutil.rmtree(DEMO_VENV)
            return None, "its pinned requirements could not be installed: " + installed.stderr.decode()[-300:]
    return Path(checkout), ""


def first_picture(browser, root: Path, script: str, python: str, path: str, marker: str) -> float:
    """Seconds from spawning the server of ``root``/``script`` to the first picture captioned ``marker``."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log = ARTIFACTS / "firstpicture_server.log"
    with streamlit_server(log, root=root, script=script, python=python) as server:
        page.goto(server.url + path)
        page.wait_for_function(PICTURE_SHOWN, arg=marker, timeout=TIMEOUT_MS)
        shown = time.perf_counter() - server.started
    page.close()
    return shown


def report(quick: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    rounds = 1 if quick else 5
    demo, why = (None, "not in --quick") if quick else demo_python()
    studio, others = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for _ in range(rounds):  # alternating, so a slow moment of the machine falls on both
            studio.append(first_picture(browser, ROOT, "app.py", sys.executable, "/augmentation_studio", "#0"))
            if demo is not None:
                python = str(DEMO_VENV / "bin" / "python")
                others.append(first_picture(browser, demo, "src/app.py", python, "/", "Transformed image"))
        browser.close()
    print(f"\n## Cold start to the first augmented picture (fresh servers, Chromium, median of {rounds})")
    print(f"Augmentation Studio (default view):   {statistics.median(studio):5.2f} s  (all: "
          f"{', '.join(f'{s:.2f}' for s in studio)})")  # fmt: skip
    if demo is None:
        print(f"albumentations-demo: not measured ({why})")
        return
    ratio = statistics.median(studio) / statistics.median(others)
    verdict = "ok" if ratio <= 1.0 else "MISSED"
    print(f"albumentations-demo (its default):    {statistics.median(others):5.2f} s  (all: "
          f"{', '.join(f'{s:.2f}' for s in others)})")  # fmt: skip
    print(f"ratio: {ratio:.2f}x albumentations-demo's  target ≤ 1.0x  {verdict}")
