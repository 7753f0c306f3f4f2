"""core.label_demo: the rendered 6 turns into a 9 under a 180° rotation, by a computed score."""

import numpy as np

from core.label_demo import render_digit, six_or_nine


def test_digit_is_white_on_black_and_centred():
    """The glyph is bright, the background black, and its mass sits near the centre."""
    pixels = np.asarray(render_digit("6").convert("L"), dtype=float)
    assert pixels[0, 0] == 0 and pixels.max() == 255
    rows, cols = np.nonzero(pixels > 128)
    assert abs(rows.mean() - 56) < 12 and abs(cols.mean() - 56) < 12


def test_small_rotation_keeps_the_label_and_180_degrees_changes_it():
    """Original and 15° stay a 6; the 180° rotation scores closer to the 9 template."""
    views = {view.name: view for view in six_or_nine()}
    assert views["original"].similarity["6"] == 1.0
    assert views["original"].looks_like == "6"
    assert views["rotate 15°"].looks_like == "6"
    assert views["rotate 180°"].looks_like == "9"
