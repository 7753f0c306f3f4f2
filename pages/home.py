"""Landing page: what AugNorm Lab is, a picture of each lab and where to start."""

from pathlib import Path

import streamlit as st

from core.labs import BATCHNORM, LABS, MC_DROPOUT, REGULARIZATION, STUDIO
from pages.ui.kit import picture_html
from pages.ui.routing import use_router

use_router()

CARDS = Path(__file__).parents[1] / "core" / "assets" / "cards"  # each lab's look, kept current by the browser tests
SEES = {  # what a student will see in each lab
    STUDIO: (
        "Your photo through a torchvision pipeline: a seeded grid, each sample labelled with exactly what was drawn."
    ),
    BATCHNORM: (
        "Activations of a plain and a BatchNorm CNN layer by layer; both trained live, at learning rates of your "
        "choice."
    ),
    MC_DROPOUT: "One network run 50 times with dropout on: where its passes agree on a class, and where they do not.",
    REGULARIZATION: (
        "Networks trained on 500 images with and without augmentation, tested on shifted, rotated, mirrored items."
    ),
}


def lab_cards_ui() -> None:
    """A picture card per lab, two to a row (stacked on a phone)."""
    for start in range(0, len(LABS), 2):
        for column, lab in zip(st.columns(2, gap="large"), LABS[start : start + 2]):
            column.html(picture_html(CARDS / f"{lab.name}.jpg", lab.title))
            column.page_link(lab.page, label=lab.title, icon=lab.icon)
            column.caption(SEES[lab])


st.title("AugNorm Lab")
st.markdown(
    "Watch **data augmentation**, **normalization** and **dropout** work on real images and a real small "
    "CNN: the pictures and live demos computed by PyTorch and torchvision as you watch, the training results "
    "recorded from real runs of the same code, so what you see is what the libraries do. It follows "
    "the lecture “Data Augmentation and Advanced Regularization”."
)
st.page_link("pages/lecture.py", label="Present the lecture: every slide, one click each", icon=":material/slideshow:")
lab_cards_ui()
st.page_link("pages/lecture_claims.py", label="Lecture claims", icon=":material/fact_check:")
st.caption(
    "Each claim of the lecture with its slide, the effect this app's own experiments measure (with its 95 % "
    "interval) and a verdict: shown, the opposite, or not shown (it fails here, or the test cannot see it)."
)
st.caption(
    "Every random view has a visible seed: the same seed always gives the same picture, so a lecturer and a "
    "class see the same thing. Your uploads stay in memory and are never written to disk."
)
