"""What every page shares: shareable links and what a link could not set, projector mode."""

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import labs
from core.figures import PROJECTOR_FONT
from core.labs import BY_PAGE, BatchNormTab, StudioTab
from core.texts import TEXTS

from .conftest import APP, open_link, open_tab

STUDIO = labs.STUDIO.page
PAGES = [f"pages/{path.stem}.py" for path in sorted((Path(APP).parent / "pages").glob("*.py"))]


def upload_in_the_studio(open_page, name: str, size: tuple[int, int]) -> AppTest:
    """Open the Studio and upload a plain PNG of ``size`` named ``name``."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    at = open_page(STUDIO)
    at.button_group(key="source").set_value("Upload").run()
    return at.file_uploader(key="upload").set_value((name, buffer.getvalue(), "image/png")).run()


def cell_captions(at: AppTest) -> list[str]:
    """The captions under the pictures of a grid, in order."""
    return [caption for image in at.image for caption in image.captions]


def sample_captions(at: AppTest) -> list[str]:
    return [caption for caption in cell_captions(at) if caption.startswith("**#")]


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
    """Wrong types, out-of-range numbers and huge strings: defaults, a toast, no exception."""
    linked = open_link(
        STUDIO, studio_seed="abc", count="999", image="x" * 5000, bogus="1", chain=["Horizontal flip", "<script>"]
    )
    assert not linked.exception
    assert linked.number_input(key="studio_seed").value == 0
    assert linked.slider(key="count").value == 8
    assert linked.selectbox(key="image").value == "cat"
    notice = linked.toast[0].value
    for name in ("studio_seed=abc", "count=999", "image=xxx", "chain=Horizontal flip,<script>"):
        assert name in notice
    assert "bogus" not in notice  # it may belong to a tab not opened yet: judged only once such a widget shows
    assert len(notice) < 400
    assert len(sample_captions(linked)) == 8


def test_a_hidden_tabs_link_setting_is_judged_when_its_tab_opens():
    """A link's setting for a widget in a closed tab waits: kept if valid, reported once its tab shows if not."""
    linked = open_link("pages/batchnorm_lab.py", beta_m="0.95", rs_channel="99")
    assert not linked.exception and not linked.toast
    opened = open_tab(linked, BatchNormTab.TRAIN_VS_TEST)
    assert opened.slider(key="beta_m").value == 0.95 and opened.slider(key="rs_channel").value == 0
    assert [toast.value for toast in opened.toast] == ["Ignored from the link (invalid values): rs_channel=99"]


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
    assert cell_captions(linked) == cell_captions(by_hand)  # the Pipeline tab
    assert any("rotated" in c for c in sample_captions(linked))
    open_tab(linked, StudioTab.ONE_TRANSFORM)
    assert not linked.exception and not linked.toast  # its settings, judged now that they show, were all valid
    open_tab(by_hand, StudioTab.ONE_TRANSFORM)
    by_hand.button_group(key="one_group").set_value("Erasing").run()
    by_hand.slider(key="one.random_erasing.p").set_value(1.0).run()
    draws = cell_captions(linked)
    assert draws == cell_captions(by_hand)
    assert any("erased" in c for c in draws)


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

    def tick_font(at: AppTest) -> float | None:
        chart = next(element for element in at.main if element.type == "plotly_chart")
        return json.loads(chart.proto.spec)["layout"]["xaxis"].get("tickfont", {}).get("size")

    page = "pages/regularization_lab.py"
    projected = open_link(page, projector="true")
    assert not projected.exception
    normal = open_link(page)
    assert tick_font(projected) == PROJECTOR_FONT
    assert tick_font(normal) is None  # Streamlit's theme decides


@pytest.mark.parametrize("page", PAGES)
def test_session_state_holds_only_small_values(open_page, page):
    """No images, tensors, arrays or large bytes in st.session_state on any tab: big data lives in the shared caches."""
    import pickle

    at = open_page(page)
    labels = [tab.label for tab in at.tabs]
    assert bool(labels) == (page in BY_PAGE)
    for index, label in enumerate(labels or ["(no tabs)"]):
        if index:
            open_tab(at, BY_PAGE[page].tabs(label))  # only the open tab's widgets and caches run
        assert not at.exception, label
        for key, value in at.session_state.to_dict().items():
            if isinstance(value, dict):  # a component's state is a dict subclass Streamlit defines locally
                value = dict(value)
            size = len(pickle.dumps(value))
            assert size < 4096, f"{page} › {label}: session_state[{key!r}] is large ({type(value).__name__})"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_stops_for_a_missing_input(page):
    """st.stop() would blank every later section and the link check: sections say what is missing instead."""
    assert "st.stop(" not in (Path(APP).parent / page).read_text()


def test_an_upload_follows_the_student_to_the_other_pages(open_page):
    """Uploaded in the Studio, the same picture is the BatchNorm Lab's and the MC Dropout Lab's input."""
    at = upload_in_the_studio(open_page, "red.png", (120, 80))
    assert any(image.captions == ["red.png: 120×80 px"] for image in at.sidebar.image)
    at.switch_page("pages/batchnorm_lab.py").run()
    at.button_group(key="bn_batch").set_value("Your image, augmented").run()
    assert not at.exception and not any("needs an image" in info.value for info in at.info)
    assert any("red.png: 120×80 px" in image.captions for image in at.sidebar.image)
    at.switch_page("pages/mc_dropout_lab.py").run()
    at.button_group(key="mc_source").set_value("Photo").run()
    assert not at.exception
    assert any("red.png: 120×80 px" in image.captions for image in at.sidebar.image)


def test_an_evicted_upload_asks_for_the_file_again(open_page):
    """When the bounded cache has dropped the session's upload, the page says so instead of failing."""
    from pages.sections.data import decoded_image

    at = upload_in_the_studio(open_page, "blue.png", (64, 64))
    decoded_image.clear()
    at.switch_page("pages/batchnorm_lab.py").run()
    at.button_group(key="bn_batch").set_value("Your image, augmented").run()
    assert not at.exception
    assert any("blue.png" in w.value and "upload it again" in w.value for w in at.warning)


def test_a_file_over_10_mb_is_refused_in_the_page_and_replaces_the_old_picture(open_page):
    """An 11 MB file after a good upload: a message in the page names the limit, the earlier picture is not used."""
    at = upload_in_the_studio(open_page, "small.png", (64, 64))
    at.file_uploader(key="upload").set_value(("huge.jpg", b"\xff" * (11 * 2**20), "image/jpeg")).run()
    assert not at.exception
    assert any("huge.jpg" in error.value and "the limit is 10 MB" in error.value for error in at.main.error)
    assert not at.sidebar.image
