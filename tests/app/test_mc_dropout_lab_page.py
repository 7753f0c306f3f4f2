"""The MC Dropout Lab page, driven through AppTest."""

import pytest

from core import claims
from core.labs import MC_DROPOUT, OVERCONFIDENT, OVERCONFIDENT_LABEL, MCDropoutTab

from .conftest import filled_tabs, open_link, open_tab, widget_keys

PAGE = MC_DROPOUT.page
TABS = MC_DROPOUT.labels


@pytest.fixture
def lab(open_page):
    return open_page(PAGE)


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def nats(at, label: str) -> float:
    return float(metrics(at)[label].split()[0])


def test_the_lab_opens_on_an_item_whose_passes_disagree(lab):
    """The opening item is a shirt on which the passes vote for more than one class: mutual information > 0.05."""
    assert not lab.exception
    assert (lab.selectbox(key="mc_class").value, lab.slider(key="mc_index").value) == ("Shirt", 107)
    assert nats(lab, "Mutual information") > 0.05
    assert [tab.label for tab in lab.tabs][0] == MCDropoutTab.PREDICTION


def test_sneaker_gives_tight_confident_predictions(lab):
    """The first sneaker: both predictions say Sneaker and mutual information is near 0."""
    lab.selectbox(key="mc_class").set_value("Sneaker").run()
    lab.slider(key="mc_index").set_value(0).run()
    assert metrics(lab)["Dropout off says"] == "Sneaker" and metrics(lab)["MC average says"] == "Sneaker"
    assert nats(lab, "Mutual information") < 0.01


def test_only_the_open_tab_runs_and_a_link_opens_its_tab(lab):
    """First open: only Prediction is drawn (no Dropout basics slider); ?mc_tab=Dropout basics opens that tab."""
    assert [tab.label for tab in lab.tabs] == TABS and filled_tabs(lab) == [MCDropoutTab.PREDICTION]
    assert not {"mc_perturbation", "mc_calibration_net", "basics_p"} & widget_keys(lab)
    assert "Dropout off says" in metrics(lab) and "E[z], no rescaling" not in metrics(lab)
    open_tab(lab, MCDropoutTab.CALIBRATION)
    assert filled_tabs(lab) == [MCDropoutTab.CALIBRATION] and "mc_calibration_net" in widget_keys(lab)
    assert not lab.metric
    linked = open_link(PAGE, mc_tab=MCDropoutTab.BASICS, basics_p="0.2")
    assert not linked.exception and not linked.toast
    assert filled_tabs(linked) == [MCDropoutTab.BASICS] and linked.slider(key="basics_p").value == 0.2
    assert "Dropout off says" not in metrics(linked) and "mc_calibration_net" not in widget_keys(linked)
    open_tab(linked, MCDropoutTab.PREDICTION)
    assert filled_tabs(linked) == [MCDropoutTab.PREDICTION] and "Dropout off says" in metrics(linked)
    assert open_tab(linked, MCDropoutTab.BASICS).slider(key="basics_p").value == 0.2  # kept while closed


def test_cat_photo_spreads_the_mc_distribution(lab):
    """The cat photo: mutual information rises well above the first sneaker's."""
    lab.selectbox(key="mc_class").set_value("Sneaker").run()
    lab.slider(key="mc_index").set_value(0).run()
    sneaker = nats(lab, "Mutual information")
    lab.button_group(key="mc_source").set_value("Photo").run()
    assert not lab.exception
    assert nats(lab, "Mutual information") > 10 * max(sneaker, 1e-3)
    assert any("28×28" in caption for image in lab.image for caption in image.captions)


def test_passes_p_and_seed_controls(lab):
    """T, the model's p and the seed all rerun the page cleanly; the seed changes the MC numbers."""
    lab.select_slider(key="mc_p").set_value(0.5).run()
    lab.slider(key="mc_T").set_value(200).run()
    before = metrics(lab)["Predictive entropy"]
    lab.number_input(key="seed").set_value(3).run()
    assert not lab.exception
    assert metrics(lab)["Predictive entropy"] != before or metrics(lab)["Predictive entropy"] == "0.000 nats"


def test_surprise_me_picks_another_item(lab):
    """Surprise me changes the class or the item index."""

    def item():
        return lab.selectbox(key="mc_class").value, lab.slider(key="mc_index").value

    seen = {item()}
    for _ in range(3):  # two draws in a row hit the same item with probability 1/2000
        lab.button(key="mc_surprise").click().run()
        seen.add(item())
    assert not lab.exception and len(seen) > 1


def test_calibration_reports_ece_for_both_predictions(lab):
    """The reliability diagram legend names an ECE for dropout off and for the MC average."""
    open_tab(lab, MCDropoutTab.CALIBRATION)
    figure = next(chart for chart in lab.get("plotly_chart") if "(ECE" in chart.proto.spec)
    assert "dropout off (ECE" in figure.proto.spec and "MC average of 50 (ECE" in figure.proto.spec


def test_calibration_offers_the_over_confident_network(lab):
    """Switching to the small-data network redraws the reliability diagram and keeps the claim note."""
    open_tab(lab, MCDropoutTab.CALIBRATION)
    lab.button_group(key="mc_calibration_net").set_value(OVERCONFIDENT).run()
    assert not lab.exception
    assert any("ECE: dropout off" in c.value or "For the over-confident" in c.value for c in lab.caption)
    assert any(claims.sentence("mc-dropout-calibrates") in box.value for box in [*lab.success, *lab.warning])
    assert "mc_p" not in widget_keys(lab)  # the model's p slider does not steer this network: it is hidden
    open_tab(lab, MCDropoutTab.BASICS)
    open_tab(lab, MCDropoutTab.CALIBRATION)  # the choice survives a visit to another tab
    assert lab.button_group(key="mc_calibration_net").value == OVERCONFIDENT


def test_the_main_models_calibration_says_first_when_it_shows_the_opposite_of_the_slide(lab):
    """For the main model the page says what MC averaging did to *its* ECE; where averaging raises it, the view's
    first sentence says so and names the network on which the slide's effect appears; the claim's box (tested
    on the main models) follows."""
    open_tab(lab, MCDropoutTab.CALIBRATION)
    said = [block.value for block in lab.markdown]
    assert any("For this network MC averaging" in text for text in said)
    raises = any("For this network MC averaging raises" in text for text in said)
    opposite = [text for text in said if "not the drop the slide expects" in text]
    assert bool(opposite) == raises
    if raises:
        assert OVERCONFIDENT_LABEL in opposite[0]
    assert any(claims.sentence("mc-dropout-calibrates") in box.value for box in [*lab.success, *lab.warning])


def test_dropout_basics_follow_the_slider(lab):
    """At p = 0.5, E[z] without rescaling is half of the full θ·x; PyTorch's stays at θ·x."""
    open_tab(lab, MCDropoutTab.BASICS)
    values = metrics(lab)
    assert float(values["E[z], no rescaling"]) == pytest.approx(0.5 * float(values["θ·x, all kept"]))
    lab.slider(key="basics_p").set_value(0.2).run()
    values = metrics(lab)
    assert float(values["E[z], no rescaling"]) == pytest.approx(0.8 * float(values["θ·x, all kept"]))
    assert values["E[z], PyTorch scaling"] == values["θ·x, all kept"]


def test_bad_photo_upload_is_explained(lab):
    """A broken upload on this page shows the clear message and the page keeps working."""
    lab.button_group(key="mc_source").set_value("Photo").run()
    lab.button_group(key="source").set_value("Upload").run()
    lab.file_uploader(key="upload").set_value(("cat.png", b"\x89PNG\r\n\x1a\n broken", "image/png")).run()
    assert not lab.exception
    assert "cat.png" in lab.error[0].value and "not an image we can read" in lab.error[0].value


def test_photo_without_a_file_keeps_the_tabs_that_do_not_need_it():
    """Photo + Upload and no file: Prediction and Perturbation say so; the other four tabs work."""

    def needs_an_image(at) -> int:
        return sum("needs an image" in info.value for info in at.info)

    at = open_link(PAGE, mc_source="Photo", source="Upload")
    assert not at.exception
    assert [tab.label for tab in at.tabs] == TABS
    assert needs_an_image(at) == 1 and not at.get("plotly_chart")  # Prediction
    open_tab(at, MCDropoutTab.PERTURBATION)
    assert not at.exception and needs_an_image(at) == 1 and not at.get("plotly_chart")
    open_tab(at, MCDropoutTab.CALIBRATION)
    assert not at.exception and needs_an_image(at) == 0
    assert len(at.get("plotly_chart")) == 1 and "ECE" in at.get("plotly_chart")[0].proto.spec
    open_tab(at, MCDropoutTab.IN_VS_OUT)
    assert not at.exception and needs_an_image(at) == 0
    assert len(at.get("plotly_chart")) == 2  # the two In vs out figures
    open_tab(at, MCDropoutTab.BASICS)
    assert not at.exception and needs_an_image(at) == 0
    assert "E[z], no rescaling" in metrics(at)  # the sub-networks, then dropout before BatchNorm
    assert [chart.key for chart in at.get("plotly_chart")] == ["subnetworks", "variance_shift"]
    open_tab(at, MCDropoutTab.TTA)
    assert not at.exception and needs_an_image(at) == 0
    assert at.dataframe[-1].value["prediction"].tolist() and not at.get("plotly_chart")


def test_tta_is_measured_on_clean_mirrored_and_shifted_test_images(lab):
    """The trained-with / trained-without table covers the clean test set and the two transformed ones."""
    open_tab(lab, MCDropoutTab.TTA)
    table = lab.dataframe[-1].value
    assert set(table["test images"]) == {"clean", "mirrored", "shifted 2 px"}
    assert {"trained with flip + crop", "trained without augmentation"} <= set(table.columns)
