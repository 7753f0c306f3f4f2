"""The Regularization Lab page, driven through AppTest."""

import pytest

from core import claims

PAGE = "pages/regularization_lab.py"


@pytest.fixture
def lab(open_page):
    return open_page(PAGE)


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def notes(at) -> str:
    """Every claim note on the page (shown claims as success boxes, the others as warnings)."""
    return " ".join(box.value for box in [*at.success, *at.warning])


def test_page_loads_with_all_four_sections(lab):
    """Four tabs render from the shipped records without exception."""
    assert not lab.exception
    assert [tab.label for tab in lab.tabs] == ["Small data", "Weight decay vs L2", "Early stopping", "Ensembles"]


def test_small_data_table_lists_every_choice_with_seed_spread(lab):
    """One row per training choice, each accuracy given as mean ± std over the 3 seeds."""
    table = lab.dataframe[0].value
    assert list(table["training"]) == [
        "no augmentation",
        "flip + shift",
        "TrivialAugment",
        "RandAugment",
        "dropout 0.5",
        "AdamW λ = 0.5",
    ]
    assert all(" ± " in value for value in table["test accuracy %"])


def test_every_claim_of_the_page_is_stated_as_the_registry_says(lab):
    """Each claim note on the page is the registry's sentence, so the page never says more than the records."""
    text = notes(lab)
    for claim in claims.CLAIMS:
        if claim.page == PAGE:
            assert claims.sentence(claim.name) in text, claim.name


def test_choosing_curves_changes_the_figure(lab):
    """Picking RandAugment and dropout only redraws the curves without error."""
    lab.button_group(key="reg_arms").set_value(["rand_augment", "dropout"]).run()
    assert not lab.exception


def test_dragging_lambda_keeps_sgd_paths_identical_and_splits_adam(lab):
    """At every λ the SGD gap is 0; the Adam/AdamW distance is 0 at λ = 0 and positive above."""
    lab.select_slider(key="decay").set_value(0.0).run()
    assert float(metrics(lab)["SGD + L2 vs SGD(weight_decay): largest gap"]) < 1e-9
    assert float(metrics(lab)["Adam + L2 vs AdamW: distance at the end"]) == 0.0
    lab.select_slider(key="decay").set_value(1.0).run()
    assert float(metrics(lab)["SGD + L2 vs SGD(weight_decay): largest gap"]) < 1e-9
    assert float(metrics(lab)["Adam + L2 vs AdamW: distance at the end"]) > 0.05


def test_surface_and_steps_controls(lab):
    """The non-convex surface and a different step count render cleanly."""
    lab.button_group(key="surface").set_value("two valleys (non-convex)").run()
    lab.slider(key="opt_steps").set_value(50).run()
    assert not lab.exception


def early_stopping_table(at):
    return next(frame.value for frame in at.dataframe if "stops at epoch" in frame.value.columns)


def test_patience_moves_the_stopping_point(lab):
    """A longer patience stops later (or at the end), for every seed, and the table shows test loss and accuracy."""
    short = early_stopping_table(lab)["stops at epoch"].tolist()
    lab.slider(key="patience").set_value(10).run()
    table = early_stopping_table(lab)
    assert all(long >= early for long, early in zip(table["stops at epoch"], short))
    assert table["seed"].tolist() == [0, 1, 2]
    assert {"test loss, kept", "test loss, end", "test accuracy, kept", "test accuracy, end"} <= set(table.columns)


def test_ensemble_members_switch(lab):
    """Switching to bagging shows its error correlation."""
    lab.button_group(key="members").set_value("bag").run()
    assert not lab.exception
    assert -1 <= float(metrics(lab)["Mean correlation of the members' errors"]) <= 1
