"""The Lecture claims page, driven through AppTest."""

from core import claims

PAGE = "pages/lecture_claims.py"


def test_every_claim_is_listed_with_its_verdict(open_page):
    """One row per claim of the registry, with the registry's verdict and the page section that shows it."""
    at = open_page(PAGE)
    assert not at.exception
    table = at.table[0].value
    assert len(table) == len(claims.CLAIMS)
    expected = ["✓ shown" if claims.verdict(c.name) == claims.SHOWN else "⚠ not shown" for c in claims.CLAIMS]
    assert table["verdict"].tolist() == expected
    assert all(" › " in where for where in table["where"])
    shown = sum(claims.verdict(c.name) == claims.SHOWN for c in claims.CLAIMS)
    assert at.metric[0].value == f"{shown} of {len(claims.CLAIMS)}"


def test_projector_mode_shortens_the_details(open_page):
    """In projector mode each claim's details are the registry's short sentence."""
    at = open_page(PAGE)
    at.toggle(key="projector").set_value(True).run()
    texts = [markdown.value for markdown in at.markdown]
    assert claims.sentence(claims.CLAIMS[0].name, short=True) in texts
