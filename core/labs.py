"""The app's labs and their tabs: the one place a page's path, title or tab label is written.

Pages, presets, claims and the tests all take them from here, so renaming a tab is one edit. A tab's
label is also its value in a link (``?reg_tab=Early+stopping``), so a rename changes old links' meaning: the link
check then reports the old label as ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode


class StudioTab(StrEnum):
    PIPELINE = "Pipeline"
    ONE_TRANSFORM = "One transform"
    MIXING = "CutMix & MixUp"
    TRIVIAL_AUGMENT = "TrivialAugment explorer"
    TEST_TIME_CROPS = "Test-time crops"
    LABEL_PRESERVING = "Label-preserving?"
    PREPROCESSING = "Pre-processing"
    MEMORY = "Memory vs speed"
    CODE = "Code"


class BatchNormTab(StrEnum):
    ACTIVATIONS = "Activations"
    LIVE_TRAINING = "Live training"
    TRAIN_VS_TEST = "Train vs test"
    FORMULA = "BN formula"
    INITIALIZATION = "Initialization"
    OTHER_NORMS = "Other normalizations"
    DEEP = "Deep networks"
    NONLINEARITIES = "Non-linearities"


class MCDropoutTab(StrEnum):
    PREDICTION = "Prediction"
    PERTURBATION = "Perturbation"
    CALIBRATION = "Calibration"
    IN_VS_OUT = "In vs out"
    BASICS = "Dropout basics"
    TTA = "Test-time augmentation"


class RegularizationTab(StrEnum):
    SMALL_DATA = "Small data"
    WEIGHT_DECAY = "Weight decay vs L2"
    EARLY_STOPPING = "Early stopping"
    ENSEMBLES = "Ensembles"
    CHECKPOINT_ENSEMBLES = "Checkpoint ensembles"
    DROPOUT_TIME = "Dropout: training time"


@dataclass(frozen=True)
class Lab:
    name: str  # the page file's stem under pages/, and its URL path
    title: str  # in the navigation, on Home and in every link to it
    icon: str  # a Material icon, as st.Page and st.page_link take it
    tab_key: str  # the tabs' widget key, which is also their query parameter
    tabs: type[StrEnum]  # the tabs' labels, in the order the page shows them

    @property
    def page(self) -> str:
        """The page's script path, as st.Page and st.page_link take it."""
        return f"pages/{self.name}.py"

    @property
    def labels(self) -> list[str]:
        """The tabs' labels as plain strings, in order."""
        return [str(tab) for tab in self.tabs]


STUDIO = Lab("augmentation_studio", "Augmentation Studio", ":material/auto_awesome:", "studio_tab", StudioTab)
BATCHNORM = Lab("batchnorm_lab", "BatchNorm Lab", ":material/equalizer:", "bn_tab", BatchNormTab)
MC_DROPOUT = Lab("mc_dropout_lab", "MC Dropout Lab", ":material/casino:", "mc_tab", MCDropoutTab)
REGULARIZATION = Lab("regularization_lab", "Regularization Lab", ":material/tune:", "reg_tab", RegularizationTab)
LABS = (STUDIO, BATCHNORM, MC_DROPOUT, REGULARIZATION)
BY_NAME = {lab.name: lab for lab in LABS}
BY_PAGE = {lab.page: lab for lab in LABS}
BY_TABS = {lab.tabs: lab for lab in LABS}

# The MC Dropout Lab's second network for Calibration: its run (BN + dropout 0.5 trained on 500 images like the
# small-data regime's seed 0; core.plan.OVERCONFIDENT_RUN), and its name on the page and in links (here, not in
# core.mc_dropout: links are light).
OVERCONFIDENT = "small_dropout_p0.5_seed0"
OVERCONFIDENT_LABEL = "over-confident (p = 0.5, 500 images)"


def tab_link(tab: StrEnum, projector: bool = False) -> str:
    """The address, relative to the app, that opens ``tab`` of its lab (projected, it stays projected)."""
    lab = BY_TABS[type(tab)]
    return f"{lab.name}?{urlencode({lab.tab_key: str(tab), **({'projector': 'true'} if projector else {})})}"
