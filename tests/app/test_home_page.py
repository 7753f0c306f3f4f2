"""The landing page."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
HEAVY = ("torch", "torchvision", "numpy", "pandas", "core.claims", "pages.sections.data", "pages.sections.widgets")


def test_home_explains_the_app_and_links_the_studio(open_page):
    """Home renders without exception and links to the Augmentation Studio."""
    at = open_page("pages/home.py")
    assert not at.exception
    assert at.title[0].value == "AugNorm Lab"
    assert any("augmentation" in block.value for block in at.markdown)


def _printed(code: str) -> str:
    """What ``code`` prints in a fresh interpreter started in the repository."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_the_router_and_home_import_nothing_heavy():
    """app.py and Home load Streamlit and texts only: torch, numpy and the labs wait for the warm-up thread."""
    code = "import sys, app, runpy; runpy.run_path('pages/home.py'); print([m for m in {} if m in sys.modules])"
    assert _printed(code.format(HEAVY)).strip() == "[]"


def test_a_run_of_home_imports_nothing_heavy_either():
    """Home's first run through the router (the warm-up held back) leaves numpy, pandas and pyarrow unimported: a
    list in the browser component's data made Streamlit import them to ask whether it was a dataframe."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from pages.ui import routing\n"
        "routing.start_warm_up = lambda: None\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        f"print(len(at.exception), [m for m in {HEAVY} if m in sys.modules])"
    )
    assert _printed(code).strip() == "0 []"


def test_the_warm_up_imports_every_lab_and_freezes_what_exists():
    """After the warm-up every lab's module is imported and the garbage collector no longer scans them."""
    code = "import gc, sys; from pages.ui import routing; routing._warm_up()"
    code += "; print(all(m in sys.modules for m in routing.LAB_MODULES))"
    code += "; print(gc.get_freeze_count())"
    imported, frozen = _printed(code).split()
    assert imported == "True" and int(frozen) > 100_000


def test_a_lab_opened_while_the_warm_up_imports_gets_whole_modules():
    """Home starts the warm-up; a lab opened right after waits for it instead of importing torchvision beside it
    (two threads importing it at once met a half-initialized module). In a fresh interpreter, as on a server."""
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=180).run()\n"
        "at.switch_page('pages/batchnorm_lab.py').run()\n"
        "print(len(at.exception), len(at.get('plotly_chart')))"
    )
    assert _printed(code).split() == ["0", "2"]


def test_home_shows_a_picture_card_per_lab(open_page):
    """Four lab pictures (shipped JPEGs, from the browser tests' shots), each with a line of what a student sees."""
    at = open_page("pages/home.py")
    pictures = [block.proto.body for block in at.get("html") if "data:image/jpeg;base64," in block.proto.body]
    assert len(pictures) == 4 and len([c for c in at.caption if c.value.endswith(".")]) >= 4
