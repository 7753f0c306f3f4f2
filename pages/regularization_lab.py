"""Regularization Lab: L2 vs decoupled weight decay, early stopping, ensembles and bagging."""

import numpy as np
import streamlit as st

from app import explain, fashion_subset, plot, shipped_model, shipped_probs, shipped_record, use_router
from core.data import to_tensor
from core.figures import disagreement_figure, early_stopping_figure, lines_figure, paths_figure
from core.mc_dropout import mc_probs
from core.regularization import (
    OPTIMIZERS,
    SURFACES,
    disagreement,
    early_stopping,
    epoch_means,
    error_correlation,
    errors_by_size,
    member_errors,
    optimizer_path,
    surface_grid,
)
from core.train import ENSEMBLE_SIZE, REGULARIZERS

use_router()

MAX_STEPS = 500  # the optimizer paths' Steps slider ends here
MC_PASSES = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_paths(surface: str, lr: float, decay: float) -> dict[str, np.ndarray]:
    """Every path to the Steps slider's end: shorter runs are their prefixes, so moving Steps computes nothing."""
    return {label: optimizer_path(SURFACES[surface], label, lr, decay, MAX_STEPS) for label in OPTIMIZERS}


@st.cache_data(max_entries=len(SURFACES), show_spinner=False)
def cached_surface_grid(surface: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return surface_grid(SURFACES[surface])  # the contour's 120×120 loss values, once per surface


@st.fragment
def weight_decay_section() -> None:
    explain("reg.decay")
    surface = st.segmented_control(
        "Loss surface",
        list(SURFACES),
        default="ill-conditioned quadratic",
        required=True,
        key="surface",
        bind="query-params",
    )
    left, middle, right = st.columns(3)
    lr = left.select_slider(
        "Learning rate", [0.005, 0.01, 0.02, 0.05, 0.1], value=0.02, key="opt_lr", bind="query-params"
    )
    decay = middle.select_slider("λ", [0.0, 0.05, 0.1, 0.2, 0.5, 1.0], value=0.5, key="decay", bind="query-params")
    steps = right.slider("Steps", 10, MAX_STEPS, 200, 10, key="opt_steps", bind="query-params")
    paths = {label: path[: steps + 1] for label, path in cached_paths(surface, lr, decay).items()}
    labels = list(paths)
    plot("paths", paths_figure, *cached_surface_grid(surface), paths, dashed=labels[1:2])
    sgd_gap = float(np.abs(paths[labels[0]] - paths[labels[1]]).max())
    adam_gap = float(np.linalg.norm(paths[labels[2]][-1] - paths[labels[3]][-1]))
    left, right = st.columns(2)
    left.metric("SGD + L2 vs SGD(weight_decay): largest gap", f"{sgd_gap:.1e}", help="over every step")
    right.metric("Adam + L2 vs AdamW: distance at the end", f"{adam_gap:.3f}")
    st.subheader("The same on the CNN (recorded)")
    records = {"Adam + L2 (λ = 0.02)": shipped_record("adam_l2"), "AdamW (λ = 0.02)": shipped_record("adamw")}
    left, right = st.columns(2)
    norms = {label: (r["eval_steps"], r["weight_norm"]) for label, r in records.items()}
    plot("weight_norm", lines_figure, norms, "step", "‖weights‖₂", container=left)
    accuracies = {label: (r["eval_steps"], r["test_accuracy"]) for label, r in records.items()}
    plot("decay_accuracy", lines_figure, accuracies, "step", "test accuracy", container=right)


@st.fragment
def early_stopping_section() -> None:
    explain("reg.early_stopping")
    patience = st.slider(
        "Patience (epochs without a better validation loss)", 1, 20, 5, key="patience", bind="query-params"
    )
    records = {name: shipped_record(f"overfit_{name}") for name in REGULARIZERS}  # evaluated once per epoch
    runs = {name: early_stopping(record["val_loss"], patience) for name, record in records.items()}
    none = records["none"]
    epochs = np.arange(len(none["val_loss"]))  # epoch 0: the untrained network
    train_loss = epoch_means(none["train_loss"], none["train"]["eval_every"])
    plot("es", early_stopping_figure, epochs, train_loss, np.array(none["val_loss"]), *runs["none"])
    table = [
        {
            "regularizer": name,
            "stops at epoch": stop,
            "keeps epoch": best,
            "test accuracy, early-stopped": f"{record['test_accuracy'][best]:.1%}",
            "test accuracy, all 60 epochs": f"{record['test_accuracy'][-1]:.1%}",
            "best validation loss": round(min(record["val_loss"]), 3),
        }
        for (name, record), (stop, best) in zip(records.items(), runs.values())
    ]
    st.dataframe(table, hide_index=True)
    curves = {name: (epochs, record["val_loss"]) for name, record in records.items()}
    plot("all_val", lines_figure, curves, "epoch", "validation loss", "Every regularizer on one plot")


@st.cache_data(show_spinner="Running the MC dropout passes…")
def cached_mc_errors() -> list[float]:
    test = fashion_subset()["test"]
    probs = mc_probs(shipped_model("dropout_p0.1"), to_tensor(test.images), max(MC_PASSES), seed=0).numpy()
    running = np.cumsum(probs, axis=0)
    return [float((running[t - 1].argmax(-1) != test.labels).mean()) for t in MC_PASSES]


@st.fragment
def ensembles_section() -> None:
    explain("reg.ensembles")
    labels = fashion_subset()["test"].labels
    members = range(1, ENSEMBLE_SIZE + 1)
    probs = {
        kind: np.stack([shipped_probs(f"ensemble_{kind}{i}") for i in range(ENSEMBLE_SIZE)]) for kind in ("seed", "bag")
    }
    series = {
        "ensemble of seeds": (members, errors_by_size(probs["seed"], labels)),
        "bagging (bootstrap samples)": (members, errors_by_size(probs["bag"], labels)),
        "single members (seeds)": (members, member_errors(probs["seed"], labels)),
        "MC dropout, T passes (p = 0.1 model)": (MC_PASSES, cached_mc_errors()),
    }
    plot(
        "ensemble",
        lines_figure,
        series,
        "members / passes",
        "test error",
        log_x=True,
        points=["single members (seeds)"],
    )
    kind = st.segmented_control(
        "Members",
        ["seed", "bag"],
        default="seed",
        required=True,
        key="members",
        bind="query-params",
        format_func={"seed": "different seeds", "bag": "bagging"}.get,
    )
    st.metric(
        "Mean correlation of the members' errors",
        f"{error_correlation(probs[kind], labels):.2f}",
        help="1: the members make exactly the same mistakes, so averaging cannot fix them",
    )
    plot("disagreement", disagreement_figure, disagreement(probs[kind]))


st.title("Regularization Lab")
explain("reg.notice", "info")
tabs = st.tabs(["Weight decay vs L2", "Early stopping", "Ensembles"])
with tabs[0]:
    weight_decay_section()
with tabs[1]:
    early_stopping_section()
with tabs[2]:
    ensembles_section()
