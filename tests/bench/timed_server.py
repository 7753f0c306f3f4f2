"""``streamlit run`` with every public ``core`` function timed: the rerun benchmark's server.

Run as ``python -m tests.bench.timed_server run app.py ...`` with AUGNORM_CORE_LOG naming a file; each
outermost call into ``core`` appends its duration in seconds as one line. The app itself is unchanged.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import pkgutil
import sys
import threading
import time

import core

LOG_VARIABLE = "AUGNORM_CORE_LOG"


def install(log_path: str) -> None:
    """Wrap core's public functions before app.py and the pages import them."""
    log = open(log_path, "a", buffering=1)  # line-buffered: a line is on disk before the run finishes
    lock, depth = threading.Lock(), threading.local()

    def timed(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            level = getattr(depth, "value", 0)
            depth.value = level + 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth.value = level
                if level == 0:  # core calls core: count the outermost call only
                    with lock:
                        log.write(f"{time.perf_counter() - started:.6f}\n")

        return wrapper

    for info in pkgutil.iter_modules(core.__path__):
        module = importlib.import_module(f"core.{info.name}")
        for name, value in list(vars(module).items()):
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                setattr(module, name, timed(value))
            elif inspect.isclass(value):  # methods the pages call, e.g. Split.tensors or FormulaNumbers.latex
                for method_name, method in list(vars(value).items()):
                    if inspect.isfunction(method) and not method_name.startswith("_"):
                        setattr(value, method_name, timed(method))


if __name__ == "__main__":
    install(os.environ[LOG_VARIABLE])
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main()
