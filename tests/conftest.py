"""Markers by where a test lives, so a developer can run the fast part alone (README, *Developing*)."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent
APP_TESTS = HERE / "app"  # AppTest runs whole pages (the torch import, the shipped networks)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(item.path)
        if HERE / "e2e" in path.parents:
            item.add_marker(pytest.mark.e2e)
        elif APP_TESTS in path.parents:
            item.add_marker(pytest.mark.slow)
