"""Shared links and projector mode, across real browser contexts."""

from .conftest import assert_no_exception, open_app, sample_captions, screenshot, settle


def test_a_copied_link_restores_the_view_in_a_fresh_context(browser, page, server):
    """Change seed and count in one browser context; the share box's link shows the same grid in another."""
    open_app(page, f"{server}/augmentation_studio")
    seed = page.get_by_label("Seed")
    seed.fill("31")
    seed.press("Enter")
    settle(page)
    page.get_by_text("Share this view").click()
    link = page.locator("[data-testid='stCode']").last.inner_text().strip()
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


def test_projector_mode_changes_the_layout(browser, page, server):
    """?projector=true (in a fresh browser) collapses the sidebar, shortens the notice and enlarges the title."""
    open_app(page, f"{server}/augmentation_studio")
    normal_title = page.locator("h1").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "false"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        projected = context.new_page()
        open_app(projected, f"{server}/augmentation_studio?projector=true")
        assert_no_exception(projected)
        assert projected.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"
        assert projected.get_by_text("Every sample: a new random view of the same photo, same label.").is_visible()
        title = projected.locator("h1").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert title > normal_title
        screenshot(projected, "augmentation_studio_projector")
    finally:
        context.close()


def test_hostile_link_values_show_a_notice(page, server):
    """Nonsense in the link: a notice, the defaults, no exception."""
    open_app(page, f"{server}/augmentation_studio?studio_seed=banana&count=-4&nonsense=" + "x" * 3000)
    assert_no_exception(page)
    assert page.get_by_text("Ignored from the link").is_visible()
    assert len(sample_captions(page)) == 8
