"""Regularization Lab's sections on training time and checkpoints: dropout's extra epochs, and ensembles of one
run's checkpoints against independent networks at the same cost."""

from __future__ import annotations

import streamlit as st

from core import dropout_time, ensemble_plan, ensembles, plan, slow_plan, time_measures, tuning
from core.arms import TUNED
from core.runs import RUNS_DIR, long_slow_records, slow_records
from pages.sections.widgets import claim_note, plot, table
from pages.ui.kit import explain


@st.cache_resource(show_spinner=False)
def long_slow_view() -> dict[str, object]:
    """Round 11's arms (the claim's test) and the table's rows, one per seed."""
    found = long_slow_records(RUNS_DIR, slow_plan.LONG_SLOW_P)
    records = {
        "without dropout": found["none"],
        f"dropout {slow_plan.LONG_SLOW_P:g} (validation's choice)": found["dropout"],
    }
    rows = dropout_time.long_rows(
        slow_plan.LONG_SLOW_SEEDS, found["none"], found["dropout"], slow_plan.LONG_SLOW_TARGET_SHARE
    )
    return {"records": records, "rows": rows}


def dropout_time_section() -> None:
    view = long_slow_view()
    explain(
        "reg.dropout_time",
        p=f"{slow_plan.LONG_SLOW_P:g}",
        grid=", ".join(f"{p:g}" for p in slow_plan.LONG_SLOW_GRID),
        images=f"{slow_plan.SLOW_IMAGES:,}",
        validation=f"{slow_plan.SLOW_VALIDATION:,}",
        every=slow_plan.LONG_SLOW.validate_every,
        seeds=", ".join(map(str, slow_plan.LONG_SLOW_SEEDS)),
    )
    plot("dropout_time", dropout_time.long_figure, view["records"], content="recorded")
    table("dropout_time", view["rows"], content="recorded")
    with st.expander("Round 4's test: 10 epochs, one target shared by all seeds"):
        round4_ui()
    claim_note("dropout-trains-slower")


@st.cache_resource(show_spinner=False)
def round4_view() -> dict[str, object]:
    """Round 4's arms and their shared target."""
    found = slow_records()
    target = dropout_time.slow_target(found)
    records = {
        "without dropout": found["none"],
        f"dropout {TUNED['slow_dropout']:g} (validation's choice)": found["dropout"],
    }
    return {"records": records, "target": target, "rows": dropout_time.slow_rows(records, target)}


def round4_ui() -> None:
    """Round 4: the test before round 11, read from one evaluation at a time against one target for all seeds."""
    view = round4_view()
    explain(
        "reg.dropout_time_round4",
        images=f"{slow_plan.SLOW_IMAGES:,}",
        validation=f"{slow_plan.SLOW_VALIDATION:,}",
        every=slow_plan.SLOW.eval_every,
        target=f"{100 * view['target']:.1f}",
        seeds=", ".join(map(str, slow_plan.SLOW_VERDICT_SEEDS)),
        p=f"{TUNED['slow_dropout']:g}",
    )
    plot("dropout_time_round4", dropout_time.slow_figure, view["records"], view["target"], content="recorded")
    table("dropout_time_round4", view["rows"], content="recorded")


@st.cache_resource(show_spinner="Scoring the checkpoints on 10,000 test images…")
def checkpoint_view() -> tuple[dict[str, list[ensembles.EnsembleResult]], list[dict], list[dict]]:
    """Each arm scored on the 10,000 test images, the table's rows, and the tuning's candidates."""
    results = time_measures.checkpoint_results(RUNS_DIR)
    candidates = tuning.checkpoint_candidates(RUNS_DIR)
    tuned = ensembles.checkpoint_tuning_rows(candidates, tuning.checkpoint_choices(candidates))
    return results, ensembles.checkpoint_rows(results), tuned


@st.cache_resource(show_spinner=False)
def schedules() -> dict[str, tuple[list[int], list[float]]]:
    return ensembles.schedule_series(ensemble_plan.CHECKPOINT, ensemble_plan.SNAPSHOT)


def checkpoint_section() -> None:
    explain(
        "reg.checkpoints",
        members=ensemble_plan.CHECKPOINT_MEMBERS,
        averaged=ensemble_plan.CHECKPOINT_AVERAGED,
        single_rate=f"{ensemble_plan.CHECKPOINT.lr:g}",
        snapshot_rate=f"{ensemble_plan.SNAPSHOT.lr:g}",
        steps=f"{ensemble_plan.CHECKPOINT.steps:,}",
        epochs=round(
            ensemble_plan.CHECKPOINT.steps * ensemble_plan.CHECKPOINT.batch_size / ensemble_plan.CHECKPOINT_IMAGES
        ),
        cycle=ensemble_plan.CHECKPOINT_CYCLE,
        seeds=len(ensemble_plan.CHECKPOINT_SEEDS),
        images=f"{ensemble_plan.CHECKPOINT_IMAGES:,}",
    )
    plot("checkpoint_schedule", ensembles.schedule_figure, schedules(), content="recorded")
    results, rows, tuned = checkpoint_view()
    plot("checkpoints", ensembles.checkpoint_figure, results, content="recorded")
    table("checkpoints", rows, content="recorded")
    explain(
        "reg.checkpoint_tuning",
        "caption",
        seeds=len(plan.TUNE_SEEDS),
        validation=f"{ensemble_plan.CHECKPOINT_VALIDATION:,}",
    )
    table("checkpoint_tuning", tuned, content="recorded")
    long_checkpoint_ui()
    claim_note("checkpoint-ensemble-helps")


@st.cache_resource(show_spinner="Scoring round 10's checkpoints on 10,000 test images…")
def long_checkpoint_rows() -> list[dict]:
    return ensembles.long_checkpoint_rows(time_measures.long_checkpoint_errors(RUNS_DIR), time_measures.LONG_EPOCHS)


def long_checkpoint_ui() -> None:
    """Round 10: the claim's test, at 5 cycles of the comparison's whole budget each."""
    explain(
        "reg.long_checkpoints",
        epochs=time_measures.LONG_EPOCHS,
        images=f"{ensemble_plan.CHECKPOINT_IMAGES:,}",
        rate=f"{ensemble_plan.LONG_BUDGET.lr:g}",
        seeds=", ".join(map(str, ensemble_plan.LONG_SEEDS)),
    )
    table("long_checkpoints", long_checkpoint_rows(), content="recorded")
