"""The Augmentation Studio page, driven through AppTest like a user with a mouse."""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import claims, pictures
from core.labs import STUDIO, StudioTab
from pages.ui import first_view, routing

from .conftest import TIMEOUT, filled_tabs, open_link, open_tab, widget_keys

PAGE = STUDIO.page
TABS = STUDIO.labels


def png_bytes(width: int = 300, height: int = 200) -> bytes:
    rgb = np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def sample_captions(at) -> list[str]:
    return [caption for caption in image_captions(at) if caption.startswith("**#")]


def image_captions(at) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def pipeline_code_shown(at) -> str:
    return next(block.value for block in at.code if "v2.Compose" in block.value)


@pytest.fixture
def studio(open_page):
    return open_page(PAGE)


def test_page_loads_with_the_cat_and_eight_described_samples(studio):
    """Default view: the cat, eight samples, each captioned with all three draws."""
    assert not studio.exception
    assert "cat.jpg: 451×300 px" in image_captions(studio)
    captions = sample_captions(studio)
    assert len(captions) == 8
    for caption in captions:
        assert "Horizontal flip:" in caption and "RandomResizedCrop: window" in caption
        assert "TrivialAugmentWide:" in caption


def test_only_the_open_tab_runs_and_a_link_opens_its_tab(studio):
    """First open: only the Pipeline grid is drawn (no TrivialAugment controls); ?studio_tab=… opens that tab."""
    assert [tab.label for tab in studio.tabs] == TABS and filled_tabs(studio) == [StudioTab.PIPELINE]
    assert not {"one_group", "mix", "ta_op", "tta_crop"} & widget_keys(studio)
    assert not studio.main.code and not studio.metric  # no pipeline code, no crop counts
    open_tab(studio, StudioTab.CODE)
    assert filled_tabs(studio) == [StudioTab.CODE] and sample_captions(studio) == []
    assert "v2.Compose" in pipeline_code_shown(studio)
    linked = open_link(PAGE, studio_tab=StudioTab.TRIVIAL_AUGMENT, ta_bin="30")
    assert not linked.exception and not linked.toast
    assert filled_tabs(linked) == [StudioTab.TRIVIAL_AUGMENT] and linked.slider(key="ta_bin").value == 30
    assert sample_captions(linked) == [] and "Rotate, bin 30/30, sign +: +135.0°" in image_captions(linked)
    assert not {"count", "studio_seed"} & widget_keys(linked)  # shown only with the tabs they steer
    open_tab(linked, StudioTab.PIPELINE)
    assert filled_tabs(linked) == [StudioTab.PIPELINE] and len(sample_captions(linked)) == 8
    assert open_tab(linked, StudioTab.TRIVIAL_AUGMENT).slider(key="ta_bin").value == 30  # kept


def test_sample_count_slider_changes_the_grid(studio):
    """Moving N to 3 shows three samples."""
    studio.slider(key="count").set_value(3).run()
    assert len(sample_captions(studio)) == 3


def test_same_seed_gives_same_grid(studio):
    """Seed 5 differs from seed 0; going back to 0 restores the first grid exactly."""
    first = sample_captions(studio)
    studio.number_input(key="studio_seed").set_value(5).run()
    assert sample_captions(studio) != first
    studio.number_input(key="studio_seed").set_value(0).run()
    assert sample_captions(studio) == first


def test_new_seed_button_draws_a_new_seed(studio):
    """Pressing New seed changes the seed widget and so the grid (unless it drew 0 again)."""
    before = sample_captions(studio)
    studio.button(key="studio_seed-new").click().run()
    seed = studio.number_input(key="studio_seed").value
    assert (seed == 0) == (sample_captions(studio) == before)


def test_chain_change_updates_captions_and_code(studio):
    """Choosing only scale augmentation shows its draws and its code."""
    studio.multiselect(key="chain").set_value(["Scale augmentation"]).run()
    assert all("Scale augmentation: short side " in c for c in sample_captions(studio))
    code = pipeline_code_shown(open_tab(studio, StudioTab.CODE))
    assert "v2.RandomShortestSize(min_size=range(256, 481))" in code and "v2.RandomCrop(size=224)" in code
    assert "torch.manual_seed(0)" in code


def test_empty_chain_explains_what_to_do(studio):
    """No augmentation picked: a hint instead of a grid."""
    studio.multiselect(key="chain").set_value([]).run()
    assert not studio.exception
    assert sample_captions(studio) == []
    assert any("Pick at least one augmentation" in info.value for info in studio.info)


def test_impossible_scale_augmentation_is_explained(studio):
    """A crop larger than the short side gets a warning, not a crash."""
    studio.multiselect(key="chain").set_value(["Horizontal flip", "Scale augmentation"]).run()
    studio.slider(key="scale_augmentation.short_side").set_value((128, 200)).run()
    assert not studio.exception
    assert any("Scale augmentation" in warning.value for warning in studio.warning)
    assert all("Scale augmentation" not in c for c in sample_captions(studio))


def test_trivial_augment_explorer_shows_the_exact_op(studio):
    """Picking Rotate at bin 17 with a negative sign shows −76.5°."""
    open_tab(studio, StudioTab.TRIVIAL_AUGMENT)
    studio.toggle(key="ta_negative").set_value(True).run()
    assert "Rotate, bin 17/30, sign −: -76.5°" in image_captions(studio)
    studio.selectbox(key="ta_op").set_value("Posterize").run()
    studio.slider(key="ta_bin").set_value(30).run()
    assert "Posterize, bin 30/30: keep 2 bits" in image_captions(studio)


def test_test_time_crops_show_ten_views(studio):
    """Ten labelled crops; an oversize crop is explained instead."""
    open_tab(studio, StudioTab.TEST_TIME_CROPS)
    captions = image_captions(studio)
    assert "top-left" in captions and "mirrored, centre" in captions
    assert [metric.value for metric in studio.metric] == ["1 view", "2 views", "10 views"]
    studio.slider(key="tta_crop").set_value(400).run()
    assert any("must fit" in warning.value for warning in studio.warning)


def test_label_demo_shows_six_turning_into_nine(studio):
    """The 180° rotation of the 6 is scored as a 9, the vertical flip as a mirrored 9 (not a digit)."""
    open_tab(studio, StudioTab.LABEL_PRESERVING)
    captions = image_captions(studio)
    assert any(c.startswith("rotate 180°: a 9 (label changed)") for c in captions)
    assert any(c.startswith("vertical flip: a mirrored 9 (not a digit)") for c in captions)


def test_upload_of_a_good_image(studio):
    """Uploading a PNG replaces the cat and the grid is drawn from it."""
    studio.button_group(key="source").set_value("Upload").run()
    assert any("This needs an image: upload one" in info.value for info in studio.info)
    studio.file_uploader(key="upload").set_value(("noise.png", png_bytes(), "image/png")).run()
    assert not studio.exception and not studio.error
    assert "noise.png: 300×200 px" in image_captions(studio)
    assert len(sample_captions(studio)) == 8


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"just some text, renamed", "not an image we can read"),
        ("empty.jpg", b"", "empty"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        ("paper.png", b"%PDF-1.4 fake", "PDF"),
    ],
)
def test_upload_of_a_bad_file_shows_a_clear_message(studio, name, data, message):
    """A bad upload shows what is wrong in the page, the app keeps running."""
    studio.button_group(key="source").set_value("Upload").run()
    studio.file_uploader(key="upload").set_value((name, data, "application/octet-stream")).run()
    assert not studio.exception
    assert len(studio.error) == 1
    assert name in studio.error[0].value and message in studio.error[0].value
    studio.button_group(key="source").set_value("Sample").run()
    assert not studio.error and len(sample_captions(studio)) == 8


def test_grid_starts_with_the_original_and_reads_in_order(studio):
    """The original comes first, then #0 … #7: each picture carries its own caption, in document order."""
    captions = [c for c in image_captions(studio) if c.startswith(("**#", "**original"))]
    assert len(captions) == 9  # the pipeline grid alone: the One transform tab is closed
    assert captions[0] == "**original**  \n451×300 px"
    assert [c.split("**")[1] for c in captions[1:]] == [f"#{k}" for k in range(8)]


def test_the_grid_is_one_picture_element(studio):
    """The original and its 8 samples are one st.image (as columns they were 24 messages of every rerun)."""
    grids = [image for image in studio.image if any(caption.startswith("**#") for caption in image.captions)]
    assert [len(grid.captions) for grid in grids] == [9]


def test_studio_seed_is_its_own_widget_and_new_seed_logs_no_warning(studio, monkeypatch):
    """The Studio's seed key is not the MC Dropout Lab's; New seed writes it without Streamlit's warning."""
    from streamlit.elements.lib import policies

    warnings = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda *args, **kwargs: warnings.append(args))
    assert not [w for w in studio.number_input if w.key == "seed"]
    studio.button(key="studio_seed-new").click().run()
    assert not studio.exception and warnings == []


def test_hue_above_one_half_is_refused_in_words(studio):
    """ColorJitter with hue 0.6: the page says torchvision refuses it and leaves it out, no exception."""
    studio.multiselect(key="chain").set_value(["Horizontal flip", "ColorJitter"]).run()
    studio.slider(key="color_jitter.hue").set_value(0.6).run()
    assert not studio.exception
    assert any("ColorJitter" in w.value and "refuses" in w.value and "hue" in w.value for w in studio.warning)
    assert all("ColorJitter" not in c for c in sample_captions(studio))


def test_every_augmentation_runs_in_the_pipeline(studio):
    """All registered augmentations chained at once: 8 samples, one caption line each, no exception."""
    from core.augment import AUGMENTATIONS

    titles = [spec.title for spec in AUGMENTATIONS.values()]
    studio.multiselect(key="chain").set_value(titles).run()
    assert not studio.exception and not studio.warning
    captions = sample_captions(studio)
    assert len(captions) == 8 and all(len(c.split("  \n")) == 1 + len(titles) for c in captions)
    open_tab(studio, StudioTab.CODE)
    assert not studio.exception
    assert all(f"v2.{name}(" in pipeline_code_shown(studio) for name in ("AugMix", "ElasticTransform", "RandomErasing"))


def test_one_transform_view_shows_the_original_and_draws(studio):
    """Picking Photometric › GaussianBlur shows the original and 8 captioned draws, with its own sliders."""
    open_tab(studio, StudioTab.ONE_TRANSFORM)
    studio.button_group(key="one_group").set_value("Photometric").run()
    studio.selectbox(key="one.photometric").set_value("GaussianBlur").run()
    studio.slider(key="one.gaussian_blur.sigma").set_value((3.0, 4.0)).run()
    draws = [c for c in image_captions(studio) if c.startswith("**draw ")]
    assert len(draws) == 8 and all("GaussianBlur: σ = 3." in d for d in draws)
    assert sum(c.startswith("**original**") for c in image_captions(studio)) == 1  # (the Pipeline tab is closed)


def test_one_transform_view_explains_a_refused_setting(studio):
    """RandomAffine with a zoom of 0 gets torchvision's reason in the page, no exception and no grid."""
    open_tab(studio, StudioTab.ONE_TRANSFORM)
    studio.selectbox(key="one.geometric").set_value("RandomAffine").run()
    studio.slider(key="one.affine.scale").set_value((0.0, 1.0)).run()
    assert not studio.exception
    assert any("RandomAffine" in w.value and "refuses" in w.value for w in studio.warning)


@pytest.mark.parametrize("kind", ["CutMix", "MixUp"])
def test_mixing_tab_shows_torchvisions_label_vectors(studio, kind):
    """The captions' label mixtures equal the label vectors torchvision's own transform returns."""
    import torch
    from torchvision.transforms import v2

    from core.mixing import batch_tensor, label_text

    open_tab(studio, StudioTab.MIXING)
    studio.button_group(key="mix").set_value(kind).run()
    studio.number_input(key="studio_seed").set_value(7).run()
    captions = [c for c in image_captions(studio) if " with " in c and "label: " in c]
    names = ("cat", "coffee", "rocket", "astronaut")
    images = [Image.open(f"sample_images/{name}.jpg").convert("RGB") for name in names]
    torch.manual_seed(7)
    _, labels = getattr(v2, kind)(alpha=1.0, num_classes=4)(batch_tensor(images, 224), torch.arange(4))
    assert [c.split("label: ")[1] for c in captions] == [label_text(row, names) for row in labels]
    assert any("λ = " in m.value for m in studio.markdown)


def test_count_and_seed_stay_while_another_tab_is_open(studio):
    """Seed and count set in Pipeline come back with it after a tab that does not use them."""
    studio.number_input(key="studio_seed").set_value(7).run()
    studio.slider(key="count").set_value(3).run()
    open_tab(studio, StudioTab.TRIVIAL_AUGMENT)
    back = open_tab(studio, StudioTab.PIPELINE)
    assert back.number_input(key="studio_seed").value == 7 and back.slider(key="count").value == 3
    assert len(sample_captions(back)) == 3


def test_preprocessing_shows_mean_images_the_views_and_the_recorded_runs():
    """Two mean images and the image's three views; its histograms and the input runs' curves; the claim box."""
    studio = open_link(PAGE, studio_tab=StudioTab.PREPROCESSING, image="dog")
    assert not studio.exception and filled_tabs(studio) == [StudioTab.PREPROCESSING]
    captions = image_captions(studio)
    assert sum(c.startswith("Mean image of") for c in captions) == 2 and "as loaded, in [0, 1]" in captions
    assert sum(c.startswith(("v2.Normalize", "minus the mean image")) for c in captions) == 2
    assert len(studio.get("plotly_chart")) == 2
    assert claims.sentence("input-normalization-helps-training") in [
        b.value for b in [*studio.success, *studio.warning]
    ]


def test_memory_vs_speed_measures_on_a_click():
    """Nothing is timed until *Measure*; then both rates, the picture size and one row per K."""
    studio = open_link(PAGE, studio_tab=StudioTab.MEMORY, memory_copies="5", memory_epochs="10")
    assert not studio.exception and not studio.metric
    studio.button(key="measure").click().run()
    assert not studio.exception and len(studio.metric) == 3
    assert list(studio.dataframe[0].value["copies K"]) == [1, 5, 10]


def grid_pictures(at) -> list[tuple[str, str]]:
    """(media address, caption) of every picture of the page's grids; the address is a hash of the bytes."""
    return [(picture.url, picture.caption) for image in at.image for picture in image.proto.imgs if picture.caption]


@pytest.mark.parametrize("view", pictures.FIRST_VIEWS, ids=lambda view: view.name)
def test_a_first_view_shows_what_the_live_page_then_shows(view):
    """The shipped first view draws the same pictures (bytes) and captions as the page computes for its link."""
    first = AppTest.from_string(FIRST_VIEW_SCRIPT, default_timeout=TIMEOUT)
    for name, values in view.query.items():
        first.query_params[name] = list(values)
    first.run()
    live = open_link(PAGE, **{name: list(values) for name, values in view.query.items()})
    assert not first.exception and not live.exception
    shown = grid_pictures(first)
    assert shown and set(shown) <= set(grid_pictures(live))
    assert len(shown) == len(pictures.load_cells(view))


real_first_view = first_view.studio_first_view_ui
FIRST_VIEW_SCRIPT = "from pages.ui.first_view import studio_first_view_ui\nstudio_first_view_ui()"


class ColdOnce:
    """The warm-up's event on a server that has just started: not set at first, set when next asked."""

    def __init__(self) -> None:
        self.asked = 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.asked > 1

    def wait(self) -> None:
        pass


def test_a_fresh_server_shows_the_first_view_then_the_whole_page(monkeypatch):
    """While the labs' modules load, the Studio draws its first view, then runs again whole with the link's settings."""
    routing.wait_for_labs()  # the real warm-up done first: only the page's view of it is cold
    drawn = []
    monkeypatch.setattr(routing, "_warm", ColdOnce())
    monkeypatch.setattr(first_view, "studio_first_view_ui", lambda: drawn.append(real_first_view()) or drawn[-1])
    at = open_link(PAGE, count="31")  # no first view for this link: the page computes its pictures live
    assert drawn == [False] and not at.exception and len(sample_captions(at)) == 31
    monkeypatch.setattr(routing, "_warm", ColdOnce())
    flip = pictures.FIRST_VIEWS[1]
    at = open_link(PAGE, **{name: list(values) for name, values in flip.query.items()})
    assert drawn == [False, True] and not at.exception and at.multiselect(key="chain").value == ["Horizontal flip"]
    assert len(sample_captions(at)) == 8 and all("Horizontal flip" in c for c in sample_captions(at))
