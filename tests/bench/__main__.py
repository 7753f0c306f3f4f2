"""All benchmarks: ``python -m tests.bench`` (about 41 minutes, the 10-minute soak and the capacity ramp included;
CI runs ``--quick``: 6 to 9 minutes on a shared 2-core machine).

Each part prints its figures, the ratio that matters and the target beside it. Run it on an otherwise idle
machine: the load parts share the CPU with the server they measure.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from tests.bench import (
    augment_grid,
    coldstart,
    firstpicture,
    firstvisit,
    fresh,
    hall,
    load,
    mc_dropout,
    messages,
    rerun,
)

PARTS = {
    "compute": lambda quick, _: (augment_grid.report(quick), mc_dropout.report(quick)),
    "coldstart": lambda quick, _: coldstart.report(quick),
    "firstpicture": lambda quick, _: firstpicture.report(quick),
    "rerun": lambda quick, _: rerun.report(quick),
    "memory": lambda quick, _: load.report_memory(quick),
    "load": lambda quick, _: load.report_load(quick),
    "soak": lambda quick, minutes: load.report_soak(quick, minutes),
    "replicas": lambda quick, _: load.report_replicas(quick),
    "firstvisit": lambda quick, _: firstvisit.report(quick),
    "fresh": lambda quick, _: fresh.report(quick),
    "hall": lambda quick, _: hall.report(quick),
    "messages": lambda quick, _: messages.report(quick),
    "cpu": lambda quick, _: load.report_cpu(quick),
    "capacity": lambda quick, _: load.report_capacity(quick),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny sizes (seconds, not minutes)")
    parser.add_argument("--only", nargs="+", choices=list(PARTS), default=list(PARTS), help="run these parts only")
    parser.add_argument("--soak-minutes", type=float, default=10.0, help="length of the soak (default 10)")
    args = parser.parse_args()
    from core.threads import configure_torch_threads

    print(f"# AugNorm Lab benchmarks{' (quick smoke run: sizes too small for real figures)' if args.quick else ''}")
    python = f"Python {platform.python_version()}"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {python}, {load.torch_build()}")
    configure_torch_threads()  # the in-process parts use what the server uses
    started = time.perf_counter()
    for name in args.only:
        PARTS[name](args.quick, args.soak_minutes)
    print(f"\n(all parts: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
