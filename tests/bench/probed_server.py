"""``streamlit run`` with two probes inside the server process: the cpu benchmark's server.

Run as ``python -m tests.bench.probed_server run app.py ...`` with AUGNORM_PROBE_LOG naming a file. It appends
one line per event: ``gc <seconds>`` for every garbage collection over 5 ms, counted in the collecting
thread's CPU time (every thread waits for a collection: the work is a stall of the whole server; its wall time
also holds whatever else the OS ran on the cores meanwhile, logged as ``gc_wall``), and ``late <seconds>``
whenever a heartbeat thread that sleeps 20 ms woke more than 5 ms late: that long it waited for the
interpreter, behind a stall or behind the other threads' turns. The app itself is unchanged.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time

LOG_VARIABLE = "AUGNORM_PROBE_LOG"
BEAT = 0.020  # seconds the heartbeat sleeps: 50 wakeups a second (at 5 ms, 200 cost the server 5 ms of CPU a second)
REPORTED = 0.005  # seconds: shorter pauses and delays are not logged


def install(log_path: str) -> None:
    log = open(log_path, "a", buffering=1)  # line-buffered: a line is on disk when the benchmark reads it
    lock, started = threading.Lock(), [0.0, 0.0]

    def write(kind: str, seconds: float) -> None:
        with lock:
            log.write(f"{kind} {seconds:.6f}\n")

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = time.thread_time(), time.perf_counter()
        elif (work := time.thread_time() - started[0]) > REPORTED:
            write("gc", work)
            write("gc_wall", time.perf_counter() - started[1])

    def heartbeat() -> None:
        while True:
            before = time.perf_counter()
            time.sleep(BEAT)
            if (late := time.perf_counter() - before - BEAT) > REPORTED:
                write("late", late)

    gc.callbacks.append(on_gc)
    threading.Thread(target=heartbeat, name="probe-heartbeat", daemon=True).start()


def read(log_path: str, offset: int = 0) -> dict[str, list[float]]:
    """The probe's events after byte ``offset`` of its log: kind -> seconds of each."""
    events: dict[str, list[float]] = {"gc": [], "gc_wall": [], "late": []}
    with open(log_path) as log:
        log.seek(offset)
        for line in log:
            kind, seconds = line.split()
            events[kind].append(float(seconds))
    return events


if __name__ == "__main__":
    install(os.environ[LOG_VARIABLE])
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main()
