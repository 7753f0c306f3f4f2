"""The Lecture claims page, driven through AppTest."""

from core import claim_rules, claims, labs

PAGE = "pages/lecture_claims.py"


def expected_label(claim: claims.Claim) -> str:
    found = claims.evidence(claim.name)
    labels = {claims.SHOWN: "✓ shown", claims.OPPOSITE: "✗ the opposite"}
    return labels.get(claim.verdict(found), f"⚠ not shown: {claim.reason(found)}")


def test_every_claim_is_listed_with_its_verdict(open_page):
    """One row per claim of the registry, with the registry's verdict, its kind, and a link to the section."""
    at = open_page(PAGE)
    assert not at.exception
    table = at.table[0].value
    assert len(table) == len(claims.CLAIMS)
    assert table["verdict"].tolist() == [expected_label(c) for c in claims.CLAIMS]
    for where, claim in zip(table["where"], claims.CLAIMS):
        assert f"]({labs.tab_link(claim.section)})" in where and " › " in where
    captions = [caption.value for caption in at.caption]
    assert claim_rules.RULE in captions and claim_rules.DESIGN in captions
    shown = sum(claims.verdict(c.name) == claims.SHOWN for c in claims.CLAIMS)
    assert at.metric[0].value == f"{shown} of {len(claims.CLAIMS)}"


def test_projector_mode_shortens_the_details(open_page):
    """In projector mode each claim's details are the registry's short sentence."""
    at = open_page(PAGE)
    at.toggle(key="projector").set_value(True).run()
    texts = [markdown.value for markdown in at.markdown]
    assert claims.sentence(claims.CLAIMS[0].name, short=True) in texts
