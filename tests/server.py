"""A real `streamlit run app.py` on a free loopback port, for the browser tests and the benchmarks."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent
SERVED_BY = "X-Served-By"  # deploy/haproxy.cfg's response header naming the replica that answered


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

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` now (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ServerError("no VmRSS in /proc")


def cpu_seconds(pid: int) -> float:
    """CPU time process ``pid`` has used so far, all its threads, user and system (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(
    ready: Callable[[], bool], process: subprocess.Popen, started: float, timeout: float, log: Path
) -> None:
    """Poll ``ready`` (an OSError counts as not yet); ServerError if ``process`` exits or ``timeout`` passes."""
    while True:
        try:
            if ready():
                return
        except OSError:
            pass
        if process.poll() is not None or time.perf_counter() - started > timeout:
            raise ServerError(f"the server did not become ready; see {log}")
        time.sleep(0.05)


def _health(url: str) -> http.client.HTTPResponse:
    return urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)


def _healthy(url: str) -> Callable[[], bool]:
    return lambda: _health(url).read() == b"ok"


@contextmanager
def streamlit_server(
    log: Path,
    env: dict[str, str] | None = None,
    timeout: float = 90,
    launcher: str = "streamlit",
    root: Path | None = None,
    script: str = "app.py",
    python: str = sys.executable,
) -> Iterator[Server]:
    """Start the app, wait for /_stcore/health (as Streamlit's own e2e suite does), stop it afterwards.

    ``launcher`` is the module run as ``python -m <launcher> run app.py``: Streamlit's CLI, or a benchmark's
    wrapper around it. ``root``: the folder the server runs in (this app's by default), ``script`` the app there;
    ``python``: another app's own interpreter (its venv).
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            [python, "-m", launcher, "run", script, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=root or ROOT, stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until(_healthy(url), process, started, timeout, log)
            yield Server(url, process, started, time.perf_counter())
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass(frozen=True)
class Balanced:
    url: str  # http://127.0.0.1:<port> of HAProxy
    replicas: dict[str, int]  # replica name (HAProxy's server name, as in X-Served-By) -> its process id
    replica_urls: dict[str, str]  # replica name -> its own http://127.0.0.1:<port>, bypassing HAProxy


@contextmanager
def balanced_replicas(count: int, log: Path, timeout: float = 120) -> Iterator[Balanced]:
    """``count`` replicas behind HAProxy on loopback, started by deploy/run-replicas.sh; all stopped afterwards."""
    listen, ports = free_port(), [free_port() for _ in range(count)]
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "AUGNORM_LISTEN": f"127.0.0.1:{listen}",
        "AUGNORM_REPLICA_PORTS": " ".join(map(str, ports)),
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as log_file:
        started = time.perf_counter()
        # Its own process group: stopping it reaches the script, its replicas and HAProxy, and nothing else.
        process = subprocess.Popen(
            ["bash", "deploy/run-replicas.sh", str(count)],
            cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            for port in ports:
                _wait_until(_healthy(f"http://127.0.0.1:{port}"), process, started, timeout, log)
            # HAProxy's own checks must have found every replica up: until then it sends every tab to the others.
            url, answered = f"http://127.0.0.1:{listen}", set()

            def every_replica_answered() -> bool:
                answered.add(_health(url).headers[SERVED_BY])
                return len(answered) == count

            _wait_until(every_replica_answered, process, started, timeout, log)
            started_replicas = re.findall(r"^(replica\d+) pid (\d+) port (\d+)", log.read_text(), re.M)
            yield Balanced(
                url,
                {name: int(pid) for name, pid, _ in started_replicas},
                {name: f"http://127.0.0.1:{port}" for name, _, port in started_replicas},
            )
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            with suppress(ProcessLookupError):  # anything of the group still running
                os.killpg(process.pid, signal.SIGKILL)
