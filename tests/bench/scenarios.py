"""What a student does in the app: the pages, the tabs they open, the widgets they move, and images of their own
to upload."""

from __future__ import annotations

import asyncio
import io
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
from PIL import Image

from core.labs import LABS, BatchNormTab, MCDropoutTab, RegularizationTab, StudioTab
from tests.bench.client import RunError, Session

PAGES = ("", "augmentation_studio", "batchnorm_lab", "mc_dropout_lab", "regularization_lab")  # "" is Home
# Per page: widget key -> values a student tries (wire labels for choices). Seeds are drawn fresh each
# time, so they always miss the caches: the expensive case.
MOVES: dict[str, dict[str, list[object]]] = {
    "augmentation_studio": {
        "count": [4, 8, 16],
        "hflip.p": [0.0, 0.5, 1.0],
        "ta_bin": [5, 17, 25],
        "tta_crop": [160, 224],
        "image": ["cat", "astronaut", "coffee"],
    },
    "batchnorm_lab": {
        "bn_step": [0, 30, 469],
        "beta_m": [0.8, 0.9, 0.95],
        "rs_channel": [0, 3, 7],
        "formula_channel": [1, 3, 5],
        "init_activation": ["tanh", "relu"],
    },
    "mc_dropout_lab": {
        "mc_index": [0, 7, 42],
        "mc_T": [20, 50, 100],
        "mc_p": [0.1, 0.5],
        "mc_perturbation": ["rotate", "brightness"],
        "basics_p": [0.2, 0.5],
    },
    "regularization_lab": {
        "decay": [0.0, 0.1, 0.5],
        "opt_lr": [0.01, 0.02, 0.05],
        "opt_steps": [100, 200, 300],
        "patience": [3, 5, 10],
    },
}
SEEDED = {"augmentation_studio": "studio_seed", "mc_dropout_lab": "seed"}  # pages with a seed box: its key
# Each lab's tabs (a widget bound to the link) and the tab each of MOVES' widgets is drawn in; the others are
# above the tabs or in the sidebar. Only the open tab runs, so a closed tab's widgets are not on the page: a
# student opens the tab first, a rerun of its own.
TABS = {lab.name: lab.tab_key for lab in LABS}
TAB_OF: dict[str, dict[str, str]] = {
    "augmentation_studio": {
        "count": StudioTab.PIPELINE,
        "studio_seed": StudioTab.PIPELINE,
        "ta_bin": StudioTab.TRIVIAL_AUGMENT,
        "tta_crop": StudioTab.TEST_TIME_CROPS,
    },  # fmt: skip
    "batchnorm_lab": {
        "bn_step": BatchNormTab.ACTIVATIONS,
        "beta_m": BatchNormTab.TRAIN_VS_TEST,
        "rs_channel": BatchNormTab.TRAIN_VS_TEST,
        "formula_channel": BatchNormTab.FORMULA,
        "init_activation": BatchNormTab.INITIALIZATION,
    },
    "mc_dropout_lab": {"mc_perturbation": MCDropoutTab.PERTURBATION, "basics_p": MCDropoutTab.BASICS},
    "regularization_lab": {
        "decay": RegularizationTab.WEIGHT_DECAY,
        "opt_lr": RegularizationTab.WEIGHT_DECAY,
        "opt_steps": RegularizationTab.WEIGHT_DECAY,
        "patience": RegularizationTab.EARLY_STOPPING,
    },
}


def own_image(index: int, side: int = 640) -> bytes:
    """A PNG no one else has: a colour gradient whose hue and stripes depend on ``index``."""
    rng = np.random.default_rng(index)
    y, x = np.mgrid[0:side, 0:side] / side
    colour = rng.uniform(0.2, 1.0, size=3)
    stripes = 0.5 + 0.5 * np.sin(2 * np.pi * (index % 7 + 2) * (x + y))
    pixels = np.stack([colour[c] * (0.4 + 0.6 * stripes) * (0.5 + 0.5 * x) for c in range(3)], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray((pixels * 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Tally:
    """What the sessions of one experiment saw."""

    opens: list[float] = field(default_factory=list)  # seconds from connect to a finished first run
    reruns: list[float] = field(default_factory=list)  # seconds from a widget change to the finished run
    # (page, widget, seconds) of each rerun; a tab switch is a move of the page's tabs (their key)
    moves: list[tuple[str, str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    served_by: Counter[str] = field(default_factory=Counter)  # behind a load balancer: sessions per replica


async def visit_every_page(url: str, index: int, tally: Tally) -> Session:
    """One student who opens the app, looks at every page and uploads an image of their own."""
    session, result = await Session.open(url, "")
    tally.opens.append(result.seconds)
    for page in PAGES[1:]:
        tally.opens.append((await session.goto(page)).seconds)
    await session.goto("augmentation_studio")
    await session.set("source", "Upload")
    tally.reruns.append((await session.upload("upload", f"photo{index}.png", own_image(index))).seconds)
    return session


def tab_query(page: str, key: str) -> str:
    """The query of the link that opens ``page`` on the tab ``key`` is drawn in ("" if it is not in a tab)."""
    return urlencode({TABS[page]: TAB_OF[page][key]}) if key in TAB_OF.get(page, {}) else ""


def reachable(session: Session, page: str, key: str) -> bool:
    """Whether a student can move ``key`` now: it is on the page, or in a tab of the page they can open."""
    return key in session.widgets or (key in TAB_OF.get(page, {}) and TABS[page] in session.widgets)


async def move(session: Session, page: str, key: str, value: object, tally: Tally) -> float:
    """Give ``key`` the ``value``, first opening the tab it is drawn in if another is open; seconds of the move.

    The tab switch counts as a move of its own: the student waits for that rerun too.
    """
    if key not in session.widgets and key in TAB_OF.get(page, {}):
        seconds = (await session.set(TABS[page], TAB_OF[page][key])).seconds
        tally.reruns.append(seconds)
        tally.moves.append((page, TABS[page], seconds))
    seconds = (await session.set(key, value)).seconds
    tally.reruns.append(seconds)
    tally.moves.append((page, key, seconds))
    return seconds


async def student(url: str, index: int, page: str, until: float, tally: Tally, think: tuple[float, float]) -> None:
    """Open ``page``, pick or upload an image, then move widgets (pausing ``think`` seconds) until ``until``."""
    rng = random.Random(index)
    session = None
    try:
        session, result = await Session.open(url, page)
        tally.opens.append(result.seconds)
        if page == "augmentation_studio" and index % 2:
            await session.set("source", "Upload")
            tally.reruns.append((await session.upload("upload", "photo.png", own_image(index))).seconds)
        moves = MOVES[page]
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if page in SEEDED and rng.random() < 0.3:
                key, value = SEEDED[page], rng.randrange(10_000)
            else:  # e.g. no sample picker once the source is Upload
                key = rng.choice([key for key in moves if reachable(session, page, key)])
                value = rng.choice(moves[key])
            await move(session, page, key, value, tally)
    except (RunError, OSError, TimeoutError, KeyError) as error:
        tally.errors.append(f"session {index} on {page or 'Home'}: {type(error).__name__}: {error}")
    finally:
        if session is not None:
            tally.served_by.update(session.served_by)
            await session.close()


async def classroom(
    url: str, sessions: int, seconds: float, think: tuple[float, float], offset: int = 0, tally: Tally | None = None
) -> Tally:
    """``sessions`` students at once, spread over the four interactive pages, for ``seconds``; what they saw goes
    into ``tally`` (a new one if None), as it happens."""
    tally = Tally() if tally is None else tally
    until = time.monotonic() + seconds
    pages = list(MOVES)
    await asyncio.gather(
        *(student(url, offset + i, pages[i % len(pages)], until, tally, think) for i in range(sessions))
    )
    return tally


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")
