"""core.lecture: the slides' links, their numbers in a link, and the walk's neighbours."""

from core import claims, lecture
from core.labs import BY_TABS


def test_a_slide_query_carries_its_tab_settings_number_and_projection():
    """The query: the lab's tab key, the slide's settings, ?slide=N (from 1) and projector when asked."""
    index = next(i for i, s in enumerate(lecture.SLIDES) if s.settings and s.view is not None)
    slide = lecture.SLIDES[index]
    lab = BY_TABS[type(slide.view)]
    found = lecture.slide_query(index, projector=True)
    assert lecture.slide_page(index) == lab.page
    assert found[lab.tab_key] == str(slide.view) and found["slide"] == str(index + 1)
    assert found["projector"] == "true" and "projector" not in lecture.slide_query(index, projector=False)
    assert {key: found[key] for key in slide.settings} == dict(slide.settings)


def test_every_claim_of_the_registry_is_on_a_slide():
    """Each claim appears beside a slide (so a verdict that goes against the lecture is shown too), once."""
    named = [claim for slide in lecture.SLIDES for claim in slide.claims]
    assert sorted(named) == sorted(claims.BY_NAME)


def test_slide_numbers_from_a_link_are_checked():
    """Only 1 … len(SLIDES) name a slide; anything else names none (no error)."""
    assert lecture.slide_from_query("1") == 0
    assert lecture.slide_from_query(str(len(lecture.SLIDES))) == len(lecture.SLIDES) - 1
    for bad in (None, "0", str(len(lecture.SLIDES) + 1), "-1", "x", "2.5"):
        assert lecture.slide_from_query(bad) is None


def test_the_walk_skips_slides_without_a_view_and_ends_at_the_claims():
    """Previous and next jump over slides without a demo; the first has no previous, the last no next."""
    shown = [i for i in range(len(lecture.SLIDES)) if lecture.slide_page(i) is not None]
    assert lecture.neighbours(shown[0])[0] is None and lecture.neighbours(shown[-1])[1] is None
    for before, after in zip(shown, shown[1:]):
        assert lecture.neighbours(before)[1] == after and lecture.neighbours(after)[0] == before
    assert all(lecture.SLIDES[i].shows.startswith("No demo yet") for i in range(len(lecture.SLIDES)) if i not in shown)


def test_every_view_names_its_key_figure():
    """Each slide that opens a view names the element that shows its point (the walk checks it is on screen)."""
    for index, slide in enumerate(lecture.SLIDES):
        if lecture.slide_page(index) is not None:
            assert slide.figure and " " not in slide.figure, slide.title
