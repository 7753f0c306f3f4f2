"""A whole class on one server: memory per session, 40 concurrent sessions, a soak of the same mix; the
same 40 sessions through HAProxy spread over two replicas (deploy/), against one server directly; the
server's CPU per rerun and its longest stall under that mix; and the capacity: how many such students one
server takes before its reruns slow down.

Sessions are tests.bench.client's headless tabs (Streamlit's own websocket protocol, real script runs,
real uploads) against a real ``streamlit run`` on loopback, so 40 of them fit on a 2-core machine beside
the server. Targets: under 15 MB of server memory per extra session; under load, zero errors and a p95
rerun latency under 3x the single-session p50; in the soak, zero errors and memory that settles; at most
CPU_PER_RUN of server CPU per rerun and no stall over STALL. Capacity: the most concurrent students
with zero errors and a rerun p95 of at most CAPACITY_P95 seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import torch

from core.threads import server_threads, usable_cpus
from tests.bench import probed_server
from tests.bench.client import RunError, Session
from tests.bench.scenarios import MOVES, TAB_OF, TABS, Tally, classroom, percentile, student, visit_every_page
from tests.server import ROOT, Server, balanced_replicas, rss_mb, streamlit_server

ARTIFACTS = Path(__file__).parent / "artifacts"
THINK = (2.0, 8.0)  # seconds between a student's widget moves (uniform): reading, looking, discussing
CAPACITY_P95 = 1.0  # seconds: the slowest rerun a student should commonly wait for
CAPACITY_STEP = 40  # students added per step of the capacity ramp
CAPACITY_RAMPS = 3  # whole ramps, each on a fresh server: one ramp's figure moved by a step between runs
CPU_PER_RUN = 0.012  # seconds of server CPU per rerun over the load mix: about 80 reruns/s per core
STALL = 0.050  # seconds: the longest the whole server may stop (a garbage collection, a long C call)


FLOOR_SCRIPT = (
    "import os, torch, torchvision, streamlit, plotly.graph_objects; "
    "from tests.server import rss_mb; print(rss_mb(os.getpid()))"
)


def import_floor_mb() -> float:
    """RSS of a bare interpreter that only imports the libraries (what any such app pays before a session)."""
    result = subprocess.run([sys.executable, "-c", FLOOR_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(result.stdout)


def torch_build() -> str:
    build = f"CUDA {torch.version.cuda} build, running on the CPU" if torch.version.cuda else "CPU build"
    return f"torch {torch.__version__} ({build}), {server_threads(usable_cpus())} torch thread(s) in the server"


async def _memory(server: Server, sessions: int) -> list[tuple[int, float]]:
    """RSS before any session, after the first has visited every page, then after each batch of 8 more."""
    points, open_sessions, tally = [(0, server.rss_mb())], [], Tally()
    open_sessions.append(await visit_every_page(server.url, 0, tally))
    points.append((1, server.rss_mb()))
    while len(open_sessions) < sessions:
        batch = range(len(open_sessions), min(sessions, len(open_sessions) + 8))
        open_sessions += await asyncio.gather(*(visit_every_page(server.url, i, tally) for i in batch))
        points.append((len(open_sessions), server.rss_mb()))
    await asyncio.gather(*(session.close() for session in open_sessions))
    return points


def report_memory(quick: bool = False) -> None:
    sessions = 4 if quick else 40
    with streamlit_server(ARTIFACTS / "memory_server.log") as server:
        points = asyncio.run(_memory(server, sessions))
    print(f"\n## Memory: server RSS as sessions visit every page and upload an image of their own ({torch_build()})")
    print(f"import floor (torch, torchvision, streamlit, plotly): {import_floor_mb():.0f} MB")
    print("  ".join(f"{count} sessions: {rss:.0f} MB" for count, rss in points))
    (first, rss_first), (last, rss_last) = points[1], points[-1]
    per_session = (rss_last - rss_first) / (last - first)
    verdict = "ok" if per_session < 15 else "MISSED"
    print(f"per extra session: {per_session:.1f} MB  target < 15 MB  {verdict}")


async def _single_baseline(url: str, seconds: float) -> Tally:
    """One student alone on each interactive page in turn."""
    tally = Tally()
    for index, page in enumerate(MOVES):
        await student(url, index, page, time.monotonic() + seconds, tally, think=(0.2, 0.5))
    return tally


async def _sample_rss(server: Server, every: float, into: list[tuple[float, float]]) -> None:
    started = time.monotonic()
    while True:
        into.append((time.monotonic() - started, server.rss_mb()))
        await asyncio.sleep(every)


async def _load(server: Server, sessions: int, seconds: float, single_seconds: float):
    single = await _single_baseline(server.url, single_seconds)
    before = server.rss_mb()
    crowd = await classroom(server.url, sessions, seconds, THINK, offset=100)
    return single, before, crowd, server.rss_mb()


def _slowest_widgets(moves: list[tuple[str, str, float]], count: int = 4) -> str:
    by_widget = defaultdict(list)
    for page, key, seconds in moves:
        by_widget[f"{page}/{key}"].append(seconds)
    ranked = sorted(by_widget.items(), key=lambda item: -percentile(item[1], 95))[:count]
    return ", ".join(f"{name} {percentile(times, 95) * 1000:.0f} ms" for name, times in ranked)


def report_load(quick: bool = False) -> None:
    sessions, seconds, single_seconds = (4, 10, 4) if quick else (40, 90, 15)
    with streamlit_server(ARTIFACTS / "load_server.log") as server:
        single, before, crowd, after = asyncio.run(_load(server, sessions, seconds, single_seconds))
    baseline = percentile(single.reruns, 50)
    p50, p95 = percentile(crowd.reruns, 50), percentile(crowd.reruns, 95)
    think = f"{THINK[0]:.0f}-{THINK[1]:.0f} s"
    print(f"\n## Load: {sessions} concurrent sessions for {seconds} s, each moving a widget every {think}")
    print(
        f"one session alone: {len(single.reruns)} reruns, p50 {baseline * 1000:.0f} ms, "
        f"p95 {percentile(single.reruns, 95) * 1000:.0f} ms (the p95 is settings no one had tried: cache misses)"
    )
    print(
        f"{sessions} sessions: {len(crowd.reruns)} reruns, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {max(crowd.reruns, default=0) * 1000:.0f} ms; opening all at once: "
        f"p50 {percentile(crowd.opens, 50):.2f} s"
    )
    ok = not crowd.errors and not single.errors and p95 < 3 * baseline
    print(f"p95 / single p50: {p95 / baseline:.2f}  target < 3  errors: {len(crowd.errors)} (target 0)  "
          f"RSS {before:.0f} -> {after:.0f} MB  {'ok' if ok else 'MISSED'}")  # fmt: skip
    print(f"p50 / single p50: {p50 / baseline:.2f}; p95 / single p95: {p95 / percentile(single.reruns, 95):.2f}")
    print(f"widgets with the slowest reruns under load (their p95): {_slowest_widgets(crowd.moves)}")
    for error in (single.errors + crowd.errors)[:10]:
        print("  error:", error)


async def _soak(server: Server, sessions: int, minutes: float, wave_seconds: float):
    """Waves of ``sessions`` students (new sessions, new uploads each wave) until ``minutes`` have passed."""
    samples: list[tuple[float, float]] = []
    sampler = asyncio.create_task(_sample_rss(server, 15, samples))
    tally, until, wave = Tally(), time.monotonic() + minutes * 60, 0
    while time.monotonic() < until:
        seconds = min(wave_seconds, until - time.monotonic())
        part = await classroom(server.url, sessions, seconds, THINK, offset=1000 * (wave + 1))
        tally.opens += part.opens
        tally.reruns += part.reruns
        tally.errors += part.errors
        wave += 1
    sampler.cancel()
    samples.append((samples[-1][0] + 15, server.rss_mb()))
    return tally, samples, wave


def report_soak(quick: bool = False, minutes: float = 10.0) -> None:
    sessions, minutes, wave_seconds = (4, 0.4, 12) if quick else (40, minutes, 120)
    with streamlit_server(ARTIFACTS / "soak_server.log") as server:
        tally, samples, waves = asyncio.run(_soak(server, sessions, minutes, wave_seconds))
    print(f"\n## Soak: {minutes:g} min, {waves} waves of {sessions} new sessions ({len(tally.reruns)} reruns)")
    print("RSS (MB) every 15 s: " + " ".join(f"{rss:.0f}" for _, rss in samples))
    half = len(samples) // 2
    first_half, second_half = max(rss for _, rss in samples[:half]), max(rss for _, rss in samples[half:])
    growth = (second_half - first_half) / first_half
    ok = not tally.errors and growth < 0.10
    print(f"peak RSS first half {first_half:.0f} MB, second half {second_half:.0f} MB ({growth:+.1%}, target < +10%); "
          f"rerun p50 {percentile(tally.reruns, 50) * 1000:.0f} ms, p95 {percentile(tally.reruns, 95) * 1000:.0f} ms; "
          f"errors {len(tally.errors)}  {'ok' if ok else 'MISSED'}")  # fmt: skip
    for error in tally.errors[:10]:
        print("  error:", error)


def _figures(tally: Tally) -> str:
    return (
        f"{len(tally.reruns)} reruns, p50 {percentile(tally.reruns, 50) * 1000:.0f} ms, "
        f"p95 {percentile(tally.reruns, 95) * 1000:.0f} ms, opening p50 {percentile(tally.opens, 50):.2f} s, "
        f"errors {len(tally.errors)}"
    )


async def _warm(urls: list[str], pages: list[str], tally: Tally) -> float:
    """Each of ``pages`` opened once on each server, all at once: its caches hold the default views."""
    started = time.monotonic()
    await asyncio.gather(*(student(url, 0, page, 0, tally, think=(0, 0)) for url in urls for page in pages))
    return time.monotonic() - started


async def _warm_then_class(urls: list[str], url: str, sessions: int, seconds: float) -> tuple[float, Tally]:
    warm_tally = Tally()
    warm = await _warm(urls, list(MOVES)[:sessions], warm_tally)  # the pages the class opens
    tally = await classroom(url, sessions, seconds, THINK, offset=100)
    tally.errors += warm_tally.errors
    return warm, tally


def report_replicas(quick: bool = False) -> None:
    """The load part's class, once on one server directly and once through HAProxy over two replicas."""
    sessions, seconds = (2, 10) if quick else (40, 90)
    with streamlit_server(ARTIFACTS / "direct_server.log") as server:
        direct_warm, direct = asyncio.run(_warm_then_class([server.url], server.url, sessions, seconds))
        direct_rss = server.rss_mb()
    with balanced_replicas(2, ARTIFACTS / "replicas_server.log") as balanced:
        urls = list(balanced.replica_urls.values())
        spread_warm, spread = asyncio.run(_warm_then_class(urls, balanced.url, sessions, seconds))
        replicas_rss = sum(rss_mb(pid) for pid in balanced.replicas.values())
    cores = usable_cpus()
    print(f"\n## Replicas: {sessions} sessions for {seconds} s, one server directly vs HAProxy and 2 replicas")
    print(f"first opening of the class's pages (cold caches, then warm for the class): 1 server {direct_warm:.1f} s, "
          f"2 replicas {spread_warm:.1f} s (each replica fills its own caches)")  # fmt: skip
    print(f"1 server, direct:          {_figures(direct)}; RSS {direct_rss:.0f} MB")
    print(f"2 replicas behind HAProxy: {_figures(spread)}; RSS {replicas_rss:.0f} MB in all")
    sessions_per_replica = ", ".join(f"{name} {count}" for name, count in sorted(spread.served_by.items()))
    print(f"sessions per replica: {sessions_per_replica}")
    ratio = percentile(spread.reruns, 95) / percentile(direct.reruns, 95)
    print(f"p95 with replicas / p95 direct: {ratio:.2f}  errors: {len(direct.errors) + len(spread.errors)} (target 0)")
    print(
        f"on this machine the replicas share {cores} usable core(s) with each other and with the sessions' client: "
        "a second replica adds a second GIL and event loop (a slow rerun in one no longer delays the other's "
        "tabs) but no CPU, and each replica imports the libraries and fills its own caches. Capacity grows "
        "with replicas only when each gets cores of its own (separate containers or machines)."
    )
    for error in (direct.errors + spread.errors)[:10]:
        print("  error:", error)


def _within_capacity(tally: Tally) -> bool:
    return not tally.errors and percentile(tally.reruns, 95) <= CAPACITY_P95


async def _open_tabs(url: str, page: str, tally: Tally) -> None:
    """Open ``page`` and each of its tabs where students move widgets: the default views are in the caches."""
    session = None
    try:
        session, _ = await Session.open(url, page)
        for tab in dict.fromkeys(TAB_OF[page].values()):
            await session.set(TABS[page], tab)
    except (RunError, OSError, TimeoutError, KeyError) as error:
        tally.errors.append(f"warming {page}: {type(error).__name__}: {error}")
    finally:
        if session is not None:
            await session.close()


async def _capacity(url: str, steps: list[int], seconds: float, stop: bool) -> tuple[Tally, list[tuple[int, Tally]]]:
    """Classes of growing size, one after the other on one warm server, until one misses the target (if ``stop``)."""
    warm = Tally()
    # Every default view, the tabs' too: a step measures the class, not the first visits (see fresh, firstvisit)
    await asyncio.gather(*(_open_tabs(url, page, warm) for page in MOVES))
    results = []
    for step, sessions in enumerate(steps):
        tally = await classroom(url, sessions, seconds, THINK, offset=1000 * (step + 1))
        results.append((sessions, tally))
        p50, p95 = percentile(tally.reruns, 50) * 1000, percentile(tally.reruns, 95) * 1000
        print(f"{sessions:>4} students: {len(tally.reruns):>5} reruns, p50 {p50:5.0f} ms, p95 {p95:5.0f} ms, "
              f"opening p50 {percentile(tally.opens, 50):5.2f} s, errors {len(tally.errors)}  "
              f"{'ok' if _within_capacity(tally) else 'MISSED'}", flush=True)  # fmt: skip
        if stop and not _within_capacity(tally):
            break
    return warm, results


def report_capacity(quick: bool = False) -> None:
    """Ramp the number of active students (load's mix over the four interactive pages) until reruns slow down,
    CAPACITY_RAMPS times; the capacity is the median ramp's."""
    think = f"{THINK[0]:.0f}-{THINK[1]:.0f} s"
    ramps = 1 if quick else CAPACITY_RAMPS
    print(f"\n## Capacity: concurrent students, each moving a widget every {think}; {ramps} ramp(s) on fresh servers")
    print(f"target per step: rerun p95 ≤ {CAPACITY_P95:g} s and errors 0; a ramp stops at the first step that misses")
    found = [_ramp(quick, ramp) for ramp in range(ramps)]
    print(f"capacity: median {statistics.median(found):g} students (range {min(found)}-{max(found)} over {ramps} "
          f"ramps) at rerun p95 <= {CAPACITY_P95:g} s")  # fmt: skip


def _ramp(quick: bool, ramp: int) -> int:
    """One ramp on a fresh server: the largest class that met the target."""
    steps, seconds = ([2, 4], 8) if quick else ([CAPACITY_STEP * (i + 1) for i in range(10)], 45)
    # The smoke run's steps are too small to judge: it runs them all, to show the ramp works
    print(f"ramp {ramp + 1}, steps of {seconds} s:")
    with streamlit_server(ARTIFACTS / f"capacity_server{ramp + 1}.log") as server:
        warm, results = asyncio.run(_capacity(server.url, steps, seconds, stop=not quick))
        rss = server.rss_mb()
    passed = list(itertools.takewhile(_within_capacity, (tally for _, tally in results)))
    capacity = results[len(passed) - 1][0] if passed else 0
    more = " (the largest step tried: more may fit)" if len(passed) == len(steps) else ""
    print(f"slowest widgets at {results[-1][0]} students (their p95): {_slowest_widgets(results[-1][1].moves)}")
    print(f"server RSS at the end {rss:.0f} MB; {usable_cpus()} cores, shared with the sessions' client "
          f"(a server with cores of its own takes more){more}")  # fmt: skip
    for error in [*warm.errors, *(error for _, tally in results for error in tally.errors)][:10]:
        print("  error:", error)
    print(f"ramp {ramp + 1}: {capacity} students")
    return capacity


@dataclass
class CpuUse:
    opening: float  # seconds of server CPU while the class opened its pages
    rerunning: float  # seconds of server CPU from the last opening to the end
    reruns: int  # reruns finished in that time


async def _cpu(server: Server, sessions: int, seconds: float, probe_log: Path) -> tuple[Tally, Tally, CpuUse, dict]:
    """Every tab opened once (warm caches), then the load mix; the server's CPU and stalls during the mix only,
    the openings' CPU apart from the reruns' (a rerun is a widget change; opening a page is the hall part's)."""
    warm, tally = Tally(), Tally()
    await asyncio.gather(*(_open_tabs(server.url, page, warm) for page in MOVES))
    await asyncio.sleep(2)  # the warm-up thread's imports and gc.freeze() are over
    offset, started = probe_log.stat().st_size, server.cpu_seconds()
    crowd = asyncio.create_task(classroom(server.url, sessions, seconds, THINK, offset=100, tally=tally))
    while len(tally.opens) + len(tally.errors) < sessions:
        await asyncio.sleep(0.05)
    opened, reruns = server.cpu_seconds(), len(tally.reruns)
    await crowd
    use = CpuUse(opened - started, server.cpu_seconds() - opened, len(tally.reruns) - reruns)
    return warm, tally, use, probed_server.read(str(probe_log), offset)


def report_cpu(quick: bool = False) -> None:
    """Server CPU per rerun and the longest stall, over the load part's mix (probes: probed_server)."""
    sessions, seconds = (4, 10) if quick else (40, 90)
    probe_log = ARTIFACTS / "cpu_probe.log"
    probe_log.parent.mkdir(parents=True, exist_ok=True)
    probe_log.write_text("")
    env = {probed_server.LOG_VARIABLE: str(probe_log)}
    with streamlit_server(ARTIFACTS / "cpu_server.log", env=env, launcher="tests.bench.probed_server") as server:
        warm, tally, use, events = asyncio.run(_cpu(server, sessions, seconds, probe_log))
    per_rerun = use.rerunning / max(use.reruns, 1)
    stall, wall = max(events["gc"], default=0.0), max(events["gc_wall"], default=0.0)
    print(f"\n## Server CPU: {sessions} sessions for {seconds} s (the load mix), every tab opened first")
    print(f"{use.reruns} reruns after the last page opened used {use.rerunning:.1f} s of server CPU: "
          f"{per_rerun * 1000:.1f} ms per rerun  target ≤ {CPU_PER_RUN * 1000:.0f} ms  "
          f"{'ok' if per_rerun <= CPU_PER_RUN else 'MISSED'}; at most {1 / per_rerun:.0f} reruns/s per core; "
          f"opening the {sessions} pages took {use.opening * 1000 / sessions:.0f} ms each")  # fmt: skip
    print(f"longest stall (a garbage collection, which every thread waits for): {stall * 1000:.0f} ms of CPU  "
          f"target ≤ {STALL * 1000:.0f} ms  {'ok' if stall <= STALL else 'MISSED'}; {len(events['gc'])} collections "
          f"over {probed_server.REPORTED * 1000:.0f} ms; longest in wall time {wall * 1000:.0f} ms (the client "
          f"shares the cores); longest wait of a thread for the interpreter {max(events['late'], default=0) * 1000:.0f}"
          f" ms; errors {len(tally.errors)}")  # fmt: skip
    for error in (warm.errors + tally.errors)[:10]:
        print("  error:", error)
