"""core.label_demo: the rendered 6 turns into a 9 under a 180° rotation, by a computed, clearly separated score."""

import numpy as np
import pytest

from core.label_demo import render_digit, six_or_nine

EXPECTED = {
    "original": ("6", "label kept"),
    "rotate 15°": ("6", "label kept"),
    "horizontal flip": ("mirrored 6", "not a digit"),
    "vertical flip": ("mirrored 9", "not a digit"),
    "rotate 180°": ("9", "label changed"),
}


def test_digit_is_white_on_black_and_centred():
    """The glyph is bright, the background black, and its mass sits near the centre."""
    pixels = np.asarray(render_digit("6").convert("L"), dtype=float)
    assert pixels[0, 0] == 0 and pixels.max() == 255
    rows, cols = np.nonzero(pixels > 128)
    assert abs(rows.mean() - 56) < 12 and abs(cols.mean() - 56) < 12


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_view_is_recognised_with_a_clear_margin(name):
    """Every view matches the right template, at least 0.15 above the runner-up and above 0.9."""
    view = {view.name: view for view in six_or_nine()}[name]
    assert (view.looks_like, view.verdict) == EXPECTED[name]
    best, runner_up = sorted(view.similarity.values(), reverse=True)[:2]
    assert best > 0.9 and best - runner_up > 0.15, view.similarity


def test_rotation_by_180_is_a_real_rotation_not_a_flip():
    """The 180° view is torchvision's rotation: both flips applied, pixel for pixel, not one flip."""
    views = {view.name: view for view in six_or_nine()}
    rotated = np.asarray(views["rotate 180°"].image)
    assert np.array_equal(rotated, np.asarray(render_digit("6"))[::-1, ::-1])
    assert not np.array_equal(rotated, np.asarray(views["vertical flip"].image))
