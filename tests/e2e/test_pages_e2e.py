"""Every other page in a real browser: loads, its main widgets respond, a screenshot per page."""

import re
from urllib.parse import urlencode

import pytest

from core.labs import BATCHNORM, BatchNormTab, RegularizationTab

from .conftest import assert_no_exception, open_app, open_sidebar, open_tab, screenshot, settle, upload


@pytest.mark.parametrize("path", ["", "batchnorm_lab", "mc_dropout_lab", "regularization_lab", "lecture_claims"])
def test_page_loads_without_exception(page, server, path):
    """Each page renders with no exception box and shows its navigation."""
    open_app(page, f"{server}/{path}")
    assert_no_exception(page)
    assert page.get_by_role("link", name="Augmentation Studio").first.is_visible()
    # The tab's icon is drawn by the browser (an inline SVG of an emoji), not fetched from a font server.
    assert page.locator("link[rel='shortcut icon']").get_attribute("href").startswith("data:image/svg+xml")
    screenshot(page, path or "home")
    page.set_viewport_size({"width": 1280, "height": 720})  # a lecture hall's projector
    open_app(page, f"{server}/{path}?projector=true")
    assert_no_exception(page)
    screenshot(page, f"{path or 'home'}_projector")


def test_batchnorm_lab_live_training(page, server):
    """Training both networks live shows a progress bar and both accuracies."""
    open_app(page, f"{server}/batchnorm_lab")
    assert page.get_by_role("button", name="Train both networks").count() == 0  # its tab is closed: not drawn
    open_tab(page, BatchNormTab.LIVE_TRAINING)
    page.get_by_role("button", name="Train both networks").click()
    settle(page)
    assert_no_exception(page)
    assert page.get_by_text("plain: test accuracy").is_visible()
    assert page.get_by_text("BatchNorm: test accuracy").is_visible()


def test_batchnorm_lab_image_batch_after_opening_another_tab_first(page, server):
    """Opened on another tab, then Activations (a rerun of the tabs alone), then the user's image: the image input
    appears in the sidebar and the histograms are drawn, with no exception."""
    open_app(page, f"{server}/batchnorm_lab?{urlencode({BATCHNORM.tab_key: BatchNormTab.TRAIN_VS_TEST})}")
    open_tab(page, BatchNormTab.ACTIVATIONS)
    page.get_by_role("tabpanel").locator("[data-testid='stButtonGroup']").get_by_text("Your image, augmented").click()
    settle(page)
    assert_no_exception(page)
    assert page.locator("[data-testid='stSidebar']").get_by_text("cat.jpg").first.is_visible()
    assert page.get_by_text("64 samples of your image").is_visible()


def test_mc_dropout_lab_photo_upload(page, server, tmp_path):
    """Uploading a photo through the file chooser shows the 28×28 input and new numbers."""
    from PIL import Image

    photo = tmp_path / "dark.jpg"
    Image.new("RGB", (200, 200), (20, 20, 20)).save(photo)
    open_app(page, f"{server}/mc_dropout_lab?mc_source=Photo")
    upload(page, str(photo))
    assert_no_exception(page)
    assert page.get_by_text("dark.jpg: 200×200 px").is_visible()
    assert page.get_by_text("What the network sees").is_visible()


def test_mc_dropout_lab_passes_slider(page, server):
    """Moving the T slider with the keyboard reruns the page and updates the URL."""
    open_app(page, f"{server}/mc_dropout_lab")
    page.locator("[data-testid='stSlider']").filter(has_text="Passes T").get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    assert_no_exception(page)
    assert "mc_T=51" in page.url


def test_regularization_lab_lambda_slider(page, server):
    """Moving λ down to 0 brings every pair together: plain SGD, SGD with momentum, and Adam vs AdamW."""
    open_app(page, f"{server}/regularization_lab")
    open_tab(page, RegularizationTab.WEIGHT_DECAY)  # the first tab is Small data
    page.locator("[data-testid='stSlider']").filter(has_text="λ").get_by_role("slider").focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
        settle(page)
    assert_no_exception(page)
    gaps = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert gaps == ["0", "0", "0"]


def test_studio_links_to_the_invariance_test(page, server):
    """The Studio's link opens Small data, where the transformed-test figure and the moved item are on the page."""
    open_app(page, f"{server}/augmentation_studio")
    page.get_by_role("link", name=re.compile("What augmentation buys a real CNN")).click()
    settle(page)
    assert_no_exception(page)
    assert "regularization_lab" in page.url  # Small data is the default tab, so the URL need not name it
    assert page.get_by_role("tab", name=RegularizationTab.SMALL_DATA, selected=True).is_visible()
    assert page.get_by_text("Does augmentation keep the network right when the item moves?").is_visible()
    assert page.locator("[data-testid=stImageCaption]", has_text="4 px left").is_visible()
    assert page.locator("[data-testid='stPlotlyChart']").count() >= 2


def test_dark_theme_renders(browser, server):
    """With a dark system colour scheme every figure page still renders; a screenshot is kept for a look."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    try:
        page = context.new_page()
        open_app(page, f"{server}/batchnorm_lab")
        assert_no_exception(page)
        background = page.locator("[data-testid='stApp']").evaluate("e => getComputedStyle(e).backgroundColor")
        red, green, blue = (int(part) for part in background[background.index("(") + 1 : -1].split(",")[:3])
        assert red + green + blue < 150, background  # the dark theme, not the light one
        screenshot(page, "batchnorm_lab_dark")
    finally:
        context.close()


def test_projected_the_sidebar_closes_on_another_page(page, server):
    """Projected, a sidebar opened on one page (presets, the pipeline) is closed again on the next page."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, f"{server}/augmentation_studio?projector=true")
    open_sidebar(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="BatchNorm Lab").click()
    settle(page)
    page.locator("[data-testid='stSidebar'][data-collapsed='true']").wait_for(state="attached", timeout=10_000)
    assert_no_exception(page)
