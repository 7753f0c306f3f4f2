"""How many CPU threads torch may use on a shared server.

torch defaults to the host's core count, but a container (Streamlit Community Cloud, Docker, Kubernetes)
is usually allowed only a share of those cores through its cgroup CPU quota. More threads than the quota
allows get throttled together, and with a whole class each session's script thread starts its own
parallel work, so oversubscription multiplies. We size torch's pool to half of what the container may
really use: the other half runs other sessions' scripts and Streamlit's event loop. Measured on 2 cores
with 40 sessions (python -m tests.bench --only load): rerun p95 274 ms with 1 thread vs 356 ms with 2,
while one session alone got 48 vs 41 ms at p50.
"""

from __future__ import annotations

import math
import os
from functools import cache
from pathlib import Path

import torch

CGROUP_ROOT = Path("/sys/fs/cgroup")
THREADS_VARIABLE = "AUGNORM_TORCH_THREADS"  # an explicit override, e.g. for benchmarks


def cpu_quota(root: Path = CGROUP_ROOT) -> float | None:
    """The container's CPU limit in cores (cgroup v2 ``cpu.max`` or v1 CFS quota), or None if unlimited."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]  # v2: "max 100000" or "150000 100000"
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())  # v1: -1 means unlimited
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 or period <= 0 else quota / period
    except (OSError, ValueError):
        return None


def usable_cpus(root: Path = CGROUP_ROOT) -> int:
    """Cores this process may run on (affinity), capped by the quota rounded up (1.5 cores -> 2 threads)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cpu_quota(root)
    return max(1, min(cpus, math.ceil(quota)) if quota else cpus)


def server_threads(cpus: int) -> int:
    """Intra-op threads for a server shared by many sessions on ``cpus`` cores: half of them, at least one."""
    return max(1, cpus // 2)


@cache
def configure_torch_threads() -> int:
    """Set torch's intra-op threads once per process: the override variable, else server_threads."""
    requested = os.environ.get(THREADS_VARIABLE, "")
    threads = int(requested) if requested.isdigit() and int(requested) > 0 else server_threads(usable_cpus())
    torch.set_num_threads(threads)
    return threads
