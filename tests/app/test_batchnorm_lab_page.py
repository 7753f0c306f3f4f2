"""The BatchNorm Lab page, driven through AppTest."""

import pytest

from core import claims
from core.labs import BATCHNORM, BatchNormTab

from .conftest import filled_tabs, open_link, open_tab, widget_keys

PAGE = BATCHNORM.page
TABS = BATCHNORM.labels


@pytest.fixture
def lab(open_page):
    return open_page(PAGE)


def test_page_loads_with_recorded_histograms_and_all_sections(lab):
    """The first five tabs, each opened in turn, render from the shipped records without exception."""
    assert not lab.exception
    assert [tab.label for tab in lab.tabs] == TABS
    charts = len(lab.get("plotly_chart"))  # Activations: histograms and layer stds
    open_tab(lab, BatchNormTab.LIVE_TRAINING)
    assert not lab.exception and len(lab.get("form_submit_button")) == 1
    charts += len(lab.get("plotly_chart"))  # the recorded learning-rate sweep
    open_tab(lab, BatchNormTab.TRAIN_VS_TEST)
    assert not lab.exception
    assert len(lab.metric) == 3  # train vs eval mode accuracies
    charts += len(lab.get("plotly_chart"))  # running statistics, batch sweep
    open_tab(lab, BatchNormTab.FORMULA)
    assert not lab.exception and lab.latex and len(lab.dataframe) == 1
    open_tab(lab, BatchNormTab.INITIALIZATION)
    assert not lab.exception and len(lab.dataframe) == 1
    charts += len(lab.get("plotly_chart"))  # depth heatmap
    assert charts >= 5


def test_only_the_open_tab_runs_and_a_link_opens_its_tab(lab):
    """First open: only Activations is drawn (no β_m slider); ?bn_tab=Train vs test opens that tab instead."""
    assert filled_tabs(lab) == [BatchNormTab.ACTIVATIONS]
    assert "bn_step" in widget_keys(lab)
    assert not {"lr", "beta_m", "formula_layer", "init_activation"} & widget_keys(lab)
    assert not lab.metric
    open_tab(lab, BatchNormTab.TRAIN_VS_TEST)
    assert filled_tabs(lab) == [BatchNormTab.TRAIN_VS_TEST]
    assert "beta_m" in widget_keys(lab) and "bn_step" not in widget_keys(lab)
    linked = open_link(PAGE, bn_tab=BatchNormTab.TRAIN_VS_TEST, beta_m="0.95")
    assert not linked.exception and not linked.toast
    assert filled_tabs(linked) == [BatchNormTab.TRAIN_VS_TEST] and len(linked.metric) == 3
    assert "bn_step" not in widget_keys(linked)
    open_tab(linked, BatchNormTab.FORMULA)
    assert filled_tabs(linked) == [BatchNormTab.FORMULA] and "beta_m" not in widget_keys(linked)
    assert open_tab(linked, BatchNormTab.TRAIN_VS_TEST).slider(key="beta_m").value == 0.95  # kept while closed


def test_step_slider_moves_through_the_recorded_snapshots(lab):
    """Choosing the last recorded step redraws the histograms without error."""
    slider = lab.select_slider(key="bn_step")
    assert slider.options[0] == "0"
    slider.set_value(int(slider.options[-1])).run()
    assert not lab.exception


def test_eval_mode_beats_one_image_at_a_time(lab):
    """The three accuracies are shown and eval mode is the best of them."""
    open_tab(lab, BatchNormTab.TRAIN_VS_TEST)
    values = {metric.label: float(metric.value.rstrip("%")) for metric in lab.metric}
    assert values["eval mode (running statistics)"] > values["train mode, one image at a time"]


def test_live_training_runs_and_reports_both_networks(lab):
    """A 50-step live run at lr 0.5 shows a progress bar and an accuracy for each network."""
    open_tab(lab, BatchNormTab.LIVE_TRAINING)
    assert any("Train both networks" in info.value for info in lab.info)
    lab.select_slider(key="lr").set_value(0.5)
    lab.slider(key="steps").set_value(50)
    lab.get("form_submit_button")[0].click().run()  # (the form's only button)
    assert not lab.exception
    labels = [metric.label for metric in lab.metric]
    assert "plain: test accuracy" in labels and "BatchNorm: test accuracy" in labels


def test_formula_panel_agrees_with_the_layer(lab):
    """The caption reports a tiny difference between hand computation and nn.BatchNorm2d."""
    open_tab(lab, BatchNormTab.FORMULA)
    lab.selectbox(key="formula_layer").set_value("block3").run()
    caption = next(c.value for c in lab.caption if "differ by at most" in c.value)
    assert float(caption.split("at most ")[1].rstrip(".")) < 1e-4


def test_running_statistics_controls_respond(lab):
    """Moving beta_m and the batch size keeps the page healthy."""
    open_tab(lab, BatchNormTab.TRAIN_VS_TEST)
    lab.slider(key="beta_m").set_value(0.99).run()
    lab.select_slider(key="rs_batch").set_value(2).run()
    assert not lab.exception


def test_initialization_recap_reports_dead_units(lab):
    """ReLU with a tiny initialization: the table and heatmap render."""
    open_tab(lab, BatchNormTab.INITIALIZATION)
    lab.button_group(key="init_activation").set_value("relu").run()
    lab.button_group(key="init_scheme").set_value("too small (std 0.01)").run()
    assert not lab.exception
    assert lab.dataframe[-1].value["layer"].tolist() == list(range(1, 11))


def test_your_image_batch_uses_the_sample_photo(lab):
    """Switching the batch to the user's image augments the cat and redraws the histograms."""
    lab.button_group(key="bn_batch").set_value("Your image, augmented").run()
    assert not lab.exception
    assert any("64 samples of your image" in c.value for c in lab.caption)


def test_your_image_uses_the_pipeline_built_in_the_studio(open_page):
    """A pipeline picked in the Augmentation Studio is the one the BatchNorm Lab applies to your image."""
    at = open_page("pages/augmentation_studio.py")
    at.multiselect(key="chain").set_value(["Vertical flip", "Scale augmentation"]).run()
    at.switch_page(PAGE).run()
    at.button_group(key="bn_batch").set_value("Your image, augmented").run()
    assert not at.exception
    caption = next(c.value for c in at.caption if "64 samples of your image" in c.value)
    assert caption.endswith("through: Vertical flip, Scale augmentation")


def test_a_missing_upload_leaves_every_other_section_working():
    """Your image, augmented with no file: the Activations tab says so, every other tab, opened in turn, renders."""
    at = open_link(PAGE, bn_batch="Your image, augmented", source="Upload")
    assert not at.exception
    assert any("needs an image" in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 1  # the recorded stds (no histograms without the image)
    open_tab(at, BatchNormTab.LIVE_TRAINING)
    assert not at.exception and len(at.get("form_submit_button")) == 1
    open_tab(at, BatchNormTab.TRAIN_VS_TEST)
    assert not at.exception
    assert len(at.metric) == 3
    assert len(at.get("plotly_chart")) >= 2  # running statistics, batch sweep
    open_tab(at, BatchNormTab.FORMULA)
    assert not at.exception
    assert any("differ by at most" in caption.value for caption in at.caption)
    open_tab(at, BatchNormTab.INITIALIZATION)
    assert not at.exception
    assert at.dataframe[-1].value["layer"].tolist() == list(range(1, 11))
    assert len(at.get("plotly_chart")) >= 1  # depth


def test_recorded_sweep_and_its_claim_show_before_training(lab):
    """The 5-seed learning-rate sweep and the registry's sentence about it are there before anyone presses Train."""
    open_tab(lab, BatchNormTab.LIVE_TRAINING)
    notes = " ".join(box.value for box in [*lab.success, *lab.warning])
    assert claims.sentence("bn-tolerates-larger-lr") in notes
    assert any("5 seeds" in header.value for header in lab.subheader)


def test_other_normalizations_are_checked_against_torch_on_the_chosen_batch(open_page):
    """Four rows, each matching torch.nn to 1e-4; a batch of 1 changes only BatchNorm; G = 16 reaches the cube."""
    lab = open_link(PAGE, bn_tab=BatchNormTab.OTHER_NORMS, norms_layer="block3", norms_batch="4", norms_groups="16")
    assert not lab.exception and filled_tabs(lab) == [BatchNormTab.OTHER_NORMS]
    rows = lab.dataframe[0].value
    assert list(rows["normalization"]) == ["BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm (G = 16)"]
    assert all(float(d) < 1e-4 for d in rows["max |difference| to torch.nn"])
    alone = [float(v) for v in rows["image 1 alone (batch of 1) changes it by"]]
    assert alone[0] > 0 and alone[1:] == [0, 0, 0]
    assert rows["values per mean"][0] == f"{4 * 14 * 14:,}"  # block 3: 4 images × 14×14 positions per channel
    assert len(lab.get("plotly_chart")) == 1


def test_deep_networks_and_non_linearities_draw_from_their_records(open_page):
    """Deep networks: accuracy by depth, one depth's losses and gradients, and the claim; Non-linearities: one
    item's softmax, curves, the four rows and per-layer gradients, at either training rate."""
    lab = open_link(PAGE, bn_tab=BatchNormTab.DEEP, deep_depth="10")
    assert not lab.exception and len(lab.get("plotly_chart")) == 3
    assert claims.sentence("bn-trains-deep-nets") in [box.value for box in [*lab.success, *lab.warning]]
    linked = open_link(PAGE, bn_tab=BatchNormTab.NONLINEARITIES, nonlin_lr="0.3", softmax_item="7")
    assert not linked.exception and len(linked.get("plotly_chart")) == 3  # softmax, the curves, the gradients
    assert linked.slider(key="softmax_item").value == 7
    assert any("True class" in block.value for block in linked.markdown)
    assert list(linked.dataframe[0].value["non-linearity"]) == ["sigmoid", "tanh", "ReLU", "Leaky ReLU (0.1)"]
