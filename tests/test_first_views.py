"""core.pictures: the Studio's shipped first views equal a fresh torchvision computation, byte for byte."""

import io

import numpy as np
import pytest
from PIL import Image

from core import pictures
from core.precomputed import first_view_cells


@pytest.mark.parametrize("view", pictures.FIRST_VIEWS, ids=lambda view: view.name)
def test_the_shipped_pictures_are_a_fresh_computation(view):
    """Every picture and caption as the page would compute them now (JPEG bytes equal, so pixels equal too)."""
    shipped, fresh = pictures.load_cells(view), first_view_cells(view)
    assert [caption for _, caption in shipped] == [caption for _, caption in fresh]
    for (ours, _), (theirs, _) in zip(shipped, fresh, strict=True):
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(ours))), np.asarray(Image.open(io.BytesIO(theirs))))
        assert ours == theirs


def test_the_shipped_files_are_the_views_and_nothing_else():
    """One index per view, naming its settings, and no picture left from a view that is gone."""
    names = {view.name for view in pictures.FIRST_VIEWS}
    files = {path.name for path in pictures.FIRST_VIEWS_DIR.iterdir()}
    listed = {f"{view.name}.json" for view in pictures.FIRST_VIEWS}
    for view in pictures.FIRST_VIEWS:
        listed |= {f"{view.name}-{number}.jpeg" for number in range(len(pictures.load_cells(view)))}
    assert files == listed and len(names) == len(pictures.FIRST_VIEWS)


def test_a_link_opens_a_first_view_only_with_exactly_its_settings():
    """The default view with no settings (projector mode aside), a preset with its own; anything else: none."""
    default, flip = pictures.FIRST_VIEWS[0], pictures.FIRST_VIEWS[1]
    assert pictures.matching({}) is default and pictures.matching({"projector": ["true"]}) is default
    assert pictures.matching({key: list(values) for key, values in flip.query.items()}) is flip
    assert pictures.matching({**flip.query, "count": ["9"]}) is None
    assert pictures.matching({"studio_seed": ["1"]}) is None and pictures.matching({"slide": ["3"]}) is None
