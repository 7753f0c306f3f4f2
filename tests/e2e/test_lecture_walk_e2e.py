"""The whole lecture walked in a real browser, projected at 1280x720: from the Lecture page, one click per slide."""

import json
import time

from core import lecture

from .conftest import ARTIFACTS, assert_no_exception, open_app, settle


def test_the_lecture_is_one_click_per_slide_projected(page, server):
    """Slide 2's link on the Lecture page, then Next on every view: each slide's view is reached in order with its
    tab open and no exception; the walk's clicks and time are written down (artifacts/lecture_walk.json)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, f"{server}/lecture?projector=true")
    shown = [i for i in range(len(lecture.SLIDES)) if lecture.slide_page(i) is not None]
    started, clicks = time.perf_counter(), 0
    for step, index in enumerate(shown):
        slide = lecture.SLIDES[index]
        if step == 0:
            page.get_by_role("link", name=f"{index + 1}. {slide.title}").click()
        else:
            page.get_by_role("link", name=f"Next: {index + 1}").first.click()
        clicks += 1
        settle(page)
        page.get_by_text(f"Slide {index + 1} of {len(lecture.SLIDES)}: {slide.title}").wait_for()
        assert_no_exception(page)
        if slide.view is not None:  # its tab is the open one
            page.get_by_role("tab", name=str(slide.view), exact=True, selected=True).wait_for(timeout=10_000)
    seconds = time.perf_counter() - started
    assert clicks == len(shown)
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {"slides": len(lecture.SLIDES), "views": len(shown), "clicks": clicks, "seconds": round(seconds, 1)}
    (ARTIFACTS / "lecture_walk.json").write_text(json.dumps(summary, indent=1))
    print(summary)
