"""AppTest fixtures: run app.py and switch to a page, as a browser session would."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open the tab ``label`` of the tabs keyed ``key``, as a click on it does (only the open tab runs)."""
    at.session_state[key] = label
    return at.run()
