"""Fresh settings: on a server whose pages' default views are warm, a student's change to a value no session
has used before (a cache miss: the expensive case), for each page's live settings.

One server, one headless session per page (tests.bench.client), one change at a time; each is timed from the
request to the run's ``script_finished``. A setting in a tab needs the tab open first: that switch, the tab's
first opening on the server, is timed and judged too. Target: each under about a second.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from core.labs import BatchNormTab, MCDropoutTab, RegularizationTab, StudioTab
from tests.bench.client import Session
from tests.bench.scenarios import TABS
from tests.server import streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
TARGET = 1.0  # seconds
# Per page: its title and the changes a student makes in turn, each (widget key, a value no one has used on a
# fresh server: neither the default nor an earlier change's). A page's tabs key opens that tab.
CHANGES: dict[str, tuple[str, list[tuple[str, object]]]] = {
    "mc_dropout_lab": (
        "MC Dropout Lab",
        [("mc_p", 0.5), ("mc_T", 137), ("mc_index", 123), ("seed", 4321), ("mc_tab", MCDropoutTab.PERTURBATION),
         ("mc_index", 77), ("mc_perturbation", "brightness"), ("mc_tab", MCDropoutTab.CALIBRATION), ("mc_T", 61),
         ("mc_tab", MCDropoutTab.IN_VS_OUT), ("mc_p", 0.2), ("mc_tab", MCDropoutTab.BASICS), ("basics_p", 0.35),
         ("mc_tab", MCDropoutTab.TTA)],
    ),
    "batchnorm_lab": (
        "BatchNorm Lab",
        [("bn_step", 250), ("bn_tab", BatchNormTab.LIVE_TRAINING), ("bn_tab", BatchNormTab.TRAIN_VS_TEST),
         ("rs_channel", 11), ("beta_m", 0.73), ("rs_batch", 4),
         ("bn_tab", BatchNormTab.FORMULA), ("formula_layer", "block4"), ("formula_channel", 9),
         ("bn_tab", BatchNormTab.INITIALIZATION), ("init_scheme", "Kaiming")],
    ),
    "regularization_lab": (
        "Regularization Lab",
        [("reg_tab", RegularizationTab.WEIGHT_DECAY), ("opt_lr", 0.05), ("decay", 0.2),
         ("surface", "two valleys (non-convex)"), ("reg_tab", RegularizationTab.EARLY_STOPPING), ("patience", 7),
         ("reg_tab", RegularizationTab.ENSEMBLES), ("members", "bagging")],
    ),
    "augmentation_studio": (
        "Augmentation Studio",
        [("studio_seed", 4321), ("count", 32), ("studio_tab", StudioTab.ONE_TRANSFORM),
         ("studio_tab", StudioTab.MIXING), ("studio_tab", StudioTab.TRIVIAL_AUGMENT), ("ta_bin", 25),
         ("studio_tab", StudioTab.TEST_TIME_CROPS),
         ("tta_crop", 160), ("studio_tab", StudioTab.LABEL_PRESERVING), ("studio_tab", StudioTab.CODE)],
    ),
}  # fmt: skip
# The smoke run: one change per page, with the tab it needs
QUICK_CHANGES = {"mc_dropout_lab": 2, "batchnorm_lab": 2, "regularization_lab": 2, "augmentation_studio": 1}


@dataclass(frozen=True)
class Change:
    page: str
    widget: str
    value: object
    seconds: float  # request -> script_finished
    tab: str  # the tab open while the change ran

    @property
    def is_tab_switch(self) -> bool:
        return self.widget == TABS.get(self.page)


async def _changes(url: str, page: str, changes: list[tuple[str, object]]) -> tuple[float, float, list[Change]]:
    """(first open, default rerun, the changes) of one session on ``page``."""
    session, opened = await Session.open(url, page)
    default = await session.rerun()  # the default view is warm now: this only redraws it
    tabs = session.widgets.get(TABS.get(page, ""))
    measured, tab = [], tabs.tab_container.default_tab_label if tabs is not None else "-"  # the page opens on it
    try:
        for key, value in changes:
            seconds = (await session.set(key, value)).seconds
            tab = str(value) if key == TABS.get(page) else tab
            measured.append(Change(page, key, value, seconds, tab))
    finally:
        await session.close()
    return opened.seconds, default.seconds, measured


async def _measure(url: str, quick: bool) -> dict[str, tuple[float, float, list[Change]]]:
    results = {}
    for page, (_, changes) in CHANGES.items():  # one page at a time: a change's time is its own
        results[page] = await _changes(url, page, changes[: QUICK_CHANGES[page]] if quick else changes)
    return results


def live_training(quick: bool) -> list[float]:
    """Seconds per chunk of the BatchNorm Lab's live run at its default settings (chunk 0 initializes both networks).

    In this process, as the server would run them for a Train press nobody has made before (then it is cached).
    """
    from core.data import load_subset
    from core.live import LiveSettings, live_chunk

    subset, settings, previous, seconds = load_subset(), LiveSettings(0.05, 64, 150), None, []
    for _ in range(2 if quick else settings.chunks + 1):
        started = time.perf_counter()
        previous = live_chunk(settings, previous, subset["train"], subset["test"])
        seconds.append(time.perf_counter() - started)
    return seconds


def report(quick: bool = False) -> list[Change]:
    with streamlit_server(ARTIFACTS / "fresh_server.log") as server:
        results = asyncio.run(_measure(server.url, quick))
    print("\n## Fresh settings: a change to a value no session has used (one server, default views warm)")
    print(f"target: each change (and each first opening of a tab) ≤ {TARGET:g} s, request -> script finished")
    changes = []
    for page, (opened, default, measured) in results.items():
        print(f"{CHANGES[page][0]}: first open {opened:.2f} s (cold), default rerun {default * 1000:.0f} ms")
        for change in measured:
            what = "open tab (first time here)" if change.is_tab_switch else f"in tab {change.tab}"
            verdict = "ok" if change.seconds <= TARGET else "MISSED"
            print(f"  {change.widget:<15} -> {change.value!s:<26} {change.seconds:>6.2f} s  {what:<32} {verdict}")
        changes += measured
    worst = max(changes, key=lambda change: change.seconds)
    print(f"max: {worst.seconds:.2f} s ({worst.page}/{worst.widget} -> {worst.value})  target ≤ {TARGET:g} s  "
          f"{'ok' if worst.seconds <= TARGET else 'MISSED'}")  # fmt: skip
    chunks = live_training(quick)
    print(f"BatchNorm Lab, a Train press nobody has made (lr 0.05, batch 64, 150 steps; both networks train live, "
          f"progress drawn every 25 steps): first drawing after {chunks[0]:.2f} s, then {max(chunks[1:]):.2f} s at "
          f"most per 25 steps, {sum(chunks):.1f} s in all (in-process compute; then cached for everyone)")  # fmt: skip
    return changes
