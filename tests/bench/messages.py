"""What one more message in a rerun costs the server: the yardstick behind drawing fewer elements and blocks.

A bare page with the app's own config runs a fragment whose slider picks how many elements it draws; a headless
session moves the slider, and the server's CPU per rerun is read for a rerun of no element and for reruns of
ROWS rows of ELEMENTS_PER_ROW markdown elements, laid out as st.columns (a block per row and per column, as a grid
of pictures once was), in a horizontal container (a block per row) and as one element per row. By Streamlit's
source every message wakes its event loop and is framed and sent on its own; the three layouts show what that
costs per message, for blocks and markdown elements (other elements were not measured).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from tests.bench.client import Session
from tests.server import ROOT, streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
ROWS, ELEMENTS_PER_ROW = 10, 4
LAYOUTS = {  # layout -> messages per row
    "columns": 1 + 2 * ELEMENTS_PER_ROW,
    "horizontal": 1 + ELEMENTS_PER_ROW,
    "one element": 1,
}
APP = f"""import streamlit as st

@st.fragment
def rows():
    count = {ROWS} if st.slider("n", 0, 3, 0, key="n") >= 2 else 0  # 0, 1: nothing; 2, 3: {ROWS} rows
    for _ in range(count):
        match st.query_params.get("layout"):
            case "columns":
                for column in st.columns({ELEMENTS_PER_ROW}):
                    column.markdown("x")
            case "horizontal":
                with st.container(horizontal=True):
                    for _ in range({ELEMENTS_PER_ROW}):
                        st.markdown("x")
            case _:
                st.markdown("x " * {ELEMENTS_PER_ROW})

rows()
"""


async def _cpu_per_rerun(server, layout: str, low: int, reruns: int) -> float:
    """Server CPU seconds per rerun while the slider alternates between ``low`` and ``low + 1``."""
    session, _ = await Session.open(server.url, "", query=f"layout={layout}")
    for index in range(6):  # warm: the fragment, the widget, the event loop
        await session.set("n", low + index % 2)
    started = server.cpu_seconds()
    for index in range(reruns):
        await session.set("n", low + (index + 1) % 2)
    used = server.cpu_seconds() - started
    await session.close()
    return used / reruns


def report(quick: bool = False) -> None:
    reruns = 20 if quick else 300
    with tempfile.TemporaryDirectory() as directory:
        shutil.copytree(ROOT / ".streamlit", Path(directory) / ".streamlit")
        (Path(directory) / "app.py").write_text(APP)
        with streamlit_server(ARTIFACTS / "messages_server.log", root=Path(directory)) as server:

            async def measure() -> dict[str, tuple[float, float]]:
                return {
                    layout: tuple([await _cpu_per_rerun(server, layout, low, reruns) for low in (0, 2)])
                    for layout in LAYOUTS
                }

            found = asyncio.run(measure())
    print(f"\n## One message more: server CPU per rerun of a bare fragment ({reruns} reruns each)")
    for layout, (empty, full) in found.items():
        messages = ROWS * LAYOUTS[layout]
        print(f"{ROWS} rows as {layout:11s}: {messages:3d} messages, {full * 1000:5.2f} ms per rerun vs "
              f"{empty * 1000:5.2f} ms with none: {(full - empty) * 1000 / messages:.3f} ms per message")  # fmt: skip
