"""The benchmarks still run: ``python -m tests.bench --quick`` end to end (figures too small to judge here)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM

pytestmark = pytest.mark.slow  # every benchmark part's smoke run, each with its own server

ROOT = Path(__file__).parent.parent
HEADINGS = {
    "compute": ["## Augmentation grid", "## MC dropout"],
    "coldstart": ["## Cold start"],
    "firstpicture": ["## Cold start to the first augmented picture", "Augmentation Studio (default view)"],
    "rerun": ["## Rerun cost per page"],
    "memory": ["## Memory"],
    "load": ["## Load"],
    "soak": ["## Soak"],
    "replicas": ["## Replicas"],
    "firstvisit": ["## First visit on a fresh server"],
    "fresh": ["## Fresh settings"],
    "hall": ["## A lecture hall at once"],
    "messages": ["## One message more"],
    "cpu": ["## Server CPU"],
    "capacity": ["## Capacity", "capacity: median"],
}


def test_every_benchmark_part_runs_and_prints_its_figures():
    """Each part prints its heading and a verdict; no session hits an error, even in the tiny smoke sizes."""
    parts = list(HEADINGS)
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        parts.remove("coldstart")  # the browser is the cold start's stopwatch
        parts.remove("firstvisit")  # and the first visits'
        parts.remove("firstpicture")  # and the first pictures'
    if shutil.which("haproxy") is None:
        if os.environ.get("CI"):
            pytest.fail("haproxy not found")
        parts.remove("replicas")
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--quick", "--only", *parts],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,  # 6 to 9 minutes on a shared 2-core machine
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    for part in parts:
        for heading in HEADINGS[part]:
            assert heading in result.stdout, f"{heading} missing:\n{result.stdout}"
    assert "error:" not in result.stdout, result.stdout
    assert "errors 0" in result.stdout and "errors: 0" in result.stdout
