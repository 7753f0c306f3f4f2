"""Pictures are encoded once: every st.image call names the bytes' format, so Streamlit sends them as they are."""

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]


def test_every_image_call_names_its_output_format():
    """Left to "auto", Streamlit decodes each PNG without transparency and encodes it as JPEG on every rerun."""
    calls = [
        (path.name, node.lineno, {keyword.arg for keyword in node.keywords})
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "image"
    ]
    assert len(calls) >= 7
    assert [(name, line) for name, line, keywords in calls if "output_format" not in keywords] == []
