"""Landing page: what AugNorm Lab is and where to start."""

import streamlit as st

from app import use_router

use_router()

st.title("AugNorm Lab")
st.markdown(
    "Watch **data augmentation**, **normalization** and **dropout** work on real images and a real small "
    "CNN, computed live by PyTorch and torchvision, so what you see is what the libraries do. It follows "
    "the lecture *Data Augmentation and Advanced Regularization*."
)

st.subheader("Start here")
st.page_link(
    "pages/augmentation_studio.py",
    label="Augmentation Studio",
    icon=":material/auto_awesome:",
    help="Flip, crop, brightness, TrivialAugment and RandAugment on your own photo.",
)
st.markdown(
    "- Build an augmentation pipeline from `torchvision.transforms.v2` and see a seeded grid of samples, "
    "each labelled with exactly what was drawn for it.\n"
    "- Explore TrivialAugment's 14 operations at any of its 31 magnitude bins.\n"
    "- See the ten test-time crops, when an augmentation changes the label, and copy the pipeline's code."
)

st.page_link(
    "pages/batchnorm_lab.py",
    label="BatchNorm Lab",
    icon=":material/equalizer:",
    help="Normalization inside a real CNN trained on Fashion-MNIST.",
)
st.markdown(
    "- Pre-activation histograms of a plain CNN and the same CNN with BatchNorm, at initialization and "
    "during training, on Fashion-MNIST or on your own augmented image.\n"
    "- Train both live and watch BN train faster and survive a learning rate that stalls the plain net.\n"
    "- Running statistics, train vs eval mode, small batches (BatchNorm vs GroupNorm), the BN formula with "
    "live numbers, and the initialization recap (Xavier vs Kaiming, saturation, dead ReLUs)."
)

st.page_link(
    "pages/mc_dropout_lab.py",
    label="MC Dropout Lab",
    icon=":material/casino:",
    help="Run a trained network many times with dropout on and read its uncertainty.",
)
st.markdown(
    "- The distribution of every class probability over T dropout passes, entropy and mutual information.\n"
    "- Calibration (reliability diagram, ECE), in- vs out-of-distribution inputs, the weight-scaling rule "
    "and test-time augmentation."
)
st.page_link(
    "pages/regularization_lab.py",
    label="Regularization Lab",
    icon=":material/tune:",
    help="Weight decay vs L2, early stopping, ensembles.",
)
st.markdown(
    "- Test items shifted, rotated, re-lit and mirrored: which networks stay right, trained with or without "
    "augmentation.\n"
    "- Plain SGD, SGD with momentum and Adam on a loss surface: where L2 and decoupled weight decay agree, and "
    "where not.\n"
    "- Augmentation, dropout and weight decay on 500 training images over 3 seeds; early stopping with test loss "
    "and accuracy; ensembles and bagging next to MC dropout of the same networks."
)

st.page_link(
    "pages/lecture_claims.py",
    label="Lecture claims",
    icon=":material/fact_check:",
    help="Every claim of the lecture next to what this app's experiments measure.",
)
st.markdown(
    "- Each claim of the lecture with its slide, the effect this app's own experiments measure (± its spread) "
    "and a verdict: shown, or where this small network differs, with the numbers."
)

st.caption(
    "Every random view has a visible seed: the same seed always gives the same picture, so a lecturer and a "
    "class see the same thing. Your uploads stay in memory and are never written to disk."
)
