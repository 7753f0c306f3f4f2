"""Shared links and projector mode, across real browser contexts."""

from urllib.parse import parse_qs, urlsplit

import pytest

from core.labs import BATCHNORM, BatchNormTab, MCDropoutTab, RegularizationTab, StudioTab

from .conftest import (
    assert_no_exception,
    open_app,
    open_tab,
    sample_captions,
    screenshot,
    settle,
    shared_link,
    upload,
    window,
)


def test_a_copied_link_restores_the_view_in_a_fresh_context(browser, page, server):
    """Change seed and count in one browser context; the share box's link shows the same grid in another."""
    open_app(page, f"{server}/augmentation_studio")
    seed = page.get_by_label("Seed")
    seed.fill("31")
    seed.press("Enter")
    settle(page)
    link = shared_link(page)
    assert "studio_seed=31" in link and link == page.url
    expected = sample_captions(page)
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = other.new_page()
        open_app(fresh, link)
        assert_no_exception(fresh)
        assert sample_captions(fresh) == expected
    finally:
        other.close()


def press_slider(page, label: str, key: str, times: int) -> None:
    """Move the slider labelled ``label`` by ``times`` steps with the keyboard, as a student can."""
    page.locator(f"[data-testid='stSlider']:has-text('{label}') input[type='range']").first.press(key)
    for _ in range(times - 1):
        page.keyboard.press(key)
    settle(page)


def click_choice(page, name: str) -> None:
    """Pick ``name`` in a segmented control of the open tab."""
    page.get_by_role("tabpanel").locator("[data-testid='stButtonGroup']").get_by_text(name, exact=True).click()
    settle(page)


# A change inside each kind of section that reruns on its own (st.fragment): (page, tab, change, its parameter).
SECTION_CHANGES = [
    ("augmentation_studio", StudioTab.MIXING, lambda page: (click_choice(page, "MixUp"),
     press_slider(page, "α =", "ArrowLeft", 5)), "mix_alpha"),
    ("augmentation_studio", StudioTab.TRIVIAL_AUGMENT, lambda page: press_slider(page, "Magnitude bin", "ArrowLeft", 3),
     "ta_bin"),
    ("batchnorm_lab", BatchNormTab.TRAIN_VS_TEST, lambda page: press_slider(page, "β_m", "ArrowLeft", 2), "beta_m"),
    ("mc_dropout_lab", MCDropoutTab.PERTURBATION, lambda page: click_choice(page, "brightness"), "mc_perturbation"),
    ("regularization_lab", RegularizationTab.EARLY_STOPPING,
     lambda page: press_slider(page, "Patience", "ArrowRight", 2), "patience"),
]  # fmt: skip


@pytest.mark.parametrize(("lab", "tab", "change", "name"), SECTION_CHANGES, ids=[c[3] for c in SECTION_CHANGES])
def test_the_link_after_a_change_inside_a_section_is_the_view(browser, page, server, lab, tab, change, name):
    """After a change that reruns only its section, the offered link is the address bar's and opens the same view."""
    open_app(page, f"{server}/{lab}")
    open_tab(page, tab)
    shared_link(page)  # opened before the change: the open box follows it
    change(page)
    assert_no_exception(page)
    link = shared_link(page)
    assert link == page.url and name in query(link), link
    expected = page.get_by_role("tabpanel", name=tab).inner_text()
    with window(browser, 1400, 1000) as fresh:
        open_app(fresh, link)
        assert_no_exception(fresh)
        assert fresh.get_by_role("tabpanel", name=tab).inner_text() == expected


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_open_tab_is_in_the_link_and_only_it_is_drawn(browser, page, server):
    """A click on a lab's tab draws only that tab and puts it in the address and the share box; the link opens it."""
    beta = "[data-testid='stSlider']:has-text('β_m')"
    step = "[data-testid='stSlider']:has-text('Training step')"
    open_app(page, f"{server}/batchnorm_lab")
    assert BATCHNORM.tab_key not in query(page.url)  # the default tab is left out
    assert page.locator(step).is_visible() and page.locator(beta).count() == 0
    open_tab(page, BatchNormTab.TRAIN_VS_TEST)
    assert_no_exception(page)
    assert query(page.url)[BATCHNORM.tab_key] == [BatchNormTab.TRAIN_VS_TEST]
    assert page.locator(beta).is_visible() and page.locator(step).count() == 0
    assert query(shared_link(page)) == query(page.url)
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = other.new_page()
        open_app(fresh, page.url)
        assert_no_exception(fresh)
        assert (
            fresh.get_by_role("tab", name=BatchNormTab.TRAIN_VS_TEST, exact=True).get_attribute("aria-selected")
            == "true"
        )
        assert fresh.locator(beta).is_visible() and fresh.locator(step).count() == 0
    finally:
        other.close()


def test_projector_mode_changes_the_layout(browser, page, server):
    """?projector=true (in a fresh browser) collapses the sidebar, shortens the notice and enlarges its text."""
    notice = "[data-testid=stAlert] p"
    open_app(page, f"{server}/augmentation_studio")
    normal_text = page.locator(notice).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "false"
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # a lecture hall's projector
    try:
        projected = context.new_page()
        open_app(projected, f"{server}/augmentation_studio?projector=true")
        assert_no_exception(projected)
        assert projected.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"
        assert projected.get_by_text("Every sample: a new random view of the same photo, same label.").is_visible()
        text = projected.locator(notice).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert text > normal_text
        screenshot(projected, "augmentation_studio_projector")
    finally:
        context.close()


def test_hostile_link_values_show_a_notice(page, server):
    """Nonsense in the link: a notice, the defaults, no exception."""
    open_app(page, f"{server}/augmentation_studio?studio_seed=banana&count=-4&nonsense=" + "x" * 3000)
    assert_no_exception(page)
    assert page.get_by_text("Ignored from the link").is_visible()
    assert len(sample_captions(page)) == 8


def test_a_hidden_tabs_bad_link_value_is_reported_when_the_tab_opens(page, server):
    """A link's bad setting for a closed tab: no notice at first; opening the tab (a rerun of the tabs alone)
    reports it and keeps the default."""
    open_app(page, f"{server}/batchnorm_lab?rs_channel=99")
    assert page.get_by_text("Ignored from the link").count() == 0
    open_tab(page, BatchNormTab.TRAIN_VS_TEST)
    assert_no_exception(page)
    assert page.get_by_text("Ignored from the link (invalid values): rs_channel=99").is_visible()


def go_to(page, title: str) -> None:
    """Follow the sidebar menu to another page: the same session, as a student clicking through."""
    page.get_by_role("link", name=title, exact=True).click()
    settle(page)


def test_an_upload_in_the_studio_is_used_by_the_other_labs(page, server, tmp_path):
    """Upload in the Studio, open the BatchNorm and MC Dropout Labs from the menu: the same picture is used."""
    from PIL import Image

    photo = tmp_path / "mine.png"
    Image.new("RGB", (240, 160), (200, 60, 20)).save(photo)
    open_app(page, f"{server}/augmentation_studio")
    upload(page, str(photo))
    for lab, choice, evidence in [
        ("BatchNorm Lab", "Your image, augmented", "64 samples of your image"),
        ("MC Dropout Lab", "Photo", "What the network sees"),
    ]:
        go_to(page, lab)
        page.get_by_text(choice, exact=True).click()
        settle(page)
        assert_no_exception(page)
        assert page.get_by_text("mine.png: 240×160 px").is_visible(), lab
        assert page.get_by_text(evidence).is_visible(), lab
        screenshot(page, f"{'_'.join(lab.lower().split())}_with_the_studio_upload")


def test_without_a_file_every_tab_that_needs_none_renders(page, server):
    """Photo + Upload with no file (MC Dropout Lab) and Your image with no file (BatchNorm Lab): the other tabs,
    their figures and the share button are all there."""
    open_app(page, f"{server}/mc_dropout_lab?mc_source=Photo&source=Upload")
    assert page.get_by_text("This needs an image").first.is_visible()
    for tab in [MCDropoutTab.CALIBRATION, MCDropoutTab.IN_VS_OUT, MCDropoutTab.BASICS, MCDropoutTab.TTA]:
        open_tab(page, tab)
        assert_no_exception(page)
        panel = page.get_by_role("tabpanel", name=tab)
        assert panel.locator(".js-plotly-plot, [data-testid='stMetric'], [data-testid='stDataFrame']").count() > 0
    assert page.get_by_text("Share this view").is_visible()
    screenshot(page, "mc_dropout_lab_without_a_file")
    open_app(page, f"{server}/batchnorm_lab?bn_batch=Your+image%2C+augmented&source=Upload")
    assert page.get_by_text("This needs an image").is_visible()
    for tab in [
        BatchNormTab.LIVE_TRAINING,
        BatchNormTab.TRAIN_VS_TEST,
        BatchNormTab.FORMULA,
        BatchNormTab.INITIALIZATION,
    ]:
        open_tab(page, tab)
        assert_no_exception(page)
        panel = page.get_by_role("tabpanel", name=tab)
        assert panel.locator("button, .js-plotly-plot, [data-testid='stMetric'], .katex").count() > 0


def test_a_preset_link_opens_its_view_and_its_address_is_the_link(page, server):
    """BatchNorm Lab › Try: a diverging learning rate: the view opens on Live training at 1.0, and the address bar
    (so the share box) holds both settings."""
    open_app(page, f"{server}/batchnorm_lab")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="a diverging learning rate").click()
    preset = opened.value
    preset.set_default_timeout(120_000)
    settle(preset)
    assert_no_exception(preset)
    assert (
        preset.get_by_role("tab", name=BatchNormTab.LIVE_TRAINING, exact=True).get_attribute("aria-selected") == "true"
    )
    assert "1.0" in preset.locator("[data-testid=stSlider]").first.inner_text()
    assert query(shared_link(preset)) == {BATCHNORM.tab_key: [BatchNormTab.LIVE_TRAINING], "lr": ["1.0"]}
