"""The Lecture page, and every slide's link opened as a shared link, driven through AppTest."""

import pytest

from core import claims, lecture
from core.labs import BY_TABS
from pages.ui.kit import LINK_LABELS
from tests.app.conftest import filled_tabs, open_link

PAGE = "pages/lecture.py"


def test_every_slide_is_listed_in_order_with_its_link_or_why_not(open_page):
    """One entry per slide in the lecture's order: a numbered link to its view, or its title and why there is none;
    every part of the lecture is a heading; a tested slide shows its claim's verdict."""
    at = open_page(PAGE)
    assert not at.exception
    assert [h.value for h in at.subheader] == list(dict.fromkeys(slide.part for slide in lecture.SLIDES))
    captions = [caption.value for caption in at.caption]
    for index, slide in enumerate(lecture.SLIDES):
        assert slide.shows in captions
        if lecture.slide_page(index) is None:
            assert f"**{index + 1}. {slide.title}**" in [m.value for m in at.markdown]
    links = [link for link in at.get("page_link") if link.proto.label.split(".")[0].isdigit()]
    assert [link.proto.label for link in links] == [
        f"{i + 1}. {s.title}" for i, s in enumerate(lecture.SLIDES) if lecture.slide_page(i) is not None
    ]
    verdicts = [link.proto.label for link in at.get("page_link") if link.proto.label.startswith(("✓", "✗", "⚠"))]
    expected = [claims.BY_NAME[c].label(claims.evidence(c)) for slide in lecture.SLIDES for c in slide.claims]
    assert verdicts == expected


@pytest.mark.parametrize("index", [i for i in range(len(lecture.SLIDES)) if lecture.SLIDES[i].view is not None])
def test_each_slide_opens_its_tab_with_its_settings(index):
    """A slide's link, opened projected: no exception, no ignored setting, its tab open, each setting taken, and
    the previous / next links of the presenting bar."""
    slide = lecture.SLIDES[index]
    at = open_link(lecture.slide_page(index), **lecture.slide_query(index, projector=True))
    assert not at.exception, [e.value for e in at.exception]
    assert not at.toast, [t.value for t in at.toast]  # the link check names any setting it could not take
    assert filled_tabs(at) == [str(slide.view)]
    for key, value in slide.settings.items():
        assert key in at.session_state, key
        taken, label = at.session_state[key], LINK_LABELS.get(key, str)  # a link carries a choice by its label
        taken = [str(label(part)) for part in taken] if isinstance(value, list) else str(label(taken))
        assert taken == value, key
    labels = [link.proto.label for link in at.get("page_link")]
    assert f"Slide {index + 1} of {len(lecture.SLIDES)}: {slide.title}" in labels
    before, after = lecture.neighbours(index)
    walk = {label for label in labels if label.startswith(("Previous: ", "Next: "))}
    expected = {f"{name}: {other + 1}" for name, other in (("Previous", before), ("Next", after)) if other is not None}
    assert walk == expected


def test_every_claim_a_slide_names_is_in_the_registry_and_every_view_is_a_tab():
    """Slides name real claims and real tabs; the last slide opens Lecture claims."""
    for slide in lecture.SLIDES:
        assert set(slide.claims) <= set(claims.BY_NAME)
        assert slide.view is None or type(slide.view) in BY_TABS
    assert lecture.slide_page(len(lecture.SLIDES) - 1) == "pages/lecture_claims.py"
