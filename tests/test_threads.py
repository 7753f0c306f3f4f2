"""core.threads: torch's thread count follows the container's CPU quota, not the host's cores."""

import os

import pytest

from core.threads import cpu_quota, server_threads, usable_cpus


def _cgroup(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu.max": "garbage"}, None),
        ({}, None),
    ],
)
def test_cpu_quota_reads_cgroup_v2_and_v1(tmp_path, files, expected):
    """cgroup v2 cpu.max and v1 CFS files give the quota in cores; 'max', -1, junk or nothing mean no limit."""
    assert cpu_quota(_cgroup(tmp_path, files)) == expected


def test_usable_cpus_is_capped_by_the_quota_rounded_up(tmp_path):
    """Half a core still gets one thread; 1.5 cores get two; never more than the cores we may run on."""
    cores = len(os.sched_getaffinity(0))
    assert usable_cpus(_cgroup(tmp_path / "a", {"cpu.max": "50000 100000"})) == 1
    assert usable_cpus(_cgroup(tmp_path / "b", {"cpu.max": "150000 100000"})) == min(cores, 2)
    assert usable_cpus(_cgroup(tmp_path / "c", {"cpu.max": "6400000 100000"})) == cores
    assert usable_cpus(_cgroup(tmp_path / "d", {})) == cores


def test_the_override_variable_sets_torchs_thread_count():
    """AUGNORM_TORCH_THREADS=1 gives torch exactly one intra-op thread in a fresh interpreter."""
    import subprocess
    import sys

    script = "import torch; from core.threads import configure_torch_threads as c; c(); print(torch.get_num_threads())"
    env = {**os.environ, "AUGNORM_TORCH_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"


def test_a_shared_server_gives_torch_half_the_cores():
    """1 or 2 cores: one thread; 8 cores: four; never zero."""
    assert [server_threads(cpus) for cpus in (1, 2, 3, 4, 8)] == [1, 1, 1, 2, 4]
