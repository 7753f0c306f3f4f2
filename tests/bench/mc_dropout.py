"""Benchmark: T = 100 MC-dropout passes, batched (shared trunk once) vs a loop of 100 full passes.

Part of ``python -m tests.bench``. Prints figures and ratios; targets: batched at least 10x faster than the
loop and well under 50 ms, for one image and for a batch of 64.
"""

from __future__ import annotations

import time

from core.data import load_subset, to_tensor
from core.mc_dropout import mc_probs, mc_probs_loop
from core.runs import load_run, private_model

PASSES = 100


def best_of(function, repeats: int) -> float:
    """Best wall time in milliseconds (the least disturbed run), after one warm-up."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def report(quick: bool = False) -> None:
    repeats = 2 if quick else 10
    run = load_run("dropout_p0.1")
    model = private_model(run.config, run.final, train=False)
    images = to_tensor(load_subset()["test"].images[:64])
    print(f"\n## MC dropout: T = {PASSES} passes, batched vs looped (best of {repeats})")
    print(f"{'inputs':>8} {'batched ms':>11} {'loop ms':>9} {'speed-up':>9}  target: ≥ 10x and < 50 ms")
    for count in (1, 64):
        batch = images[:count]
        batched = best_of(lambda: mc_probs(model, batch, PASSES, seed=0), repeats)
        looped = best_of(lambda: mc_probs_loop(model, batch, PASSES, seed=0), max(1, repeats // 3))
        verdict = "ok" if looped / batched >= 10 and batched < 50 else "MISSED"
        print(f"{count:>8} {batched:>11.2f} {looped:>9.1f} {looped / batched:>8.1f}x  {verdict}")
