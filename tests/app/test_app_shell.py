"""What every page shares: shareable links, projector mode, the share box."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.texts import TEXTS

from .conftest import APP, TIMEOUT

STUDIO = "pages/augmentation_studio.py"
PAGES = [f"pages/{path.stem}.py" for path in sorted((Path(APP).parent / "pages").glob("*.py"))]


def open_link(page: str, **params) -> AppTest:
    """Open ``page`` the way a shared link does: query parameters set before the first run."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(page).run()


def sample_captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption if caption.value.startswith("**#")]


def test_a_link_restores_the_exact_grid(open_page):
    """A link with seed, count and chain reproduces exactly what setting those by hand shows."""
    linked = open_link(STUDIO, studio_seed="42", count="3", chain=["Vertical flip", "ColorJitter"])
    assert not linked.exception and not linked.toast
    by_hand = open_page(STUDIO)
    by_hand.multiselect(key="chain").set_value(["Vertical flip", "ColorJitter"]).run()
    by_hand.slider(key="count").set_value(3).run()
    by_hand.number_input(key="studio_seed").set_value(42).run()
    assert sample_captions(linked) == sample_captions(by_hand)
    assert len(sample_captions(linked)) == 3


def test_hostile_link_values_fall_back_with_a_notice():
    """Wrong types, out-of-range numbers, unknown names and huge strings: defaults, a toast, no exception."""
    linked = open_link(
        STUDIO, studio_seed="abc", count="999", image="x" * 5000, bogus="1", chain=["Horizontal flip", "<script>"]
    )
    assert not linked.exception
    assert linked.number_input(key="studio_seed").value == 0
    assert linked.slider(key="count").value == 8
    assert linked.selectbox(key="image").value == "cat"
    notice = linked.toast[0].value
    for name in ("studio_seed=abc", "count=999", "bogus=1", "image=xxx", "chain=Horizontal flip,<script>"):
        assert name in notice
    assert len(notice) < 400
    assert len(sample_captions(linked)) == 8


def test_share_box_carries_the_settings_of_the_link():
    """The share box shows a link with the settings the page was opened with (the browser test covers edits)."""
    at = open_link(STUDIO, studio_seed="42", count="3")
    assert any("studio_seed=42" in block.value and "count=3" in block.value for block in at.code)


def test_a_link_restores_new_transforms_with_their_settings(open_page):
    """Every new augmentation in a link, with moved sliders, gives the grid and one-transform view set by hand."""
    from core.augment import AUGMENTATIONS

    titles = [spec.title for spec in AUGMENTATIONS.values()]
    moved = {
        "rotation.degrees": ["-90", "90"],
        "color_jitter.hue": "0.3",
        "augmix.severity": "7",
        "jpeg.quality": ["2", "9"],
    }
    one = {"one_group": "Erasing", "one.erasing": "RandomErasing (cutout)", "one.random_erasing.p": "1.0"}
    linked = open_link(STUDIO, studio_seed="5", count="2", chain=titles, **moved, **one)
    assert not linked.exception and not linked.toast
    by_hand = open_page(STUDIO)
    by_hand.multiselect(key="chain").set_value(titles).run()
    by_hand.slider(key="count").set_value(2).run()
    by_hand.number_input(key="studio_seed").set_value(5).run()
    by_hand.slider(key="rotation.degrees").set_value((-90, 90)).run()
    by_hand.slider(key="color_jitter.hue").set_value(0.3).run()
    by_hand.slider(key="augmix.severity").set_value(7).run()
    by_hand.slider(key="jpeg.quality").set_value((2, 9)).run()
    by_hand.button_group(key="one_group").set_value("Erasing").run()
    by_hand.slider(key="one.random_erasing.p").set_value(1.0).run()
    every_caption = [c.value for c in linked.caption]
    assert every_caption == [c.value for c in by_hand.caption]
    assert any("rotated" in c for c in sample_captions(linked)) and any("erased" in c for c in every_caption)


def test_projector_mode_from_the_link_shortens_explanations():
    """?projector=true: the toggle is on and the key sentences replace the full explanations."""
    at = open_link(STUDIO, projector="true")
    assert not at.exception
    assert at.toggle(key="projector").value is True
    shown = [block.value for block in at.markdown] + [box.value for box in at.info]
    assert TEXTS["studio.notice"].short in shown
    assert TEXTS["studio.notice"].full not in shown


def test_core_never_imports_streamlit_by_text():
    """No file under core/ mentions an import of streamlit (the import test covers the runtime side)."""
    for path in (Path(APP).parent / "core").glob("*.py"):
        text = path.read_text()
        assert "import streamlit" not in text and "from streamlit" not in text, path


def test_figures_are_shared_but_projector_mode_enlarges_a_private_copy():
    """A projector session gets larger fonts; a normal session after it still gets the shared, unchanged figure."""
    import json

    def layout_font(at: AppTest) -> float | None:
        chart = next(element for element in at.main if element.type == "plotly_chart")
        return json.loads(chart.proto.spec)["layout"].get("font", {}).get("size")

    page = "pages/regularization_lab.py"
    projected = open_link(page, projector="true")
    assert not projected.exception
    normal = open_link(page)
    assert layout_font(projected) == 20
    assert layout_font(normal) != 20


@pytest.mark.parametrize("page", PAGES)
def test_session_state_holds_only_small_values(open_page, page):
    """No images, tensors, arrays or large bytes in st.session_state: big data lives in the shared caches."""
    import pickle

    at = open_page(page)
    for key, value in at.session_state.to_dict().items():
        assert len(pickle.dumps(value)) < 4096, f"{page}: session_state[{key!r}] is large ({type(value).__name__})"
