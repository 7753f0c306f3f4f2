"""Encoded pictures as the pages send them, and the Augmentation Studio's first views shipped as such.

A fresh server imports torch and torchvision for several seconds before the Studio can draw a sample. The pictures
of its default view and of each preset's view are computed by ``python -m core.precomputed`` and shipped in
``FIRST_VIEWS_DIR``, so the page shows them meanwhile (tests/test_first_views.py checks them against a fresh
torchvision computation, pixel for pixel). Light: imports no numpy, Pillow or torch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.labs import STUDIO, StudioTab
from core.presets import PRESETS

FIRST_VIEWS_DIR = Path(__file__).parent / "assets" / "first_views"
IGNORED = ("projector",)  # settings that change the layout, not the pictures


def encoded_format(data: bytes) -> str:
    """The format of encoded picture ``data``, "PNG" or "JPEG", to tell st.image. Left to guess ("auto"), it
    re-encodes a PNG without transparency as JPEG, and that on every rerun, for every session."""
    return "PNG" if data.startswith(b"\x89PNG\r\n\x1a\n") else "JPEG"


@dataclass(frozen=True)
class FirstView:
    name: str  # the stem of its files
    query: Mapping[str, tuple[str, ...]]  # the link's settings that open it (IGNORED aside), as the address has them
    grid: str  # the picture grid it fills: "samples" (the Pipeline tab) or "mixed" (the Mixing tab)


def _first_views() -> tuple[FirstView, ...]:
    views = [FirstView("default", {}, "samples")]
    for index, settings in enumerate(PRESETS[STUDIO.name].values()):
        query = {key: (value,) if isinstance(value, str) else tuple(value) for key, value in settings.items()}
        tab = query.get(STUDIO.tab_key, (StudioTab.PIPELINE,))[0]
        grids = {StudioTab.PIPELINE: "samples", StudioTab.MIXING: "mixed"}
        if tab not in grids:
            raise ValueError(f"the Studio's preset {index} opens {tab!r}, which has no first view")
        views.append(FirstView(f"preset{index}", query, grids[tab]))
    return tuple(views)


FIRST_VIEWS = _first_views()  # the default view, then each preset's


def matching(query: Mapping[str, Sequence[str]]) -> FirstView | None:
    """The first view a link's settings open, or None (then the page computes its pictures live)."""
    settings = {key: tuple(values) for key, values in query.items() if key not in IGNORED}
    return next((view for view in FIRST_VIEWS if view.query == settings), None)


def _index(view: FirstView, directory: Path) -> Path:
    return directory / f"{view.name}.json"


def save_cells(view: FirstView, cells: Sequence[tuple[bytes, str]], directory: Path = FIRST_VIEWS_DIR) -> None:
    """Write a view's cells (encoded picture, caption): one file per picture and an index of the captions."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for number, (picture, _) in enumerate(cells):
        files.append(f"{view.name}-{number}.{encoded_format(picture).lower()}")
        (directory / files[-1]).write_bytes(picture)
    index = {"query": view.query, "files": files, "captions": [caption for _, caption in cells]}
    _index(view, directory).write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")


def load_cells(view: FirstView, directory: Path = FIRST_VIEWS_DIR) -> list[tuple[bytes, str]]:
    """A view's shipped cells, as save_cells wrote them."""
    index = json.loads(_index(view, directory).read_text())
    return [((directory / name).read_bytes(), caption) for name, caption in zip(index["files"], index["captions"])]
