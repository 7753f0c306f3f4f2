"""The labs' shared widgets: the image input and claim boxes, and the figures and tables
(each built once per content and shared read-only by every session).

Heavy: importing this module imports plotly, pyarrow and pandas, and torch through pages.sections.data. Imported by
the labs' pages and section modules, never by Home. Its cached functions are defined once per process, here, so
no rerun re-decorates them or re-hashes their source.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from core import claims
from core.cards import cards_markdown
from core.figures import adapted, freeze
from core.images import ACCEPTED_TEXT, MAX_BYTES, ImageInputError, LoadedImage, digest_of
from core.pipeline import DEFAULT_SAMPLE
from pages.sections.data import SAMPLE_NAMES, UploadEvicted, decoded_image, preview_jpeg, sample_bytes
from pages.ui.kit import narrow_viewport, projector_mode


def _forget_removed_upload() -> None:
    """The uploader's ×: the session's upload is gone. (A page's empty uploader alone does not mean that.)"""
    if st.session_state.get("upload") is None:
        st.session_state.pop("upload_digest", None)
        st.session_state.pop("upload_name", None)


def _uploaded_image(where: Sequence) -> tuple[LoadedImage | None, str]:
    """The session's upload: the file in this page's uploader, or the one uploaded earlier on any page.

    Only its digest and name live in st.session_state; the decoded picture lives in decoded_image's bounded cache.
    """
    state = st.session_state
    upload = st.sidebar.file_uploader(
        f"Your image (at most {MAX_BYTES // 2**20} MB)",
        key="upload",
        help=f"{ACCEPTED_TEXT}; at most {MAX_BYTES // 2**20} MB and 40 megapixels.",
        on_change=_forget_removed_upload,
    )
    data = upload.getvalue() if upload is not None else None
    if data is not None:
        state.pop("upload_digest", None)  # a file that cannot be used replaces the earlier picture too
        state.upload_name = upload.name
    label = state.get("upload_name", "")
    digest = digest_of(data) if data is not None else state.get("upload_digest")
    if digest is None:
        for place in where:
            place.info("This needs an image: upload one in the sidebar, or switch the source back to *Sample*.")
        return None, label
    try:
        loaded = decoded_image(digest, data)
    except UploadEvicted:
        state.pop("upload_digest", None)
        for place in where:
            place.warning(
                f"**{label}** is no longer in the server's memory (it keeps recent uploads for a while): "
                "please upload it again in the sidebar.",
                icon=":material/history:",
            )
        return None, label
    except ImageInputError as error:
        for place in where:
            place.error(f"**{label}** can't be used: {error}", icon=":material/broken_image:")
        return None, label
    state.upload_digest = digest
    if upload is None:
        st.sidebar.caption("Uploaded earlier in this session. Upload another file to replace it.")
    return loaded, label


def image_input_ui(where: Sequence = (st,)) -> LoadedImage | None:
    """Sidebar: a bundled sample or the user's upload, the session's choice on every page until changed.

    Returns the image, or None after saying why in each of ``where`` (the places of the sections needing it).
    """
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
            index=SAMPLE_NAMES.index(DEFAULT_SAMPLE),
            key="image",
            bind="query-params",
            persist_state="session",
        )
        data = sample_bytes(name)
        loaded, label = decoded_image(digest_of(data), data), f"{name}.jpg"
    else:
        loaded, label = _uploaded_image(where)
        if loaded is None:
            return None
    size = f"{loaded.image.width}×{loaded.image.height} px"
    sidebar.image(preview_jpeg(loaded.digest, loaded.image), caption=f"{label}: {size}", output_format="JPEG")
    for note in loaded.notes:
        sidebar.caption(note)
    return loaded


def claim_note(name: str) -> None:
    """One of the lecture's claims as the records show it: stated if shown, otherwise what the test found."""
    text, verdict = claims.sentence(name, short=projector_mode()), claims.verdict(name)
    if verdict == claims.SHOWN:
        st.success(text, icon=":material/check_circle:")
    else:  # the opposite, or not shown: a warning box, its icon telling which
        st.warning(text, icon=":material/swap_vert:" if verdict == claims.OPPOSITE else ":material/science:")


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def shared_figure(
    name: str, content: Hashable, narrow: bool, projector: bool, _build: Callable[..., go.Figure], _args, _kwargs
) -> go.Figure:
    """``_build(*_args, **_kwargs)`` laid out for the screen, once per figure name, content and screen, shared
    read-only by every session.

    ``content`` is a small key naming what the arguments hold (a run, a step, a setting): only it is hashed,
    never the arrays or records themselves (hashing one run's records took 28.5 ms per rerun in a py-spy profile,
    tests/bench/performance.md). plotly builds figures slowly and Streamlit sends them quickly, so a class opening
    the same page pays for each once; frozen, so neither does a rerun pay for its dict form again.
    """
    figure = _build(*_args, **_kwargs)
    return freeze(adapted(figure, narrow, projector) if narrow or projector else figure)


def plot(
    key: str, build: Callable[..., go.Figure], *args: object, content: Hashable, container=st, **kwargs: object
) -> None:
    """Show the core figure ``build(*args, **kwargs)``, fitted to the screen (phone, projector), with an HTML
    download button. ``content`` names what the arguments hold: for one ``key``, equal content must mean an
    equal figure."""
    narrow, projector = narrow_viewport(), projector_mode()
    name = f"{key}:{build.__module__}.{build.__qualname__}"
    # By keyword: Streamlit's cache key looks up each positional argument's name with inspect.signature.
    figure = shared_figure(
        name=name, content=content, narrow=narrow, projector=projector, _build=build, _args=args, _kwargs=kwargs
    )
    # plotly's toolbar covers a figure's title on a phone and, at projector sizes, on a 1280 px screen; touch users
    # pan and zoom with their fingers.
    container.plotly_chart(figure, key=key, config={"displayModeBar": not (narrow or projector)})
    container.download_button(
        "Download figure (HTML)",
        data=lambda: figure.to_html(include_plotlyjs="cdn"),  # built only when clicked
        file_name=f"augnorm-{key}.html",
        mime="text/html",
        key=f"{key}-download",
        icon=":material/download:",
        type="tertiary",
    )


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _arrow_table(name: str, content: Hashable, _rows: list[dict] | dict[str, Sequence]) -> pa.Table:
    return pa.Table.from_pandas(pd.DataFrame(_rows), preserve_index=False)


def table(
    name: str, rows: list[dict] | dict[str, Sequence], content: Hashable, container=st, whole: bool = False
) -> None:
    """``rows`` as an interactive table; on a phone as cards (no column cut off, nothing scrolls sideways);
    projected as a static table in large type. ``whole``: every row in view (the default scrolls after ten).

    Streamlit converts rows to Arrow on every rerun (through pandas: 6.6 % of the server's GIL time under the load
    mix); here that happens once per table ``name`` and ``content``, the small key naming what the rows hold."""
    arrow = _arrow_table(name=name, content=content, _rows=rows)
    here = container.container(key=f"table-{name}")  # named, so the lecture can show it whole (core.lecture)
    if narrow_viewport():
        here.markdown(cards_markdown(arrow.to_pylist()))
    elif projector_mode():  # a static table: its text takes the projector's size (the grid's canvas does not)
        here.table(arrow, hide_index=True)
    else:
        here.dataframe(arrow, hide_index=True, height="content" if whole else "auto")
