"""The labs' shared data: the shipped Fashion-MNIST subset, runs, records and precomputed results, the sample
pictures and the decoded uploads, each loaded once per process and shared read-only by every session.

Heavy: importing this module imports torch and torchvision. Imported by the labs' section modules (and by the
warm-up thread through them), never by Home. Its cached functions are defined once per process, here, so no rerun
re-decorates them or re-hashes their source.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from core.data import Split, load_subset
from core.images import SAMPLE_DIR, LoadedImage, display_jpeg, load_image
from core.models import SmallCNN
from core.precomputed import Precomputed
from core.precomputed import load as load_precomputed
from core.runs import Run, load_probs, load_record, load_run, private_model
from core.threads import configure_torch_threads

configure_torch_threads()  # sized to the container's CPU quota, once per process

SAMPLE_NAMES = tuple(sorted(path.stem for path in SAMPLE_DIR.glob("*.jpg")))
SIDEBAR_SIDE = 480  # px sent for the sidebar preview: sharp at 2x on a ~240 px wide sidebar


class UploadEvicted(LookupError):
    """The session's upload is no longer in the bounded cache (only its digest was kept)."""


# st.cache_resource: a decoded picture is only read (every transform returns a new image), so a hit shares
# it instead of unpickling a copy of its pixels on every rerun.
@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def decoded_image(digest: str, _data: bytes | None) -> LoadedImage:
    """Decode once per distinct file: keyed by the bytes' sha256, not by Streamlit's hashing of them.

    ``_data`` None looks an earlier upload up by its digest alone (another page has no file widget holding it).
    """
    if _data is None:
        raise UploadEvicted(digest)  # exceptions are not cached: the next real upload decodes normally
    return load_image(_data)


@st.cache_resource(max_entries=32, show_spinner=False)
def preview_jpeg(digest: str, _image: Image.Image) -> bytes:
    return display_jpeg(_image, SIDEBAR_SIDE)


@st.cache_resource(max_entries=len(SAMPLE_NAMES), show_spinner=False)
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
def shipped_record(name: str) -> dict:
    """A shipped run's record (curves, accuracies), read from disk once and shared read-only."""
    return load_record(name)


@st.cache_resource(show_spinner=False)
def shipped_probs(name: str) -> np.ndarray:
    """A shipped run's saved softmax outputs on the 10,000 test images, read once and shared read-only."""
    return load_probs(name)


@st.cache_resource(show_spinner=False)
def precomputed() -> Precomputed:
    """The shipped dataset-wide results (``core.precomputed``), read once per server and shared read-only."""
    return load_precomputed()


@st.cache_resource(show_spinner=False)
def shipped_model(name: str) -> SmallCNN:
    """A shipped network in eval mode, shared by all sessions: never put in train mode, never hooked."""
    run = shipped_run(name)
    return private_model(run.config, run.final, train=False)
