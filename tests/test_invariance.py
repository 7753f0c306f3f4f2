"""core.invariance: transformed test sets by hand, the same draws for every network, and the recorded reports."""

import numpy as np
import pytest
import torch

from core.data import load_debian, load_subset
from core.invariance import (
    FAMILIES,
    ITEM_VIEWS,
    SHIFT_DIRECTIONS,
    draw_signs,
    invariance_report,
    invariance_series,
    item_answers,
    mean_transformed_accuracy,
    transformed,
    transformed_set,
)
from core.plan import INVARIANCE_SEED
from core.runs import load_run, private_model

PIXELS = torch.from_numpy(load_subset()["test"].images[:64].copy()).unsqueeze(1)  # uint8 (64, 1, 28, 28)


def test_shift_moves_each_image_its_drawn_way_and_fills_black():
    """A k-pixel shift equals numpy's slice-and-pad of the same image in the drawn direction."""
    signs = draw_signs(len(PIXELS), "shift", seed=3)
    found = transformed(PIXELS, "shift", 2, signs).numpy()[:, 0]
    for image, moved, way in zip(PIXELS.numpy()[:, 0], found, signs):
        dx, dy = (2 * d for d in SHIFT_DIRECTIONS[way])
        expected = np.zeros_like(image)
        expected[max(dy, 0) : 28 + min(dy, 0), max(dx, 0) : 28 + min(dx, 0)] = image[
            max(-dy, 0) : 28 + min(-dy, 0), max(-dx, 0) : 28 + min(-dx, 0)
        ]
        np.testing.assert_array_equal(moved, expected)


def test_mirror_brightness_and_contrast_by_hand():
    """Mirror flips columns; brightness scales and clips; contrast blends with each image's mean grey."""
    plus = np.ones(len(PIXELS), dtype=int)
    x = PIXELS.numpy().astype(float)
    np.testing.assert_array_equal(transformed(PIXELS, "mirror", 1, plus).numpy(), x[..., ::-1])
    brighter = transformed(PIXELS, "brightness", 40, plus).numpy()
    np.testing.assert_allclose(brighter, np.clip(x * 1.4, 0, 255), atol=1)
    lower = transformed(PIXELS, "contrast", 40, -plus).numpy()
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(lower, np.clip(0.6 * x + 0.4 * mean, 0, 255), atol=1)


def test_the_same_seed_gives_every_network_the_same_test_set():
    """Draws depend only on the seed and family: equal for the same seed, different for another."""
    first, again = (transformed_set(PIXELS, "rotation", 20, seed=7) for _ in range(2))
    assert torch.equal(first, again)
    assert not torch.equal(first, transformed_set(PIXELS, "rotation", 20, seed=8))
    assert set(np.unique(draw_signs(1000, "rotation", 7))) == {-1, 1}


def test_series_start_at_the_clean_accuracy_and_average_over_seeds():
    """Strength 0 is the clean accuracy; the band is the sample std over seeds."""
    reports = [{"clean": [0.8], **{f: [0.5] * len(spec.strengths) for f, spec in FAMILIES.items()}} for _ in range(2)]
    reports[1]["shift"] = [0.7, 0.3]
    series = invariance_series({"a": reports})["a"]
    strengths, mean, std = series["shift"]
    assert list(strengths) == [0, 2, 4] and list(mean) == pytest.approx([0.8, 0.6, 0.4])
    assert std[1] == pytest.approx(np.std([0.5, 0.7], ddof=1))
    assert mean_transformed_accuracy(reports[0]) == pytest.approx(0.5)


def test_item_views_answer_for_each_network():
    """Every view of an item gets each network's class and probability; the first view is the item as tested."""
    run = load_run("small_none_seed0")
    model = private_model(run.config, run.final, train=False)
    views = item_answers(
        PIXELS[0], int(load_subset()["test"].labels[0]), {"without": model}, [str(i) for i in range(10)]
    )
    assert [view.label for view in views] == [label for label, *_ in ITEM_VIEWS]
    assert all(len(view.answers) == 1 and view.answers[0][0] in "✓✗" for view in views)
    assert views[0].picture.size == (112, 112)


def test_recorded_invariance_equals_a_fresh_measurement_on_the_10000_test_images():
    """The shipped report of a recipe network is what its checkpoint gives now on Debian's 10,000 test images."""
    test = load_debian()["test"]
    run = load_run("small_flip_shift_erase_seed0")
    model = private_model(run.config, run.final, train=False)
    pixels = torch.from_numpy(test.images.copy()).unsqueeze(1)
    fresh = invariance_report(model, pixels, torch.from_numpy(test.labels), INVARIANCE_SEED)
    assert fresh.keys() == run.record["invariance"].keys()
    for family, values in fresh.items():
        assert values == pytest.approx(run.record["invariance"][family], abs=1e-6), family
