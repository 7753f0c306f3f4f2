"""core.labs: every claim and preset points at a tab that exists, and every lab is a page of the app."""

from pathlib import Path

from core import claims, labs
from core.presets import PRESETS

ROOT = Path(__file__).parents[1]


def test_every_lab_is_a_page_file_and_its_tab_keys_differ():
    """Each lab's page exists under pages/, and no two labs bind their tabs to the same link parameter."""
    for lab in labs.LABS:
        assert (ROOT / lab.page).is_file(), lab.page
        assert lab.labels == [tab.value for tab in lab.tabs] and len(set(lab.labels)) == len(lab.labels)
    assert len({lab.tab_key for lab in labs.LABS}) == len(labs.LABS)


def test_every_claim_names_a_real_tab_of_a_lab():
    """A claim's section is one of a lab's tabs, so its page is that lab's (the Lecture claims page links there)."""
    for claim in claims.CLAIMS:
        assert type(claim.section) in labs.BY_TABS, claim.name
        assert claim.page in labs.BY_PAGE and claim.section in labs.BY_PAGE[claim.page].labels, claim.name


def test_every_preset_opens_a_real_tab_of_its_lab():
    """A preset is for a lab, and a tab it opens is one of that lab's tabs."""
    for page, presets in PRESETS.items():
        lab = labs.BY_NAME[page]
        for label, settings in presets.items():
            assert settings.get(lab.tab_key, lab.labels[0]) in lab.labels, label
            assert not {other.tab_key for other in labs.LABS if other is not lab} & set(settings), label
