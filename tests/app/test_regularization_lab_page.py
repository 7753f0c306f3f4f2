"""The Regularization Lab page, driven through AppTest."""

import json

import pytest

from core import claims, ensemble_plan, plan, slow_plan, tuning
from core.arms import ROUND8_TUNED, ROUND9_TUNED, TUNED
from core.labs import REGULARIZATION, RegularizationTab
from core.runs import load_record

from .conftest import filled_tabs, open_link, open_tab, widget_keys

PAGE = REGULARIZATION.page
TABS = REGULARIZATION.labels


@pytest.fixture
def lab(open_page):
    return open_page(PAGE)


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def notes(at) -> str:
    """Every claim note on the page (shown claims as success boxes, the others as warnings)."""
    return " ".join(box.value for box in [*at.success, *at.warning])


def test_the_first_four_tabs_render_from_the_records(lab):
    """The first four of the six tabs, each opened in turn, render from the shipped records without exception (the
    last two: test_recorded_recap_sections_show_their_figures_table_and_claim)."""
    assert not lab.exception
    assert [tab.label for tab in lab.tabs] == TABS
    assert len(lab.get("plotly_chart")) == 2  # Small data: invariance, curves
    assert len(lab.dataframe) == 6  # summary, augmentation and dropout rates, grid, same augmentation and its rates
    open_tab(lab, RegularizationTab.WEIGHT_DECAY)
    assert not lab.exception and len(lab.metric) == 3 and lab.get("plotly_chart") and len(lab.dataframe) == 3
    open_tab(lab, RegularizationTab.EARLY_STOPPING)
    assert not lab.exception and lab.get("plotly_chart") and len(lab.dataframe) == 1
    open_tab(lab, RegularizationTab.ENSEMBLES)
    assert not lab.exception and len(lab.metric) == 2 and len(lab.get("plotly_chart")) == 3


def test_only_the_open_tab_runs_and_a_link_opens_its_tab(lab):
    """First open: only Small data is drawn (no λ slider); ?reg_tab=Early stopping opens that tab instead."""
    assert filled_tabs(lab) == [RegularizationTab.SMALL_DATA]
    assert "reg_arms" in widget_keys(lab)
    assert not {"decay", "surface", "patience", "members"} & widget_keys(lab)
    assert not lab.metric
    open_tab(lab, RegularizationTab.WEIGHT_DECAY)
    assert filled_tabs(lab) == [RegularizationTab.WEIGHT_DECAY]
    assert "decay" in widget_keys(lab) and "reg_arms" not in widget_keys(lab)
    linked = open_link(PAGE, reg_tab=RegularizationTab.EARLY_STOPPING, patience="7")
    assert not linked.exception and not linked.toast
    assert filled_tabs(linked) == [RegularizationTab.EARLY_STOPPING]
    assert linked.slider(key="patience").value == 7 and not {"reg_arms", "decay"} & widget_keys(linked)
    open_tab(linked, RegularizationTab.ENSEMBLES)
    assert filled_tabs(linked) == [RegularizationTab.ENSEMBLES] and "patience" not in widget_keys(linked)
    assert open_tab(linked, RegularizationTab.EARLY_STOPPING).slider(key="patience").value == 7  # kept while closed


def test_small_data_table_lists_every_choice_with_seed_spread(lab):
    """One row per training choice, each accuracy given as mean ± std over the seeds."""
    table = lab.dataframe[0].value
    assert list(table["training"]) == [
        "no augmentation",
        "flip + crop",
        "flip + crop + erasing",
        "TrivialAugment",
        "RandAugment",
        f"dropout {TUNED['dropout']:g}",
        f"AdamW λ = {TUNED['adamw']:g}",
    ]
    assert all(" ± " in value for value in table["test accuracy %"])


def test_a_student_sees_both_networks_answer_as_the_item_moves(lab):
    """Eight views of the chosen item, each with the answer of the network trained without and with augmentation;
    choosing another item redraws them."""
    answers = [caption for image in lab.image for caption in image.captions if "without:" in caption]
    assert len(answers) == 8 and all("with:" in text for text in answers)
    assert any("✗ without" in text for text in answers)  # the first item is one where the two differ
    lab.selectbox(key="inv_class").set_value("Sneaker").run()
    lab.slider(key="inv_item").set_value(0).run()
    assert not lab.exception
    moved = [caption for image in lab.image for caption in image.captions if "without:" in caption]
    assert len(moved) == 8 and moved != answers


def test_every_claim_of_the_page_is_stated_as_the_registry_says(lab):
    """Each claim note on every tab is the registry's sentence, so the page never says more than the records."""
    text = notes(lab)
    for tab in list(RegularizationTab)[1:]:
        text += " " + notes(open_tab(lab, tab))
    for claim in claims.CLAIMS:
        if claim.page == PAGE:
            assert claims.sentence(claim.name) in text, claim.name


def test_choosing_curves_changes_the_figure(lab):
    """Picking RandAugment and dropout only redraws the curves without error."""
    lab.button_group(key="reg_arms").set_value(["rand_augment", "dropout"]).run()
    assert not lab.exception


def test_dragging_lambda_keeps_plain_sgd_identical_and_splits_momentum_and_adam(lab):
    """At every λ plain SGD's gap is 0; momentum's and Adam's are 0 at λ = 0 and positive above."""
    open_tab(lab, RegularizationTab.WEIGHT_DECAY)
    lab.select_slider(key="decay").set_value(0.0).run()
    gaps = metrics(lab)
    assert all(float(gap) == 0.0 for gap in gaps.values())
    lab.select_slider(key="decay").set_value(1.0).run()
    gaps = metrics(lab)
    assert float(gaps["plain SGD: gap"]) < 1e-9
    assert float(gaps["SGD momentum 0.9: gap"]) > 0.05
    assert float(gaps["Adam vs AdamW: gap"]) > 0.05


def test_weight_decay_tuning_grids_mark_the_chosen_lambda_of_each_rule(lab):
    """Every λ of the three rules' grids, with validation and test figures, one chosen per rule: the one trained."""
    open_tab(lab, RegularizationTab.WEIGHT_DECAY)
    table = lab.dataframe[2].value
    rules = {"AdamW": "adamw", "Adam + L2": "adam_l2", "SGD + L2": "sgd_decay"}
    assert len(table) == sum(len(plan.TUNING_GRIDS[arm]) for arm in rules.values())
    chosen = table[table["chosen"] == "✓"]
    assert dict(zip(chosen["rule"], chosen["λ"])) == {rule: f"{TUNED[arm]:g}" for rule, arm in rules.items()}


@pytest.mark.parametrize(
    ("index", "rules"),
    [(0, {"AdamW": "adamw", "Adam + L2": "adam_l2", "Adam, no decay": "none"}), (1, {"SGD + L2": "sgd_decay"})],
)
def test_the_joint_grids_mark_each_rounds_chosen_rate_and_lambda(lab, index, rules):
    """Above the dose table: a row per λ of each rule's joint grid (round 8's for the Adam rules, round 7's for SGD
    + L2), a column per rate, ✓ and the round at each round's choice."""
    open_tab(lab, RegularizationTab.WEIGHT_DECAY)
    table = lab.dataframe[index].value
    grids = {arm: plan.ROUND8_GRIDS.get(arm, (plan.JOINT_RATES[arm], plan.JOINT_DOSES[arm])) for arm in rules.values()}
    rates = sorted({lr for found, _ in grids.values() for lr in found})
    assert list(table.columns) == ["training", "λ", *(f"rate {lr:g}" for lr in rates)]
    assert len(table) == sum(len(doses) for _, doses in grids.values())
    for rule, arm in rules.items():
        rows = table[table["training"] == rule]
        marked = {
            (column, row["λ"], row[column].split("✓")[1])
            for _, row in rows.iterrows()
            for column in table.columns
            if "✓" in row[column]
        }
        chosen = tuning.chosen_rounds(arm)
        assert marked == {(f"rate {lr:g}", f"{dose:g}", ",".join(map(str, r))) for (lr, dose), r in chosen.items()}
    if index == 0:  # round 8 chose for each of the Adam rules
        assert all(arm in ROUND8_TUNED for arm in rules.values())


def test_the_augmentation_claims_rates_mark_round_eights_choices(lab):
    """Small data: each augmentation arm's rate grid, without a λ column, ✓8 at the rate its verdict runs train."""
    table = lab.dataframe[1].value
    assert list(table.columns) == ["training", *(f"rate {lr:g}" for lr in plan.ROUND8_RATES)]
    for label, arm in (("no augmentation", "none"), ("flip + crop + erasing", plan.RECIPE)):
        (row,) = [row for _, row in table.iterrows() if row["training"] == label]
        assert [column for column in table.columns if "✓8" in row[column]] == [f"rate {ROUND8_TUNED[arm][0]:g}"]


def test_the_dropout_claims_grid_marks_round_nines_choices(lab):
    """Small data: dropout's rate × p grid (round 13's p 0.85 in it) beside the network without dropout's rates, ✓ at
    each verdict's point (round 13 chose dropout's again)."""
    table = lab.dataframe[2].value
    rates, doses = plan.ROUND13_DROPOUT_GRIDS["dropout"]
    assert doses[-1] == 0.85
    assert list(table.columns) == ["training", "p", *(f"rate {lr:g}" for lr in rates)]
    assert list(table["p"]) == ["0", *(f"{p:g}" for p in doses)]
    marked = [(row["p"], column) for _, row in table.iterrows() for column in table.columns if "✓" in row[column]]
    assert marked == [(f"{p:g}", f"rate {lr:g}") for lr, p in (ROUND9_TUNED["none"], ROUND9_TUNED["dropout"])]
    assert "✓9,13" in table[f"rate {ROUND9_TUNED['dropout'][0]:g}"].iloc[-2]  # p 0.7's row, above p 0.85's


def test_surface_and_steps_controls(lab):
    """The non-convex surface and a different step count render cleanly."""
    open_tab(lab, RegularizationTab.WEIGHT_DECAY)
    lab.button_group(key="surface").set_value("two valleys (non-convex)").run()
    lab.slider(key="opt_steps").set_value(50).run()
    assert not lab.exception


def early_stopping_table(at):
    return next(frame.value for frame in at.dataframe if "stops at epoch" in frame.value.columns)


def test_patience_moves_the_stopping_point(lab):
    """A longer patience stops later (or at the end), for every seed, and the table shows test loss and accuracy."""
    open_tab(lab, RegularizationTab.EARLY_STOPPING)
    lab.slider(key="patience").set_value(5).run()
    short = early_stopping_table(lab)["stops at epoch"].tolist()
    lab.slider(key="patience").set_value(50).run()
    table = early_stopping_table(lab)
    assert all(long >= early for long, early in zip(table["stops at epoch"], short))
    assert table["seed"].tolist() == list(plan.SEEDS + plan.FRESH_SEEDS)  # the claims' seeds 5-9 with round 2's
    columns = {"test accuracy there", "test accuracy, lowest loss", "test accuracy, end", "test loss, lowest loss"}
    assert columns <= set(table.columns)


def test_early_stopping_shows_the_constant_rate_runs_first_and_the_cosine_runs_on_request(lab):
    """The table's test figures are those of the constant-rate records (seeds 0-9), then of the cosine ones (0-4)."""
    open_tab(lab, RegularizationTab.EARLY_STOPPING)
    for schedule, arm, seeds in (
        ("constant rate", plan.EARLY_STOPPING_ARM, plan.SEEDS + plan.FRESH_SEEDS),
        ("cosine schedule", "none", plan.SEEDS),
    ):
        lab.button_group(key="es_rate").set_value(schedule).run()
        records = [load_record(f"small_{arm}_seed{seed}") for seed in seeds]
        expected = [f"{r['kept']['test_accuracy']:.1%}" for r in records]
        assert early_stopping_table(lab)["test accuracy, end"].tolist() == expected


def test_ensemble_members_switch(lab):
    """Switching to bagging shows its error correlation."""
    open_tab(lab, RegularizationTab.ENSEMBLES)
    lab.button_group(key="members").set_value("bag").run()
    assert not lab.exception
    assert -1 <= float(metrics(lab)["Mean correlation of the members' errors"]) <= 1
    assert 0 <= float(metrics(lab)["Correlation of the members' probability errors (c / v)"]) <= 1


def test_figures_of_the_same_kind_and_content_are_not_confused(open_page):
    """The CNN's weight norms and test accuracies (one builder, both from the records) are two different charts."""
    at = open_tab(open_page(PAGE), RegularizationTab.WEIGHT_DECAY)
    titles = [json.loads(chart.proto.spec)["layout"]["yaxis"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert titles[1:] == ["‖weights‖₂", "test accuracy"]


@pytest.mark.parametrize(
    ("tab", "claim", "charts"),
    [
        (RegularizationTab.CHECKPOINT_ENSEMBLES, "checkpoint-ensemble-helps", 2),
        (RegularizationTab.DROPOUT_TIME, "dropout-trains-slower", 2),
    ],
)
def test_recorded_recap_sections_show_their_figures_table_and_claim(tab, claim, charts):
    """Each opens from a link with its figures, its tables (the checkpoint comparison's three arms; the checkpoint
    tuning's candidates: one per rate for the single network, one per rate and number of last checkpoints averaged
    for the snapshot run; round 10's test. Dropout's training time: round 11's seeds, round 4's two arms), and its
    claim as the records say."""
    lab = open_link(PAGE, reg_tab=tab)
    assert not lab.exception and filled_tabs(lab) == [tab]
    candidates = len(ensemble_plan.CHECKPOINT_RATES) * (
        1 + sum(cycles - 1 for cycles in ensemble_plan.CHECKPOINT_CYCLES)
    )
    long_rows = 1 + (ensemble_plan.LONG_CYCLES - 1) + ensemble_plan.LONG_CYCLES  # one net, averages, each alone
    tables = {
        RegularizationTab.CHECKPOINT_ENSEMBLES: [3, candidates, long_rows],
        RegularizationTab.DROPOUT_TIME: [len(slow_plan.LONG_SLOW_SEEDS), 2],
    }[tab]
    assert len(lab.get("plotly_chart")) == charts and [len(frame.value) for frame in lab.dataframe] == tables
    assert claims.sentence(claim) in [box.value for box in [*lab.success, *lab.warning]]
