"""AppTest fixtures: run app.py and switch to a page, as a browser session would."""

from enum import StrEnum
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from core.labs import BY_TABS

APP = str(Path(__file__).parents[2] / "app.py")
TIMEOUT = 180  # the first run imports torch and torchvision


@pytest.fixture
def open_page():
    """Return a function that opens a page of the app and runs it once."""

    def open_(page: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert not at.exception, [e.value for e in at.exception]
        return at.switch_page(page).run()

    return open_


def open_link(page: str, **params) -> AppTest:
    """Open ``page`` the way a shared link does: query parameters set before the first run."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(page).run()


def open_tab(at: AppTest, tab: StrEnum) -> AppTest:
    """Open ``tab`` (a member of a lab's tabs in core.labs), as a click on it does (only the open tab runs).

    A click also changes the address bar: AppTest sends its query parameters with every run, and a tab opened by a
    link (``?key=<label>``) would otherwise win over the new state.
    """
    key = BY_TABS[type(tab)].tab_key
    at.session_state[key] = str(tab)
    if key in at.query_params:
        at.query_params[key] = str(tab)
    return at.run()


def widget_keys(at: AppTest) -> set[str]:
    """The keys of the widgets drawn in the main area by the last run (a closed tab's widgets are not)."""
    return {node.key for node in at.main if isinstance(node, Widget) and node.key}


def filled_tabs(at: AppTest) -> list[str]:
    """The labels of the tabs that show anything: only the open tab's section runs."""
    return [tab.label for tab in at.tabs if tab.children]
