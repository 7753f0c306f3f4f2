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


def test_every_explanation_formats_and_has_a_short_form():
    """Each text in core.texts fills its placeholders and has a one-sentence projector version."""
    import string

    from core.texts import TEXTS

    for key, text in TEXTS.items():
        for variant in (text.full, text.short):
            names = {field for _, field, _, _ in string.Formatter().parse(variant) if field}
            variant.format(**{name: 1.0 for name in names})
        assert len(text.short) < len(text.full), key
