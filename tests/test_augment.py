"""core.augment: our draws and applications are torchvision's, pixel for pixel."""

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import v2

from core.augment import (
    AUGMENTATIONS,
    ChainItem,
    apply_params,
    augmentation_space,
    draw_params,
    pipeline_code,
    sample_grid,
    ten_crops,
    trivial_augment_op,
    trivial_augment_space,
)
from core.images import load_image
from core.rng import RngStream

CAT = load_image((Path(__file__).parent.parent / "sample_images" / "cat.jpg").read_bytes()).image


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image)


def chain_of(*keys: str, **overrides) -> list[ChainItem]:
    return [ChainItem(AUGMENTATIONS[key], {**AUGMENTATIONS[key].defaults(), **overrides.get(key, {})}) for key in keys]


@pytest.mark.parametrize("key", list(AUGMENTATIONS))
def test_each_augmentation_matches_torchvision_forward(key):
    """Draw-then-apply equals torchvision's own forward under the same seed, for 12 seeds."""
    for transform in AUGMENTATIONS[key].build(AUGMENTATIONS[key].defaults()):
        for seed in range(12):
            torch.manual_seed(seed)
            expected = transform(CAT)
            with RngStream(seed).active():
                params = draw_params(transform, CAT)
            assert np.array_equal(pixels(apply_params(transform, CAT, params)), pixels(expected)), (key, seed)


def test_trivial_augment_draws_cover_the_space():
    """Over 400 seeds every one of the 14 operations and both signs are drawn."""
    transform = v2.TrivialAugmentWide()
    names, signs = set(), set()
    for seed in range(400):
        with RngStream(seed).active():
            (op,) = draw_params(transform, CAT)["ops"]
        names.add(op.name)
        if op.signed:
            signs.add(op.negative)
    assert names == set(augmentation_space(transform))
    assert signs == {True, False}


def test_trivial_augment_space_is_torchvisions():
    """The explorer's operations and magnitudes are read from torchvision's TrivialAugmentWide."""
    rows = trivial_augment_space(300, 451)
    assert [row["operation"] for row in rows] == list(v2.TrivialAugmentWide._AUGMENTATION_SPACE)
    rotate = next(row for row in rows if row["operation"] == "Rotate")
    assert rotate["bin 30"] == "+135.0°" and rotate["sign"] == "random ±"


def test_explorer_rotate_bin_17_is_76_5_degrees():
    """Rotate at bin 17 of 31 is 17 × 135/30 = 76.5°, applied as torchvision's rotate."""
    image, op = trivial_augment_op(CAT, "Rotate", 17, negative=True)
    assert op.magnitude == pytest.approx(-76.5)
    assert op.describe() == "Rotate, bin 17/30, sign −: -76.5°"
    expected = v2.functional.rotate(CAT, -76.5, interpolation=v2.InterpolationMode.NEAREST)
    assert np.array_equal(pixels(image), pixels(expected))


def test_explorer_ignores_sign_for_unsigned_ops():
    """Posterize has no sign: asking for a negative one changes nothing."""
    _, positive = trivial_augment_op(CAT, "Posterize", 30, negative=False)
    _, negative = trivial_augment_op(CAT, "Posterize", 30, negative=True)
    assert positive == negative
    assert positive.describe() == "Posterize, bin 30/30: keep 2 bits"


def test_same_seed_same_grid_and_different_seed_differs():
    """A seed fully determines the grid."""
    chain = chain_of("hflip", "random_resized_crop", "trivial_augment")
    first = sample_grid(CAT, chain, 6, seed=11)
    again = sample_grid(CAT, chain, 6, seed=11)
    other = sample_grid(CAT, chain, 6, seed=12)
    assert [s.drawn for s in first] == [s.drawn for s in again]
    assert all(np.array_equal(pixels(a.image), pixels(b.image)) for a, b in zip(first, again))
    assert [s.drawn for s in first] != [s.drawn for s in other]


def test_more_samples_keep_the_first_ones():
    """Raising N from 4 to 8 keeps samples 0-3 (they come first in the stream)."""
    chain = chain_of("random_crop", "color_jitter")
    assert [s.drawn for s in sample_grid(CAT, chain, 8, 5)[:4]] == [s.drawn for s in sample_grid(CAT, chain, 4, 5)]


def test_code_snippet_reproduces_the_grid():
    """Running the shown code gives exactly the grid's pixels."""
    chain = chain_of("hflip", "scale_augmentation", "color_jitter", "rand_augment")
    grid = sample_grid(CAT, chain, 5, seed=3)
    namespace = {"image": CAT}
    exec(pipeline_code(chain, seed=3, count=5), namespace)  # our own generated code, never user text
    assert all(np.array_equal(pixels(a), pixels(b.image)) for a, b in zip(namespace["samples"], grid))


def test_captions_say_what_was_drawn():
    """Each sample lists one line per augmentation, with the drawn values."""
    chain = chain_of("vflip", "scale_augmentation", "trivial_augment")
    sample = sample_grid(CAT, chain, 1, seed=0)[0]
    assert len(sample.drawn) == 3
    assert sample.drawn[0] in ("Vertical flip: flipped", "Vertical flip: not flipped")
    assert sample.drawn[1].startswith("Scale augmentation: short side L = ")
    assert sample.image.size == (224, 224)


def test_scale_augmentation_draws_short_side_in_range():
    """The short side L lies in [256, 480] and the crop is 224×224."""
    transform = AUGMENTATIONS["scale_augmentation"].build(AUGMENTATIONS["scale_augmentation"].defaults())[0]
    stream = RngStream(0)
    for _ in range(50):
        with stream.active():
            height, width = draw_params(transform, CAT)["size"]
        assert 256 <= min(height, width) <= 480


def test_scale_augmentation_refuses_a_crop_larger_than_l():
    """A crop bigger than the smallest L is reported, not crashed on."""
    spec = AUGMENTATIONS["scale_augmentation"]
    assert spec.problem({"short_side": (128, 200), "size": 224}) is not None
    assert spec.problem(spec.defaults()) is None


def test_random_crop_pads_small_images():
    """A 20×20 image with a 224 crop is padded, not an error."""
    tiny = Image.new("RGB", (20, 20), (200, 10, 10))
    sample = sample_grid(tiny, chain_of("random_crop"), 1, seed=0)[0]
    assert sample.image.size == (224, 224)
    assert "padded" in sample.drawn[0]


def test_clean_rounds_browser_floats():
    """Slider noise like 0.30000000000000004 is rounded to the step."""
    assert AUGMENTATIONS["hflip"].clean({"p": 0.30000000000000004}) == {"p": 0.3}
    assert AUGMENTATIONS["random_resized_crop"].clean(
        {"size": 224.0, "scale": (0.0800001, 1.0), "ratio": (0.75, 1.33)}
    ) == {"size": 224, "scale": (0.08, 1.0), "ratio": (0.75, 1.33)}


def test_ten_crops_are_torchvisions_in_order():
    """Ten crops: corners and centre, then the same of the mirrored image, each of the crop size."""
    crops = ten_crops(CAT, 256, 224)
    assert [label for label, _ in crops][:5] == ["top-left", "top-right", "bottom-left", "bottom-right", "centre"]
    assert all(image.size == (224, 224) for _, image in crops)
    resized = v2.functional.resize(CAT, 256)
    assert np.array_equal(pixels(crops[0][1]), pixels(v2.functional.crop(resized, 0, 0, 224, 224)))
    # The mirrored image's top-left corner is the original's top-right corner, flipped.
    assert np.array_equal(pixels(crops[5][1]), pixels(v2.functional.horizontal_flip(crops[1][1])))


def test_streams_are_independent_of_other_threads():
    """Concurrent streams with the same seed draw the same numbers as a lone stream."""

    def draws(seed: int) -> list[float]:
        stream = RngStream(seed)
        values = []
        for _ in range(200):
            with stream.active():
                values.append(float(torch.rand(())))
        return values

    expected = draws(7)
    results: list[list[float]] = [[] for _ in range(4)]
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, draws(7 if i % 2 == 0 else 8))) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0] == expected and results[2] == expected
    assert results[1] != expected


def test_stream_leaves_the_global_generator_untouched():
    """Using a stream does not advance or reseed torch's global generator."""
    torch.manual_seed(123)
    before = torch.get_rng_state()
    with RngStream(5).active():
        torch.rand(10)
    assert torch.equal(torch.get_rng_state(), before)
