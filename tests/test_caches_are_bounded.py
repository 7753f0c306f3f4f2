"""Memory stays bounded over a long class: every Streamlit cache with arguments has a size limit."""

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]


def _cache_decorators(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                target = call.func if call else decorator
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    yield node, target.attr, {keyword.arg for keyword in call.keywords} if call else set()


def test_every_cache_with_arguments_has_max_entries():
    """A cached function that takes arguments names max_entries, unless it is keyed by a shipped run's name."""
    checked = 0
    for path in SOURCES:
        for function, kind, keywords in _cache_decorators(ast.parse(path.read_text())):
            checked += 1
            arguments = [a.arg for a in function.args.args] + (
                [function.args.vararg.arg] if function.args.vararg else []
            )
            shipped_name = kind == "cache_resource" and arguments == ["name"]  # a finite set of shipped files
            if arguments and not shipped_name:
                assert "max_entries" in keywords, f"{path.name}: {function.name} has no max_entries"
    assert checked >= 15
