"""Every other page in a real browser: loads, its main widgets respond, a screenshot per page."""

import pytest

from .conftest import assert_no_exception, open_app, screenshot, settle


@pytest.mark.parametrize("path", ["", "batchnorm_lab", "mc_dropout_lab", "regularization_lab"])
def test_page_loads_without_exception(page, server, path):
    """Each page renders with no exception box and shows its navigation."""
    open_app(page, f"{server}/{path}")
    assert_no_exception(page)
    assert page.get_by_role("link", name="Augmentation Studio").first.is_visible()
    screenshot(page, path or "home")
    open_app(page, f"{server}/{path}?projector=true")
    assert_no_exception(page)
    screenshot(page, f"{path or 'home'}_projector")


def test_batchnorm_lab_live_training(page, server):
    """Training both networks live shows a progress bar and both accuracies."""
    open_app(page, f"{server}/batchnorm_lab")
    page.get_by_role("tab", name="Live training").click()
    page.get_by_role("button", name="Train both networks").click()
    settle(page)
    assert_no_exception(page)
    assert page.get_by_text("plain: test accuracy").is_visible()
    assert page.get_by_text("BatchNorm: test accuracy").is_visible()


def test_mc_dropout_lab_photo_upload(page, server, tmp_path):
    """Uploading a photo through the file chooser shows the 28×28 input and new numbers."""
    from PIL import Image

    photo = tmp_path / "dark.jpg"
    Image.new("RGB", (200, 200), (20, 20, 20)).save(photo)
    open_app(page, f"{server}/mc_dropout_lab?mc_source=Photo")
    page.get_by_text("Upload", exact=True).click()
    settle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(photo))
    settle(page)
    assert_no_exception(page)
    assert page.get_by_text("dark.jpg: 200×200 px").is_visible()
    assert page.get_by_text("What the network sees").is_visible()


def test_regularization_lab_lambda_slider(page, server):
    """Moving λ keeps the SGD gap at zero."""
    open_app(page, f"{server}/regularization_lab?decay=1.0")
    assert_no_exception(page)
    gap = page.locator("[data-testid='stMetric']").filter(has_text="largest gap")
    assert "0.0e+00" in gap.inner_text()
