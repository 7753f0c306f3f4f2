"""Projected at 1280x720 and 1920x1080, and on a 390x844 phone: measured in Chromium, every tab of every lab."""

import pytest

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
    """?projector=true: tick and legend text of every figure and code on every tab >= 18 px, metric values larger
    than their labels, no button label cut off, no plot toolbar over a figure."""
    with window(browser, *size) as page:
        open_app(page, f"{server}/{path}?projector=true")
        for tab in tab_names(page):
            open_tab(page, tab)
            assert_no_exception(page)
            for figure in page.evaluate(MEASURE_FIGURES):
                assert min(figure["ticks"]) >= 18, (tab, figure["ticks"])
                assert not figure["legend"] or min(figure["legend"]) >= 18, (tab, figure["legend"])
            assert all(value > label for label, value in page.evaluate(METRIC_SIZES)), tab
            assert page.evaluate(CUT_BUTTONS) == [], tab
            assert page.locator(".modebar-container .modebar").count() == 0, tab  # no toolbar over a title
            assert min(page.evaluate(CODE_SIZES), default=18) >= 18, tab
            if size == (1280, 720):
                show_first_figure(page)
                screenshot(page, f"{path}_projector_{tab_slug(tab)}")


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
