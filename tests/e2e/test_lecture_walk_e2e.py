"""The whole lecture walked in a real browser, projected at 1280x720: from the Lecture page, one click per slide."""

import json
import time
from urllib.parse import urlparse

from core import lecture

from .conftest import ARTIFACTS, assert_no_exception, open_app, open_sidebar, settle

WINDOW = {"width": 1280, "height": 720}


def figure_box(page, index: int, key: str) -> dict[str, float]:
    """Where slide ``index``'s key figure is in the window once the browser component has placed it (it scrolls
    to it on arrival, pages/ui/assets/browser.js), and how far the view was scrolled."""
    page.wait_for_function(
        "arrival => document.documentElement.dataset.presented === arrival",
        arg=f"{urlparse(page.url).path}#{index + 1}",
    )
    return page.locator(f".st-key-{key}").first.evaluate(
        "e => { const r = e.getBoundingClientRect(); const m = document.querySelector('[data-testid=stMain]');"
        " return {top: r.top, bottom: r.bottom, scrolled: m.scrollTop}; }"
    )


def test_the_lecture_is_one_click_per_slide_projected(page, server):
    """Slide 1's link on the Lecture page, then Next on every view (every third a key press): each slide's view
    is reached in order with its tab open, its key figure wholly in the 1280x720 window, the sidebar closed and no
    exception; the walk's clicks and time are written down (artifacts/lecture_walk.json)."""
    page.set_viewport_size(WINDOW)
    open_app(page, f"{server}/lecture?projector=true")
    shown = [i for i in range(len(lecture.SLIDES)) if lecture.slide_page(i) is not None]
    started, clicks, boxes = time.perf_counter(), 0, []
    for step, index in enumerate(shown):
        slide = lecture.SLIDES[index]
        if step == 0:
            page.get_by_role("link", name=f"{index + 1}. {slide.title}").click()
        elif step % 3 == 0:  # a clicker or the keyboard: PageDown and the right arrow press Next
            page.keyboard.press("ArrowRight" if step % 2 else "PageDown")
        else:
            page.get_by_role("link", name=f"Next: {index + 1}").first.click()
        clicks += 1
        settle(page)
        page.get_by_text(f"Slide {index + 1} of {len(lecture.SLIDES)}: {slide.title}").wait_for()
        assert_no_exception(page)
        if slide.view is not None:  # its tab is the open one
            page.get_by_role("tab", name=str(slide.view), exact=True, selected=True).wait_for(timeout=10_000)
        boxes.append(figure_box(page, index, slide.figure))
        top, bottom = boxes[-1]["top"], boxes[-1]["bottom"]
        assert 0 <= top and bottom <= WINDOW["height"], f"slide {index + 1}'s figure at {top}-{bottom} px"
        assert page.locator("[data-testid='stSidebar'][data-collapsed='false']").count() == 0, "the sidebar is open"
        if step == 0:  # a lecturer opens the sidebar (presets, the pipeline): the next slide closes it again
            open_sidebar(page)
    seconds = time.perf_counter() - started
    assert clicks == len(shown)
    ARTIFACTS.mkdir(exist_ok=True)
    scrolled = sum(box["scrolled"] > 0 for box in boxes)
    summary = {"slides": len(lecture.SLIDES), "views": len(shown), "clicks or keys": clicks,
               "seconds": round(seconds, 1),
               "opened scrolled to their figure": scrolled}  # fmt: skip
    (ARTIFACTS / "lecture_walk.json").write_text(json.dumps(summary, indent=1))
    print(summary)
