"""The Regularization Lab page, driven through AppTest."""

import pytest

PAGE = "pages/regularization_lab.py"


@pytest.fixture
def lab(open_page):
    return open_page(PAGE)


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_page_loads_with_all_three_sections(lab):
    """Three tabs render from the shipped records without exception."""
    assert not lab.exception
    assert [tab.label for tab in lab.tabs] == ["Weight decay vs L2", "Early stopping", "Ensembles"]


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


def test_patience_moves_the_stopping_point(lab):
    """A longer patience stops later (or at the end) and the table follows."""
    table = lab.dataframe[0].value
    short = int(table.loc[table["regularizer"] == "none", "stops at epoch"].iloc[0])
    lab.slider(key="patience").set_value(20).run()
    table = lab.dataframe[0].value
    assert int(table.loc[table["regularizer"] == "none", "stops at epoch"].iloc[0]) > short
    assert list(table["regularizer"]) == ["none", "augmentation", "dropout", "weight_decay"]


def test_ensemble_members_switch(lab):
    """Switching to bagging shows its error correlation."""
    lab.button_group(key="members").set_value("bag").run()
    assert not lab.exception
    assert -1 <= float(metrics(lab)["Mean correlation of the members' errors"]) <= 1
