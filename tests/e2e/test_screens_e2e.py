"""Projected at 1280x720 and 1920x1080, and on a 390x844 phone: measured in Chromium, every tab of every lab."""

from urllib.parse import urlencode

import pytest

from core.labs import BATCHNORM, BatchNormTab, RegularizationTab, StudioTab

from .conftest import assert_no_exception, open_app, open_tab, screenshot, settle, tab_names, window

LABS = ["batchnorm_lab", "mc_dropout_lab", "regularization_lab"]
PHONE = dict(is_mobile=True, has_touch=True, device_scale_factor=2)
# Per visible plotly figure: its width, the smallest tick and legend font, the subplot titles' and legend's boxes.
MEASURE_FIGURES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(plot => plot.getBoundingClientRect().width > 0)
  .map(plot => {
    const sizes = selector => Array.from(plot.querySelectorAll(selector))
      .filter(text => text.textContent.trim()).map(text => parseFloat(getComputedStyle(text).fontSize));
    const box = element => { const r = element.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const legend = plot.querySelector('.legend');
    return {
      width: plot.getBoundingClientRect().width,
      ticks: sizes('.xtick text, .ytick text'),
      legend: sizes('.legendtext'),
      titles: Array.from(plot.querySelectorAll('.annotation-text')).map(box),
      legendBox: legend ? box(legend) : null,
      categories: plot.querySelectorAll('.xtick text').length,
    };
  })"""
# Buttons whose label is cut off (ellipsis): the text is wider than the room it has.
CUT_BUTTONS = """() => Array.from(document.querySelectorAll('.stMainBlockContainer button p'))
  .filter(label => label.getBoundingClientRect().width > 0 && label.scrollWidth > label.clientWidth + 1)
  .map(label => label.textContent)"""
METRIC_SIZES = """() => Array.from(document.querySelectorAll('[data-testid=stMetric]'))
  .filter(metric => metric.getBoundingClientRect().width > 0)
  .map(metric => ['stMetricLabel', 'stMetricValue']
    .map(part => parseFloat(getComputedStyle(metric.querySelector(`[data-testid=${part}] p`)).fontSize)))"""

TABLE_SIZES = """() => Array.from(document.querySelectorAll('.stMainBlockContainer [data-testid=stTable] td'))
  .filter(cell => cell.getBoundingClientRect().width > 0).map(cell => parseFloat(getComputedStyle(cell).fontSize))"""
CODE_SIZES = """() => Array.from(document.querySelectorAll('.stMainBlockContainer [data-testid=stCode] code'))
  .filter(code => code.getBoundingClientRect().width > 0).map(code => parseFloat(getComputedStyle(code).fontSize))"""


def open_on_phone(page, url: str) -> None:
    """Open ``url`` and wait for the phone layout: the rerun after the window reported its width drops the toolbars."""
    open_app(page, url)
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot') && !document.querySelector('.modebar-container .modebar')"
    )
    settle(page)


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("path", LABS)
def test_projector_mode_enlarges_every_figure_metric_and_button(browser, server, path, size):
    """?projector=true: tick and legend text of every figure, code and tables on every tab >= 18 px, metric values
    larger than their labels, no button label cut off, no plot toolbar over a figure."""
    with window(browser, *size) as page:
        open_app(page, f"{server}/{path}?projector=true")
        for tab in tab_names(page):
            open_tab(page, tab)
            assert_no_exception(page)
            for figure in page.evaluate(MEASURE_FIGURES):
                assert min(figure["ticks"], default=18) >= 18, (tab, figure["ticks"])  # (the cube has no axes)
                assert not figure["legend"] or min(figure["legend"]) >= 18, (tab, figure["legend"])
            assert all(value > label for label, value in page.evaluate(METRIC_SIZES)), tab
            assert page.evaluate(CUT_BUTTONS) == [], tab
            assert page.locator(".modebar-container .modebar").count() == 0, tab  # no toolbar over a title
            assert min(page.evaluate(CODE_SIZES), default=18) >= 18, tab
            assert min(page.evaluate(TABLE_SIZES), default=18) >= 18, tab
            assert page.locator("[data-testid=stDataFrame]").count() == 0, tab  # its canvas keeps small type
            if size == (1280, 720):
                show_first_figure(page)
                screenshot(page, f"{path}_projector_{tab_slug(tab)}")


@pytest.mark.parametrize("tab", [StudioTab.PREPROCESSING, StudioTab.MEMORY])
def test_the_studios_input_tabs_projected_and_on_a_phone(browser, server, tab):
    """Projected at 1280x720 (after a measurement, for Memory vs speed): figure and table text >= 18 px, static
    tables, no cut button; at 390 px every figure fits the screen."""
    query = f"studio_tab={tab.replace(' ', '+')}"
    with window(browser, 1280, 720) as page:
        open_app(page, f"{server}/augmentation_studio?projector=true&{query}")
        if tab == StudioTab.MEMORY:
            page.get_by_role("button", name="Measure on this server").click()
            page.get_by_text("pictures/s").first.wait_for()
            settle(page)
        assert_no_exception(page)
        for figure in page.evaluate(MEASURE_FIGURES):
            assert min(figure["ticks"], default=18) >= 18 and min(figure["legend"], default=18) >= 18, figure
        assert min(page.evaluate(TABLE_SIZES), default=18) >= 18
        assert page.locator("[data-testid=stDataFrame]").count() == 0 and page.evaluate(CUT_BUTTONS) == []
        show_first_figure(page)
        screenshot(page, f"augmentation_studio_projector_{tab_slug(tab)}")
    with window(browser, 390, 844, **PHONE) as page:
        open_app(page, f"{server}/augmentation_studio?{query}")
        settle(page)
        assert_no_exception(page)
        assert all(figure["width"] <= 390 for figure in page.evaluate(MEASURE_FIGURES))
        show_first_figure(page)
        screenshot(page, f"augmentation_studio_phone_{tab_slug(tab)}")


def test_projector_mode_in_the_studio_cuts_no_button(browser, server):
    """The Studio's seed row, projected at 1280x720: "New seed" is shown whole."""
    with window(browser, 1280, 720) as page:
        open_app(page, f"{server}/augmentation_studio?projector=true")
        assert_no_exception(page)
        assert page.evaluate(CUT_BUTTONS) == []


@pytest.mark.parametrize("path", LABS)
def test_phone_layout_keeps_titles_apart_and_the_legend_narrow(browser, server, path):
    """At 390x844: no two subplot titles overlap, no legend is wider than half its figure, every figure fits."""
    with window(browser, 390, 844, **PHONE) as page:
        open_on_phone(page, f"{server}/{path}")
        for tab in tab_names(page):
            open_tab(page, tab)
            assert_no_exception(page)
            for figure in page.evaluate(MEASURE_FIGURES):
                assert figure["width"] <= 390
                titles = figure["titles"]
                assert not any(overlap(a, b) for i, a in enumerate(titles) for b in titles[i + 1 :]), tab
                if figure["legendBox"]:
                    left, _, right, _ = figure["legendBox"]
                    assert right - left <= figure["width"] / 2, (tab, right - left, figure["width"])
            show_first_figure(page)
            screenshot(page, f"{path}_phone_{tab_slug(tab)}")


def test_phone_shows_every_class_label(browser, server):
    """The MC Dropout Lab's class chart on a phone labels all ten classes."""
    with window(browser, 390, 844, **PHONE) as page:
        open_on_phone(page, f"{server}/mc_dropout_lab")
        assert page.evaluate(MEASURE_FIGURES)[0]["categories"] == 10


@pytest.mark.parametrize("path", LABS)
def test_dark_scheme_screenshots(browser, server, path):
    """Every lab in the dark scheme renders (the screenshots are for looking at markers and series)."""
    with window(browser, 1400, 1000, color_scheme="dark") as page:
        open_app(page, f"{server}/{path}")
        assert_no_exception(page)
        screenshot(page, f"{path}_dark")


def show_first_figure(page) -> None:
    """Scroll the tab's first figure into the window (what the README's screenshot shows)."""
    figures = page.locator(".js-plotly-plot:visible")
    if figures.count():
        figures.first.scroll_into_view_if_needed()


def tab_slug(tab: str) -> str:
    return "_".join(tab.lower().split())


# The bottom edge (px from the window's top) of the first element matching a selector in the main area's open tab.
BOTTOM = """selector => { const panel = document.querySelector('.stMainBlockContainer [role=tabpanel]:not([hidden])');
  const element = panel && panel.querySelector(selector); return element && element.getBoundingClientRect().bottom; }"""
KEY_FIGURE = {"augmentation_studio": "[data-testid=stImage] img"}  # the grid's first picture; elsewhere a plot


@pytest.mark.parametrize("path", ["augmentation_studio", *LABS])
def test_projected_first_screen_holds_the_key_figure(browser, server, path):
    """Projected at 1280x720, unscrolled: the open tab's first figure ends above 720 px; the MC input picture and
    the Studio's pipeline are in the main area on that screen too."""
    with window(browser, 1280, 720) as page:
        open_app(page, f"{server}/{path}?projector=true")
        bottom = page.evaluate(BOTTOM, KEY_FIGURE.get(path, ".js-plotly-plot"))
        assert bottom is not None and bottom <= 720, bottom
        if path == "mc_dropout_lab":
            assert page.evaluate(BOTTOM, "[data-testid=stImage] img") <= 720  # the item the network sees
        if path == "augmentation_studio":
            chips = page.locator(".stMainBlockContainer").get_by_text("Pipeline:", exact=True)
            assert chips.is_visible() and chips.bounding_box()["y"] < 720


# Elements of the main area (tab bars aside, which scroll by design) whose content scrolls sideways.
SIDEWAYS = """() => Array.from(document.querySelectorAll('.stMainBlockContainer *'))
  .filter(e => !e.closest('[role=tablist]') && e.scrollWidth > e.clientWidth + 1
    && /(auto|scroll)/.test(getComputedStyle(e).overflowX))
  .map(e => e.getAttribute('data-testid') || e.tagName)"""
TABLES = "[data-testid=stTable], [data-testid=stDataFrame]"
PHONE_TABS = [
    ("lecture_claims", [None]),
    ("regularization_lab", list(RegularizationTab)),
    ("batchnorm_lab", [BatchNormTab.OTHER_NORMS, BatchNormTab.DEEP, BatchNormTab.NONLINEARITIES]),
    ("augmentation_studio", [StudioTab.PREPROCESSING, StudioTab.MEMORY]),
]  # fmt: skip


@pytest.mark.parametrize(("path", "tabs"), PHONE_TABS, ids=[path for path, _ in PHONE_TABS])
def test_phone_tables_become_cards_and_nothing_scrolls_sideways(browser, server, path, tabs):
    """At 390 px every table is a card per row (no column cut off) and nothing in the page scrolls sideways."""
    with window(browser, 390, 844, is_mobile=True, has_touch=True) as page:
        open_app(page, f"{server}/{path}")
        page.wait_for_function(f"() => !document.querySelector('{TABLES}')")  # the rerun after the width report
        for tab in tabs:
            if tab is not None:
                open_tab(page, tab)
            assert_no_exception(page)
            assert page.locator(TABLES).count() == 0, tab
            assert page.evaluate(SIDEWAYS) == [], tab
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, tab
        if path == "lecture_claims":
            assert page.get_by_text("verdict: ✓ shown").first.is_visible()


# The y tick labels of the first figure: their texts and boxes (top, bottom); the x tick labels' texts.
TICKS = """() => { const plot = document.querySelector('.stMainBlockContainer .js-plotly-plot');
  const boxes = Array.from(plot.querySelectorAll('.ytick text')).map(t => { const r = t.getBoundingClientRect();
    return [t.textContent, r.top, r.bottom]; });
  return {y: boxes, x: Array.from(plot.querySelectorAll('.xtick text')).map(t => t.textContent)}; }"""


@pytest.mark.parametrize("projector", [False, True], ids=["desktop", "projected"])
def test_a_diverged_live_run_has_readable_ticks(browser, server, projector):
    """Learning rate 1.0 > Train: the loss chart has at most 8 y labels, none overlapping, and its x axis starts at
    0, not below."""
    with window(browser, *((1280, 720) if projector else (1400, 1000))) as page:
        query = urlencode({BATCHNORM.tab_key: BatchNormTab.LIVE_TRAINING, "lr": "1.0"})
        open_app(page, f"{server}/batchnorm_lab?{query}{'&projector=true' if projector else ''}")
        page.get_by_role("button", name="Train both networks").click()
        settle(page)
        page.get_by_text("diverged at step").first.wait_for()
        ticks = page.evaluate(TICKS)
        assert 2 <= len(ticks["y"]) <= 8, ticks["y"]
        spans = sorted((top, bottom) for _, top, bottom in ticks["y"])
        assert all(upper[1] <= lower[0] for upper, lower in zip(spans, spans[1:])), spans  # no two overlap
        assert float(ticks["x"][0].replace("−", "-")) >= 0, ticks["x"]
