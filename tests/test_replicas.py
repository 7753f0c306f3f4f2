"""Two replicas behind HAProxy (deploy/): sticky sessions, uploads and images through the balancer, a replica's loss.

deploy/run-replicas.sh starts two `streamlit run` replicas and HAProxy on loopback. Headless tabs
(tests/bench/client.py, Streamlit's own websocket protocol) go through the balancer only.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.proto.Element_pb2 import Element

from tests.bench.client import RunError, Session, image_urls
from tests.bench.scenarios import own_image
from tests.server import ServerError, balanced_replicas

pytestmark = pytest.mark.slow  # two streamlit servers behind HAProxy

ARTIFACTS = Path(__file__).parent / "bench" / "artifacts"
SESSIONS = 20
PAGE = "augmentation_studio"


@dataclass
class Tab:
    session: Session
    view: list[Element]  # the whole page as last drawn, from sample images and settings the URL holds


def _drawn(elements: list[Element]) -> list[bytes]:
    """What the page shows apart from its widgets (whose protos also say how their value was set): the pictures
    (media URLs are hashes of the bytes), captions of what was drawn, the code."""
    shown = [element for element in elements if not getattr(getattr(element, element.WhichOneof("type")), "id", "")]
    return [element.SerializeToString(deterministic=True) for element in shown]


async def _images_load(session: Session, elements: list[Element]) -> None:
    """Fetch the page's pictures through the balancer, as the browser does; RunError if one fails."""
    urls = image_urls(elements)
    if not urls:
        raise RunError("the page shows no picture")
    for url in urls:
        response = await session.fetch(url)
        if response.status_code != 200 or not response.headers["content-type"].startswith("image/"):
            raise RunError(f"{url}: HTTP {response.status_code} {response.headers.get('content-type')}")


async def _student(url: str, index: int) -> Tab:
    """Opens the Studio, uploads an image of their own and sees it, then a sample with a seed of their own."""
    session, _ = await Session.open(url, PAGE)
    await session.set("source", "Upload")
    await _images_load(session, (await session.upload("upload", f"photo{index}.png", own_image(index, 256))).elements)
    await session.set("source", "Sample")
    await session.set("image", ["cat", "astronaut", "coffee"][index % 3])
    await session.set("studio_seed", 1000 + index)
    view = (await session.rerun()).elements
    await _images_load(session, view)
    return Tab(session, view)


async def _class_then_loss(url: str, replicas: dict[str, int]) -> tuple[list[Tab], str, list[tuple[Tab, Tab]]]:
    """SESSIONS students at once; then one replica is killed and its students reload their tabs."""
    tabs = list(await asyncio.gather(*(_student(url, index) for index in range(SESSIONS))))
    lost = Counter(next(iter(tab.session.served_by)) for tab in tabs).most_common()[-1][0]
    os.kill(replicas[lost], signal.SIGKILL)  # a crash: no goodbye to the open websockets
    reloads = []
    for tab in tabs:
        if tab.session.served_by == {lost}:
            await tab.session.close()
            reloaded, result = await Session.open(url, *tab.session.address, cookies=tab.session.cookies)
            await _images_load(reloaded, result.elements)
            reloads.append((tab, Tab(reloaded, result.elements)))
    for tab in tabs:
        if lost not in tab.session.served_by:  # the others' tabs go on as before
            await tab.session.set("count", 4)
    await asyncio.gather(*(tab.session.close() for _, tab in reloads))
    await asyncio.gather(*(tab.session.close() for tab in tabs if lost not in tab.session.served_by))
    return tabs, lost, reloads


@pytest.fixture(scope="module")
def balancer():
    """Two replicas and HAProxy on loopback, via deploy/run-replicas.sh."""
    if shutil.which("haproxy") is None:
        message = "haproxy not installed (apt-get install haproxy)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        with balanced_replicas(2, ARTIFACTS / "replicas.log") as running:
            yield running
    except ServerError as error:
        pytest.fail(str(error))


def test_sessions_stick_spread_and_survive_the_loss_of_a_replica(balancer):
    """20 tabs: each on one replica, both used, uploads and images work; a killed replica's tabs reload elsewhere."""
    # Its own thread and event loop: the browser tests' sync Playwright may leave a loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        tabs, lost, reloads = thread.submit(
            asyncio.run, asyncio.wait_for(_class_then_loss(balancer.url, balancer.replicas), 600)
        ).result()
    served = Counter(tuple(sorted(tab.session.served_by)) for tab in tabs)
    assert all(len(names) == 1 for names in served), f"a tab was served by more than one replica: {served}"
    assert {names[0] for names in served} == set(balancer.replicas), f"not every replica got tabs: {served}"
    survivor = (set(balancer.replicas) - {lost}).pop()
    assert reloads and len(reloads) == served[(lost,)]
    for before, after in reloads:
        assert after.session.served_by == {survivor}
        assert "studio_seed=" in before.session.address[1], before.session.address
        assert _drawn(after.view) == _drawn(before.view), "the reloaded link shows another view"
