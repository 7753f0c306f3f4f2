"""Rerun cost per page on a real server: a widget change's rerun against the time spent inside ``core``.

The server is ``tests.bench.timed_server``: the app unchanged, with every public ``core`` function (and
method) timed. One session at a time; the rerun is timed from the widget change leaving the client to the
run's ``script_finished``; the core time is what the server logged meanwhile. The difference is what
Streamlit and the pages add (widgets, serialization, images, caches, websocket). Targets: rerun at most
about 1.5x the core compute, and a rerun at default settings under about 300 ms.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass
from pathlib import Path

from tests.bench.client import Session
from tests.bench.scenarios import tab_query
from tests.bench.timed_server import LOG_VARIABLE
from tests.server import streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
NO_COMPUTE_MS = 5.0  # below this a change computes nothing and the ratio says nothing
# Per page: a widget and fresh values for it (each a cache miss, as a student trying a new setting).
CHANGES: dict[str, tuple[str, str, list[object]]] = {
    "Home": ("", "projector", [True, False, True, False, True]),
    "Augmentation Studio": ("augmentation_studio", "studio_seed", [11, 12, 13, 14, 15]),
    "BatchNorm Lab": ("batchnorm_lab", "beta_m", [0.5, 0.6, 0.7, 0.8, 0.95]),
    "MC Dropout Lab": ("mc_dropout_lab", "mc_index", [3, 4, 5, 6, 8]),
    "Regularization Lab": ("regularization_lab", "decay", [0.0, 0.05, 0.1, 0.2, 1.0]),
}


@dataclass(frozen=True)
class RerunCost:
    page: str
    widget: str
    default_ms: float  # median rerun with nothing changed (caches warm)
    rerun_ms: float  # median rerun after the widget change
    core_ms: float  # median time inside core during those reruns

    @property
    def ratio(self) -> float:
        return self.rerun_ms / max(self.core_ms, 1e-3)


async def _measure(url: str, log: Path, repeats: int) -> list[RerunCost]:
    costs = []
    for title, (page, key, values) in CHANGES.items():
        session, _ = await Session.open(url, page, tab_query(page, key))  # on the tab that shows the widget
        defaults = [(await session.rerun()).seconds for _ in range(repeats)]
        walls, cores = [], []
        for value in values[:repeats]:
            offset = log.stat().st_size
            walls.append((await session.set(key, value)).seconds)
            with open(log) as lines:
                lines.seek(offset)
                cores.append(sum(float(line) for line in lines))
        await session.close()
        costs.append(RerunCost(title, key, *(statistics.median(values) * 1000 for values in (defaults, walls, cores))))
    return costs


def report(quick: bool = False) -> list[RerunCost]:
    log = ARTIFACTS / "core_times.log"
    ARTIFACTS.mkdir(exist_ok=True)
    log.write_text("")
    with streamlit_server(
        ARTIFACTS / "rerun_server.log", {LOG_VARIABLE: str(log)}, launcher="tests.bench.timed_server"
    ) as server:
        costs = asyncio.run(_measure(server.url, log, repeats=2 if quick else 5))
    floor = costs[0].rerun_ms  # Home's toggle: a rerun that computes nothing, Streamlit's fixed cost
    print("\n## Rerun cost per page (real server, one session; medians)")
    print("targets: default rerun < 300 ms; rerun after a change ≤ 1.5x its core compute")
    print(
        f"{'page':<20} {'default ms':>10}  {'change':<10} {'rerun ms':>9} {'core ms':>9} {'added ms':>9} {'ratio':>6}"
    )
    for cost in costs:
        added = cost.rerun_ms - cost.core_ms
        if cost.default_ms >= 300:
            verdict = "MISSED (default rerun)"
        elif cost.core_ms < NO_COMPUTE_MS or cost.ratio <= 1.5:
            verdict = "ok"
        elif added <= floor + 15:
            verdict = "MISSED, but only Streamlit's fixed cost is added"
        else:
            verdict = "MISSED"
        ratio = f"{cost.ratio:>6.2f}" if cost.core_ms >= NO_COMPUTE_MS else f"{'-':>6}"  # Home computes nothing
        print(
            f"{cost.page:<20} {cost.default_ms:>10.0f}  {cost.widget:<10} {cost.rerun_ms:>9.0f} "
            f"{cost.core_ms:>9.0f} {added:>9.0f} {ratio}  {verdict}"
        )
    print(f"Streamlit's fixed cost per rerun (Home, nothing computed): {floor:.0f} ms, mostly delivery, not CPU")
    return costs
