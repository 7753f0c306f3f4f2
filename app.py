"""AugNorm Lab: the router, plus the widgets and caches every page shares.

Run with ``streamlit run app.py``. Pages import the shared helpers with ``from app import ...``; the
router itself only runs when Streamlit executes this file as the main script.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.bn_lab import Run, load_run, private_model
from core.data import Split, load_subset
from core.images import ACCEPTED_TEXT, ImageInputError, LoadedImage, digest_of, load_image
from core.models import SmallCNN
from core.texts import TEXTS

SAMPLE_DIR = Path(__file__).parent / "sample_images"
SAMPLE_NAMES = tuple(sorted(path.stem for path in SAMPLE_DIR.glob("*.jpg")))
MAX_SEED = 2**31 - 1

# The house layout keeps pages in pages/, which Streamlit takes for its legacy auto-discovered navigation
# until the server's first st.navigation call; a session opened directly on a page URL right after start-up
# would get that legacy menu. Leave the legacy mode before anything is drawn and run again with the router.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def decoded_image(digest: str, _data: bytes) -> LoadedImage:
    """Decode once per distinct file: keyed by the bytes' sha256, not by Streamlit's hashing of them."""
    return load_image(_data)


@st.cache_data(show_spinner=False)
def sample_bytes(name: str) -> bytes:
    return (SAMPLE_DIR / f"{name}.jpg").read_bytes()


@st.cache_resource(show_spinner=False)
def fashion_subset() -> dict[str, Split]:
    """The shipped Fashion-MNIST subset, loaded once per server and shared read-only."""
    return load_subset()


@st.cache_resource(show_spinner=False)
def shipped_run(name: str) -> Run:
    """A shipped training run (record and weights), shared read-only: pages only build private copies."""
    return load_run(name)


@st.cache_resource(show_spinner=False)
def shipped_model(name: str) -> SmallCNN:
    """A shipped network in eval mode, shared by all sessions: never put in train mode, never hooked."""
    run = shipped_run(name)
    return private_model(run.config, run.final, train=False)


def image_input_ui() -> LoadedImage | None:
    """Sidebar: a bundled sample or the user's upload. Returns the image, or None after saying why."""
    sidebar = st.sidebar
    sidebar.subheader("Image")
    source = sidebar.segmented_control(
        "Source",
        ["Sample", "Upload"],
        default="Sample",
        required=True,
        key="source",
        bind="query-params",
        persist_state="session",
    )
    if source == "Sample":
        name = sidebar.selectbox(
            "Sample image",
            SAMPLE_NAMES,
            index=SAMPLE_NAMES.index("cat"),
            key="image",
            bind="query-params",
            persist_state="session",
        )
        data, label = sample_bytes(name), f"{name}.jpg"
    else:
        upload = sidebar.file_uploader(
            "Your image",
            key="upload",
            help=f"{ACCEPTED_TEXT}; at most 10 MB and 40 megapixels.",
        )
        if upload is None:
            st.info("Upload an image in the sidebar, or switch the source back to *Sample*.")
            return None
        data, label = upload.getvalue(), upload.name
    try:
        loaded = decoded_image(digest_of(data), data)
    except ImageInputError as error:
        st.error(f"**{label}** can't be used: {error}", icon=":material/broken_image:")
        return None
    sidebar.image(loaded.image, caption=f"{label}: {loaded.image.width}×{loaded.image.height} px")
    for note in loaded.notes:
        sidebar.caption(note)
    return loaded


def explain(key: str, style: str = "markdown", **values: object) -> None:
    """Show one of core.texts' explanations (as markdown, caption or info box), filled with live ``values``."""
    text = TEXTS[key].full.format(**values)
    if style == "info":
        st.info(text, icon=":material/lightbulb:")
    else:
        getattr(st, style)(text)


def _draw_new_seed(key: str) -> None:
    st.session_state[key] = secrets.randbelow(10_000)


def seed_ui(key: str = "seed") -> int:
    """A visible seed with a button that draws a new one: the same seed always gives the same pictures."""
    column_seed, column_button = st.columns([3, 1], vertical_alignment="bottom")
    seed = column_seed.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        value=0,
        step=1,
        key=key,
        bind="query-params",
    )
    column_button.button(
        "New seed",
        icon=":material/casino:",
        on_click=_draw_new_seed,
        args=(key,),
        key=f"{key}-new",
        width="stretch",
    )
    return int(seed)


def main() -> None:
    st.set_page_config(page_title="AugNorm Lab", page_icon=":material/science:", layout="wide")
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/augmentation_studio.py", title="Augmentation Studio", icon=":material/auto_awesome:"),
        st.Page("pages/batchnorm_lab.py", title="BatchNorm Lab", icon=":material/equalizer:"),
        st.Page("pages/mc_dropout_lab.py", title="MC Dropout Lab", icon=":material/casino:"),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
