"""One-click settings worth showing in a lecture, per lab: each is a link (the page's address with the settings as
its query), so it opens the view in a new tab and can be shared like any other view."""

from __future__ import annotations

from urllib.parse import urlencode

from core.labs import (
    BATCHNORM,
    MC_DROPOUT,
    OVERCONFIDENT_LABEL,
    REGULARIZATION,
    STUDIO,
    BatchNormTab,
    MCDropoutTab,
    RegularizationTab,
    StudioTab,
)

# page -> label -> query parameter -> value(s) as a link writes them (a choice's label, not its key)
PRESETS: dict[str, dict[str, dict[str, str | list[str]]]] = {
    STUDIO.name: {
        "a flip alone: only 2 views": {"chain": ["Horizontal flip"]},
        "TrivialAugment, 16 draws": {"chain": ["TrivialAugmentWide"], "count": "16"},
        "MixUp, α 0.5": {STUDIO.tab_key: StudioTab.MIXING, "mix": "MixUp", "mix_alpha": "0.5"},
    },
    BATCHNORM.name: {
        "a diverging learning rate": {BATCHNORM.tab_key: BatchNormTab.LIVE_TRAINING, "lr": "1.0"},
        "running statistics of batches of 2": {BATCHNORM.tab_key: BatchNormTab.TRAIN_VS_TEST, "rs_batch": "2"},
        "tanh with a too-small init": {
            BATCHNORM.tab_key: BatchNormTab.INITIALIZATION,
            "init_scheme": "too small (std 0.01)",
        },
    },
    MC_DROPOUT.name: {
        "an item the passes disagree on": {"mc_class": "Shirt", "mc_index": "107"},
        "a photo, far from Fashion-MNIST": {"mc_source": "Photo"},
        "an over-confident network": {
            MC_DROPOUT.tab_key: MCDropoutTab.CALIBRATION,
            "mc_calibration_net": OVERCONFIDENT_LABEL,
        },
    },
    REGULARIZATION.name: {
        "decay vs L2 at λ 1": {REGULARIZATION.tab_key: RegularizationTab.WEIGHT_DECAY, "decay": "1.0"},
        "stop at the first rise": {REGULARIZATION.tab_key: RegularizationTab.EARLY_STOPPING, "patience": "1"},
        "ensembles of six networks": {REGULARIZATION.tab_key: RegularizationTab.ENSEMBLES},
    },
}


def presets_markdown(page: str, projector: bool = False) -> str:
    """The page's presets as one line of markdown links (relative to the page; projected, they stay projected)."""
    links = []
    for label, settings in PRESETS[page].items():
        query = {**settings, **({"projector": "true"} if projector else {})}
        links.append(f"[{label}]({page}?{urlencode(query, doseq=True)})")
    return "**Try:** " + " · ".join(links)
