"""README's quick start and CI agree: two commands, each in its own virtual environment, the second run by CI."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def quick_start_commands() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_quick_start_is_two_commands_that_make_their_own_virtual_environment():
    """Both commands create and use .venv (a Debian/Ubuntu system pip refuses installs, PEP 668)."""
    commands = quick_start_commands()
    assert len(commands) == 2
    for command in commands:
        assert "\n" not in command and command.startswith("python3 -m venv .venv && PIP_RETRIES=0 .venv/bin/pip ")
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()


def test_ci_runs_the_readme_test_command_verbatim_then_lints():
    """.ci/run runs README's second quick-start command as one line of its own, then ruff's check and format check."""
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    at = lines.index(quick_start_commands()[1])
    assert ".venv/bin/ruff check . && .venv/bin/ruff format --check ." in lines[at + 1 :]


def test_readme_claims_table_is_the_registry():
    """Each claim's row in README's table carries the registry's effect text and verdict, one number everywhere."""
    from core import claims

    readme = (ROOT / "README.md").read_text()
    for row in claims.table():
        assert f"| `{row['claim']}` | {row['text']} | {row['verdict']} |" in readme, row["claim"]
