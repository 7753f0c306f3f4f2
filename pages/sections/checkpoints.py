"""Regularization Lab's sections on training time and checkpoints: dropout's extra epochs, and ensembles of one
run's checkpoints against independent networks at the same cost."""

from __future__ import annotations

import streamlit as st

from app import explain
from core import claims, recap, train
from core.runs import RUNS_DIR
from pages.sections.shared import claim_note, plot, table

SLOW_LABELS = {"none": "without dropout", "dropout": "dropout 0.5"}


@st.cache_resource(show_spinner=False)
def slow_view() -> dict[str, object]:
    found = claims.slow_records(RUNS_DIR)
    records = {SLOW_LABELS[arm]: runs for arm, runs in found.items()}
    target = recap.slow_target(records)
    return {"records": records, "target": target, "rows": recap.slow_rows(records, target)}


def dropout_time_section() -> None:
    view = slow_view()
    explain(
        "reg.dropout_time",
        images=f"{train.SLOW_IMAGES:,}",
        validation=f"{train.SLOW_VALIDATION:,}",
        every=train.SLOW.eval_every,
        target=f"{100 * view['target']:.1f}",
        seeds=len(train.SLOW_SEEDS),
    )
    plot("dropout_time", recap.slow_figure, view["records"], view["target"], content="recorded")
    table("dropout_time", view["rows"], content="recorded")
    claim_note("dropout-trains-slower")


@st.cache_resource(show_spinner="Scoring the checkpoints on 10,000 test images…")
def checkpoint_view() -> tuple[dict[str, list[recap.EnsembleResult]], list[dict]]:
    """Each arm scored on the 10,000 test images, and the table's rows."""
    results = claims.checkpoint_results(RUNS_DIR)
    return results, recap.checkpoint_rows(results)


@st.cache_resource(show_spinner=False)
def schedules() -> dict[str, tuple[list[int], list[float]]]:
    return recap.schedule_series(train.CHECKPOINT, train.CHECKPOINT_MEMBERS)


def checkpoint_section() -> None:
    explain(
        "reg.checkpoints",
        members=train.CHECKPOINT_MEMBERS,
        steps=train.CHECKPOINT.steps,
        cycle=train.CHECKPOINT_CYCLE,
        images=f"{train.CHECKPOINT_IMAGES:,}",
    )
    plot("checkpoint_schedule", recap.schedule_figure, schedules(), content="recorded")
    results, rows = checkpoint_view()
    plot("checkpoints", recap.checkpoint_figure, results, content="recorded")
    table("checkpoints", rows, content="recorded")
    claim_note("checkpoint-ensemble-helps")
