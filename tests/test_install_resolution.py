"""requirements.txt resolves to the CPU build with every pin honoured, under uv (as Community Cloud installs) and pip.

PyPI is reached as usual; PyTorch's CPU wheel index is not reachable here, so a stand-in is served on
loopback: a PEP 503 index with metadata-only ``+cpu`` wheels of torch and torchvision (the installed
releases' metadata without their CUDA requirements, as in PyTorch's CPU wheels) and older releases of the
dependencies the real index mirrors. requirements.txt is resolved with the real index's URL swapped for it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow  # real uv and pip resolutions against a stand-in index

ROOT = Path(__file__).parent.parent
REAL_INDEX = "https://download.pytorch.org/whl/cpu"
TAG = "cp311-cp311-manylinux_2_28_x86_64"  # Community Cloud: CPython 3.11 on x86_64 Linux
# Releases the real CPU index mirrors, older than the pins or than what torch needs (name, version, requires).
MIRRORED = [
    ("numpy", "2.1.2", []),
    ("pillow", "11.3.0", []),
    ("filelock", "3.13.1", []),
    ("typing-extensions", "4.12.2", []),
    ("setuptools", "70.2.0", []),
    ("sympy", "1.13.1", ["mpmath<1.4,>=1.1.0"]),
    ("mpmath", "1.3.0", []),
    ("networkx", "3.3", []),
    ("jinja2", "3.1.4", ["MarkupSafe>=2.0"]),
    ("markupsafe", "2.1.5", []),
    ("fsspec", "2024.6.1", []),
]
CUDA_ONLY = re.compile(r"^(cuda-|nvidia-|triton)")  # requirements PyTorch's CPU wheels do not have
UV = [sys.executable, "-m", "uv"]
ENV = {**os.environ, "PIP_RETRIES": "0", "UV_PYTHON_DOWNLOADS": "never", "UV_NO_CONFIG": "1"}


def _pins() -> dict[str, Requirement]:
    """requirements.txt's requirements by normalized name (option lines skipped)."""
    lines = (line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines())
    requirements = [Requirement(line) for line in lines if line and not line.startswith("-")]
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def _installed_requires(name: str) -> list[str]:
    """The installed release's requirements minus the CUDA ones: what its ``+cpu`` wheel declares."""
    requires = importlib.metadata.requires(name) or []
    return [line for line in requires if not CUDA_ONLY.match(line)]


def _metadata_wheel(folder: Path, name: str, version: str, requires: list[str], tag: str = TAG) -> Path:
    """A wheel holding only its .dist-info: enough for a resolver, nothing to install."""
    stem = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{stem}-{tag}.whl"
    metadata = "\n".join(
        ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", "Requires-Python: >=3.10"]
        + [f"Requires-Dist: {requirement}" for requirement in requires]
    )
    wheel = f"Wheel-Version: 1.0\nGenerator: augnorm-tests\nRoot-Is-Purelib: false\nTag: {tag}\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{stem}.dist-info/METADATA", metadata + "\n")
        archive.writestr(f"{stem}.dist-info/WHEEL", wheel)
        archive.writestr(f"{stem}.dist-info/RECORD", "")
    return path


def build_cpu_index(index: Path) -> None:
    """PEP 503 layout as on the real index: ``<index>/<project>/`` pages linking to files in ``<index>/``."""
    torch, torchvision = (importlib.metadata.version(name) for name in ("torch", "torchvision"))
    releases = [
        ("torch", f"{torch}+cpu", _installed_requires("torch")),
        # The real page also lists the other platforms' builds: macOS's carry no local version.
        ("torch", torch, _installed_requires("torch"), "cp311-none-macosx_11_0_arm64"),
        ("torch", f"{torch}+cpu", _installed_requires("torch"), "cp311-cp311-win_amd64"),
        ("torch", "2.13.0+cpu", _installed_requires("torch")),  # an older build: the pin must choose
        ("torchvision", f"{torchvision}+cpu", _installed_requires("torchvision")),
        ("torchvision", "0.28.0+cpu", _installed_requires("torchvision")),
        *MIRRORED,
    ]
    index.mkdir(parents=True)
    links: dict[str, list[str]] = {}
    for name, *release in releases:
        wheel = _metadata_wheel(index, name, *release)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        links.setdefault(name, []).append(f'<a href="../{wheel.name}#sha256={digest}">{wheel.name}</a>')
    for name, anchors in links.items():
        (index / name).mkdir()
        (index / name / "index.html").write_text(
            "<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>"
        )
    (index / "index.html").write_text("".join(f'<a href="{name}/">{name}</a>\n' for name in links))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free loopback port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def local_index(tmp_path_factory) -> Iterator[str]:
    """The stand-in CPU index, served on loopback; yields its URL (in place of the real one)."""
    site = tmp_path_factory.mktemp("site")
    build_cpu_index(site / "whl" / "cpu")
    with serve(site) as url:
        yield f"{url}/whl/cpu"


def _swapped(text: str, index_url: str, folder: Path) -> Path:
    assert REAL_INDEX in text, f"requirements.txt no longer names {REAL_INDEX}"
    path = folder / "requirements.txt"
    path.write_text(text.replace(REAL_INDEX, index_url))
    return path


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def _resolved(lines: str) -> dict[str, str]:
    """``name==version`` lines (uv's compile output, or its `` + name==version`` install plan) as a dict."""
    found = re.findall(r"^\s*\+?\s*([A-Za-z0-9_.\-]+)==(\S+)", lines, re.MULTILINE)
    return {canonicalize_name(name): version for name, version in found}


def _assert_cpu_build_and_pins(resolved: dict[str, str]) -> None:
    torch, torchvision = (importlib.metadata.version(name) for name in ("torch", "torchvision"))
    assert resolved.get("torch") == f"{torch}+cpu", resolved
    assert resolved.get("torchvision") == f"{torchvision}+cpu", resolved
    for name, requirement in _pins().items():
        assert name in resolved, f"{name} not resolved: {resolved}"
        assert requirement.specifier.contains(resolved[name], prereleases=True), (requirement, resolved[name])
    assert not any(CUDA_ONLY.match(name) for name in resolved), resolved


def test_uv_pip_compile_picks_the_cpu_build_and_every_pin(local_index, tmp_path):
    """`uv pip compile` (uv's default first-index strategy) resolves torch+cpu and each pinned version."""
    requirements = _swapped((ROOT / "requirements.txt").read_text(), local_index, tmp_path)
    result = _run([*UV, "pip", "compile", str(requirements), "--python", sys.executable,
                   "--python-platform", "x86_64-manylinux_2_28", "--no-header", "--no-annotate"], tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    _assert_cpu_build_and_pins(_resolved(result.stdout))


def test_uv_pip_install_dry_run_would_install_the_cpu_build(local_index, tmp_path):
    """`uv pip install --dry-run` into an empty environment would install torch+cpu and each pin."""
    requirements = _swapped((ROOT / "requirements.txt").read_text(), local_index, tmp_path)
    created = _run([*UV, "venv", str(tmp_path / "venv"), "--python", sys.executable, "--quiet"], tmp_path)
    assert created.returncode == 0, created.stderr
    result = _run([*UV, "pip", "install", "--dry-run", "-r", str(requirements),
                   "--python", str(tmp_path / "venv" / "bin" / "python")], tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Would install" in result.stderr, result.stderr
    _assert_cpu_build_and_pins(_resolved(result.stderr))


def test_pip_dry_run_report_picks_the_cpu_build_from_the_cpu_index(local_index, tmp_path):
    """`pip install --dry-run --report` resolves torch+cpu from the CPU index and each pinned version."""
    requirements = _swapped((ROOT / "requirements.txt").read_text(), local_index, tmp_path)
    report = tmp_path / "report.json"
    result = _run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--report", str(report), "-r", str(requirements)], tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    installs = json.loads(report.read_text())["install"]
    resolved = {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"] for item in installs}
    _assert_cpu_build_and_pins(resolved)
    urls = {canonicalize_name(item["metadata"]["name"]): item["download_info"]["url"] for item in installs}
    assert urls["torch"].startswith(local_index) and urls["torchvision"].startswith(local_index), urls


def test_the_stand_in_index_reproduces_the_extra_index_failure(local_index, tmp_path):
    """Control: the former `--extra-index-url` arrangement fails under uv against the stand-in, as on Cloud."""
    former = f"--extra-index-url {REAL_INDEX}\n" + "\n".join(map(str, _pins().values())) + "\n"
    requirements = _swapped(former, local_index, tmp_path)
    result = _run([*UV, "pip", "compile", str(requirements), "--python", sys.executable,
                   "--python-platform", "x86_64-manylinux_2_28", "--no-header"], tmp_path)  # fmt: skip
    assert result.returncode != 0, result.stdout
    assert "but not at the requested version" in result.stderr, result.stderr
