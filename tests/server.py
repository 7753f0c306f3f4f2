"""A real `streamlit run app.py` on a free loopback port, for the browser tests and the benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent


class ServerError(RuntimeError):
    """The server exited or never answered its health check."""


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:<port>
    process: subprocess.Popen
    started: float  # time.perf_counter() just before the process was spawned
    healthy: float  # time.perf_counter() when /_stcore/health first answered

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` now (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ServerError("no VmRSS in /proc")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(
    log: Path, env: dict[str, str] | None = None, timeout: float = 90, launcher: str = "streamlit"
) -> Iterator[Server]:
    """Start the app, wait for /_stcore/health (as Streamlit's own e2e suite does), stop it afterwards.

    ``launcher`` is the module run as ``python -m <launcher> run app.py``: Streamlit's CLI, or a benchmark's
    wrapper around it.
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", launcher, "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.perf_counter() - started > timeout:
                    raise ServerError(f"streamlit did not become healthy; see {log}")
                time.sleep(0.05)
            yield Server(url, process, started, time.perf_counter())
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
