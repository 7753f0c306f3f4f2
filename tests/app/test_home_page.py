"""The landing page."""


def test_home_explains_the_app_and_links_the_studio(open_page):
    """Home renders without exception and links to the Augmentation Studio."""
    at = open_page("pages/home.py")
    assert not at.exception
    assert at.title[0].value == "AugNorm Lab"
    assert any("augmentation" in block.value for block in at.markdown)
