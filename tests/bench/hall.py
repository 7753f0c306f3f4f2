"""A lecture hall at once: on a freshly started server, a whole hall opens the same page within a few seconds
(the lecturer says "open the MC Dropout Lab"), then each student moves one widget once.

Sessions are tests.bench.client's headless tabs, their openings spread evenly over SPREAD seconds. An opening
is timed from its first request (the health check, then the websocket) to its first run's ``script_finished``;
the same for one lone session on another fresh server is the baseline. The server's RSS is sampled throughout.
Target: zero errors and a p95 opening at most 3x the lone session's first visit (no student waits for the
others' cold caches: they are filled once, not once per session).
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from tests.bench.client import RunError, Session
from tests.bench.load import THINK
from tests.bench.scenarios import MOVES, SEEDED, percentile
from tests.server import Server, streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
PAGE = "mc_dropout_lab"
SPREAD = 3.0  # seconds over which the hall's sessions open, evenly
TARGET = 3.0  # p95 opening / the lone session's first visit


async def _open(url: str) -> tuple[Session, float]:
    started = time.perf_counter()
    session, _ = await Session.open(url, PAGE)
    return session, time.perf_counter() - started


async def _student(url: str, index: int, sessions: int, opens: list[float], moves: list[float], errors: list[str]):
    """Open the page at its turn in the spread, look at it (THINK), then move one widget of the default view."""
    rng = random.Random(index)
    await asyncio.sleep(SPREAD * index / sessions)
    session = None
    try:
        session, seconds = await _open(url)
        opens.append(seconds)
        await asyncio.sleep(rng.uniform(*THINK))
        key = rng.choice([key for key in [*MOVES[PAGE], SEEDED[PAGE]] if key in session.widgets])  # no tab switch
        value = rng.randrange(10_000) if key == SEEDED[PAGE] else rng.choice(MOVES[PAGE][key])
        moves.append((await session.set(key, value)).seconds)
    except (RunError, OSError, TimeoutError, KeyError) as error:
        errors.append(f"session {index}: {type(error).__name__}: {error}")
    finally:
        if session is not None:
            await session.close()


async def _sample_peak(server: Server, peak: list[float]) -> None:
    while True:
        peak[0] = max(peak[0], server.rss_mb())
        await asyncio.sleep(0.25)


async def _hall(server: Server, sessions: int) -> tuple[list[float], list[float], list[str], float, float]:
    """(openings, moves, errors, peak RSS, seconds until every student was done)."""
    opens, moves, errors, peak = [], [], [], [server.rss_mb()]
    sampler = asyncio.create_task(_sample_peak(server, peak))
    started = time.perf_counter()
    await asyncio.gather(*(_student(server.url, i, sessions, opens, moves, errors) for i in range(sessions)))
    elapsed = time.perf_counter() - started
    sampler.cancel()
    return opens, moves, errors, max(peak[0], server.rss_mb()), elapsed


async def _lone(url: str) -> float:
    session, seconds = await _open(url)
    await session.close()
    return seconds


def report(quick: bool = False) -> None:
    sessions = 6 if quick else 100
    with streamlit_server(ARTIFACTS / "hall_lone_server.log") as server:
        lone = asyncio.run(_lone(server.url))
    with streamlit_server(ARTIFACTS / "hall_server.log") as server:
        idle = server.rss_mb()
        opens, moves, errors, peak, elapsed = asyncio.run(_hall(server, sessions))
    p50, p95 = percentile(opens, 50), percentile(opens, 95)
    print(f"\n## A lecture hall at once: {sessions} sessions open the MC Dropout Lab on a fresh server within "
          f"{SPREAD:g} s, then each moves one widget")  # fmt: skip
    print(f"served: {len(opens)} of {sessions} (first run finished); all done in {elapsed:.0f} s")
    print(f"a lone session's first visit on another fresh server: {lone:.2f} s")
    print(f"opening: p50 {p50:.2f} s, p95 {p95:.2f} s, max {max(opens, default=float('nan')):.2f} s")
    print(f"the move ({len(moves)}, {THINK[0]:g}-{THINK[1]:g} s after each opening): "
          f"p50 {percentile(moves, 50) * 1000:.0f} ms, p95 {percentile(moves, 95) * 1000:.0f} ms")  # fmt: skip
    print(f"server RSS: {idle:.0f} MB started, peak {peak:.0f} MB")
    ok = not errors and len(opens) == sessions and p95 <= TARGET * lone
    print(f"p95 opening / lone first visit: {p95 / lone:.2f}  target ≤ {TARGET:g}  errors: {len(errors)} (target 0)  "
          f"{'ok' if ok else 'MISSED'}")  # fmt: skip
    print("(the sessions' client shares the machine's cores with the server: on a small machine it slows the hall)")
    for error in errors[:10]:
        print("  error:", error)
