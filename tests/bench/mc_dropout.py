"""Benchmark: T = 100 MC-dropout passes, batched (shared trunk once) vs a loop of 100 full passes.

Run: python -m tests.bench.mc_dropout [--repeats N]. Prints figures and ratios; targets: batched at least 10x
faster than the loop and well under 50 ms, for one image and for a batch of 64.
"""

from __future__ import annotations

import argparse
import platform
import time

import torch

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(2)
    run = load_run("dropout_p0.1")
    model = private_model(run.config, run.final, train=False)
    images = to_tensor(load_subset()["test"].images[:64])
    print(
        f"torch {torch.__version__} ({'CUDA build' if torch.version.cuda else 'CPU build'}), "
        f"{torch.get_num_threads()} threads, {platform.processor() or platform.machine()}"
    )
    print(f"{'inputs':>8} {'batched ms':>11} {'loop ms':>9} {'speed-up':>9}  target: ≥ 10x and < 50 ms")
    for count in (1, 64):
        batch = images[:count]
        batched = best_of(lambda: mc_probs(model, batch, PASSES, seed=0), args.repeats)
        looped = best_of(lambda: mc_probs_loop(model, batch, PASSES, seed=0), max(1, args.repeats // 3))
        verdict = "ok" if looped / batched >= 10 and batched < 50 else "MISSED"
        print(f"{count:>8} {batched:>11.2f} {looped:>9.1f} {looped / batched:>8.1f}x  {verdict}")


if __name__ == "__main__":
    main()
