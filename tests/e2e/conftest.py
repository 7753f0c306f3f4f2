"""Real-browser fixtures: a `streamlit run` server on a free loopback port and Debian's Chromium via Playwright.

As in Streamlit's own e2e suite, the server fixture waits for /_stcore/health. Chromium is launched from its
executable path (no browser download). Without it the tests fail in CI (CI=true) and skip elsewhere.
Screenshots go to tests/e2e/artifacts/; with UPDATE_SCREENSHOTS=1 the README's ones in
tests/e2e/screenshots/ are rewritten too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from tests.server import ServerError, streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network and a root user: no sandbox, no background connections to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The shots kept in the repository (README shows some); every other one stays a git-ignored artifact.
README_SCREENSHOTS = {
    f"{page}{variant}"
    for page in ("home", "augmentation_studio", "batchnorm_lab", "mc_dropout_lab", "regularization_lab")
    for variant in ("", "_projector")
} | {"mc_dropout_lab_phone_prediction", "regularization_lab_phone_small_data"}
CARDS = Path(__file__).parents[2] / "core" / "assets" / "cards"  # Home's picture of each lab, from its shot
# Each card shows its lab's key figure alone (the element keyed so): a page's text would be too small to read.
CARD_FIGURES = {
    "augmentation_studio": "pictures4-samples",
    "batchnorm_lab": "histograms",
    "mc_dropout_lab": "distribution",
    "regularization_lab": "invariance",
}
CARD_WIDTH = 480  # px: sharp in Home's two columns, about 30 KB each
LOAD_TIMEOUT_MS = 120_000  # the first page of a fresh server imports torch
TAB_CLICKS, TAB_SELECT_TIMEOUT_MS = 3, 20_000  # a tab is clicked again if it is not selected within 20 s


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real `streamlit run app.py` on 127.0.0.1; yields its base URL."""
    try:
        with streamlit_server(ARTIFACTS / "server.log") as running:
            yield running.url
    except ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no shared cookies or state) with one page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    yield page
    context.close()


def open_app(page, url: str) -> None:
    """Go to ``url`` and wait until the script has finished running (no spinner, status idle)."""
    page.goto(url)
    settle(page)


def settle(page) -> None:
    """Wait for the script run that an interaction triggered to finish."""
    page.wait_for_timeout(400)  # give the rerun time to start
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")  # lazily loaded widget code and images
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=LOAD_TIMEOUT_MS)


def open_sidebar(page) -> None:
    """Open the collapsed sidebar. A click that lands while a late rerun redraws the page is lost on a slow machine,
    so click again until the sidebar reports itself open."""
    opened = page.locator("[data-testid='stSidebar'][data-collapsed='false']")
    for _ in range(10):
        if opened.count():
            return
        page.get_by_test_id("stExpandSidebarButton").click()
        try:
            opened.wait_for(timeout=10_000)
        except PlaywrightTimeoutError:
            settle(page)
    opened.wait_for(timeout=1_000)  # fails with Playwright's own message


def upload(page, path) -> None:
    """Switch the image source to Upload and choose ``path`` in the real file chooser."""
    page.get_by_text("Upload", exact=True).click()
    settle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    settle(page)


def sample_captions(page) -> list[str]:
    """The Augmentation Studio's per-sample captions ("#0 …")."""
    texts = page.locator("[data-testid='stImageCaption']").all_inner_texts()
    return [text for text in texts if text.startswith("#")]


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()


def screenshot(page, name: str) -> None:
    """Save the whole page to the artifacts (and what the window shows to the README's screenshots when updating).

    Streamlit scrolls inside its own container, so a "full page" shot would only show the window: the window is
    made as tall as the page for the artifact, then restored.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    if os.environ.get("UPDATE_SCREENSHOTS") and name in README_SCREENSHOTS:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png")
        if name in CARD_FIGURES:
            figure = page.locator(f".st-key-{CARD_FIGURES[name]}").first
            save_card(figure.screenshot(style=".modebar-container { display: none }"), CARDS / f"{name}.jpg")
    window = page.viewport_size
    tall = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": window["width"], "height": max(window["height"], min(tall, 12_000))})
    page.wait_for_timeout(500)  # the figures re-fit to the taller window
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    page.set_viewport_size(window)


def save_card(shot: bytes, card: Path) -> None:
    """Home's card of a lab: its key figure's shot (PNG bytes), at most 3:4 high (cut at the bottom),
    CARD_WIDTH wide, as JPEG."""
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(shot)) as image:
        figure = image.convert("RGB").crop((0, 0, image.width, min(image.height, image.width * 3 // 4)))
        figure.thumbnail((CARD_WIDTH, CARD_WIDTH))
        card.parent.mkdir(parents=True, exist_ok=True)
        figure.save(card, quality=82, optimize=True)


@contextmanager
def window(browser, width: int, height: int, **options) -> Iterator:
    """A page in a fresh browser context of ``width`` x ``height`` (e.g. a phone: is_mobile, has_touch)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    try:
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        yield page
    finally:
        context.close()


def shared_link(page) -> str:
    """The link the sidebar's *Share this view* offers now (its box opened if closed)."""
    share = page.locator("details:has-text('Share this view')")
    if not share.evaluate("box => box.open"):
        page.get_by_text("Share this view").click()
    page.wait_for_timeout(400)  # the box re-reads the address bar four times a second
    return share.locator(".link").inner_text().strip()


def tab_names(page) -> list[str]:
    return page.get_by_role("tab").all_inner_texts()


def open_tab(page, name: str) -> None:
    """Click the tab ``name`` and wait for the rerun that draws it: only the open tab's content exists."""
    selected = page.get_by_role("tab", name=name, exact=True, selected=True)
    for _ in range(TAB_CLICKS):  # a click can miss: once in CI (2026-12-05) a phone's tab stayed unselected 120 s
        page.get_by_role("tab", name=name, exact=True).click()
        try:
            selected.wait_for(timeout=TAB_SELECT_TIMEOUT_MS)
            break
        except PlaywrightTimeoutError:
            continue
    selected.wait_for()
    settle(page)
    panel = page.get_by_role("tabpanel", name=name)
    panel.locator("[data-testid='stElementContainer']:not([data-stale='true'])").first.wait_for()
