"""What the router draws around every page: the app's CSS (plus the projector's) and the sidebar's browser
component.

Light: imports Streamlit only. Their text is in pages/ui/assets/, read once per process; only the picture
grids' selectors are made here, from PICTURE_GRIDS.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

import streamlit as st

from pages.ui.kit import NARROW_VIEWPORT, PICTURE_GRIDS

ASSETS = Path(__file__).parent / "assets"


def _asset(name: str) -> str:
    return (ASSETS / name).read_text()


# Projector mode: everything larger, for the back of a lecture hall (figures are enlarged by plot()).
# The first screen at 1280x720 holds each lab's key figure: less padding above the title, a smaller title.
PROJECTOR_CSS = f"<style>\n{_asset('projector.css')}</style>"
# A grid of pictures is one st.image in a container keyed "pictures<n>-..." (pictures_ui): laid out here as n
# columns, one on a phone, as st.columns would be (without a block per row and per cell). Fullscreen (Streamlit
# hides the body's overflow meanwhile), the pictures are a row to scroll through, each as large as the screen.
_FULLSCREEN = 'body[style*="overflow: hidden"] '


def _in_grids(selector: str, prefix: str = "") -> str:
    """``selector`` inside every picture grid's container, each preceded by ``prefix``."""
    return ", ".join(f'{prefix}[class*="st-key-pictures{n}-"] {selector}' for n in PICTURE_GRIDS)


_LIST = '[data-testid="stImage"]'  # Streamlit's list of pictures (a flex row of its own)
# The uploader's own "25MB per file" would contradict the 10 MB the app accepts (its label says that instead).
_APP_RULES = Template(_asset("app.css")).substitute(
    grids=_in_grids(_LIST),
    columns="".join(
        f'[class*="st-key-pictures{n}-"] {_LIST} {{ grid-template-columns: repeat({n}, minmax(0, 1fr)); }}'
        for n in PICTURE_GRIDS
    ),
    narrow=NARROW_VIEWPORT - 0.02,
    wide=NARROW_VIEWPORT,
    fullscreen_grids=_in_grids(_LIST, _FULLSCREEN),
    fullscreen_cells=_in_grids('[data-testid="stImageContainer"]', _FULLSCREEN),
    fullscreen_images=_in_grids("img", _FULLSCREEN),
)
APP_CSS = f"<style>\n{_APP_RULES}</style>"
# What only the browser knows, in one sidebar component (one element per run, not four): whether the window is
# narrower than NARROW_VIEWPORT, reported again only when that changes, so plot() can lay figures out for a phone
# (Streamlit does not tell the server the viewport's width); and the address bar, shown as the link to share.
# The link is read from the address bar when it is shown: a section that reruns on its own updates the address
# bar but not the server-drawn parts outside it, so a link drawn by the server after the page went stale.
browser = st.components.v2.component(
    "augnorm_browser", html=_asset("browser.html"), css=_asset("browser.css"), js=_asset("browser.js")
)
