"""Each lab's one-click presets: every link opens its tab with every setting taken, no notice, no error."""

import pytest

from core.labs import BY_NAME
from core.presets import PRESETS, presets_markdown
from tests.app.conftest import open_link

CASES = [(page, label) for page, presets in PRESETS.items() for label in presets]


@pytest.mark.parametrize(("page", "label"), CASES, ids=[label for _, label in CASES])
def test_a_preset_link_opens_its_view_with_every_setting_taken(page, label):
    """Opened as a link, the preset shows no exception, no error and no "ignored from the link" notice."""
    settings = PRESETS[page][label]
    at = open_link(f"pages/{page}.py", **settings)
    assert not at.exception and not at.error and not at.toast
    key = BY_NAME[page].tab_key
    if key in settings:
        assert at.session_state[key] == settings[key]


def test_presets_are_links_relative_to_their_page_and_stay_projected():
    """Three links per lab, each to the page itself; projected, each keeps ?projector=true."""
    for page in PRESETS:
        text = presets_markdown(page)
        assert text.count(f"]({page}?") == 3 and "projector" not in text
        assert presets_markdown(page, projector=True).count("projector=true") == 3
