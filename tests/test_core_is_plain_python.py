"""core/ is plain Python: importing all of it never imports streamlit."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_importing_core_does_not_import_streamlit():
    """A fresh interpreter imports every core module and finds no streamlit in sys.modules."""
    modules = sorted(f"core.{path.stem}" for path in (ROOT / "core").glob("*.py") if path.stem != "__init__")
    script = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    script += "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert len(modules) >= 4
    assert result.stdout.strip() == "[]"
