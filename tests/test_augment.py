"""Augmentations, their draws and the pipeline: our draws and applications are torchvision's, pixel for pixel."""

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import v2

from core.augment import AUGMENTATIONS, GROUPS
from core.auto_augment import augmentation_space, trivial_augment_op, trivial_augment_space
from core.draws import apply_params, describe_draw, draw_params
from core.images import load_image
from core.pipeline import (
    AugmentationError,
    ChainItem,
    chain_from_state,
    param_key,
    pipeline_code,
    sample_grid,
    ten_crops,
)
from core.rng import RngStream

CAT = load_image((Path(__file__).parent.parent / "sample_images" / "cat.jpg").read_bytes()).image
SMALL_CAT = CAT.resize((113, 75))  # for the many slider-extreme runs


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image)


def chain_of(*keys: str, **overrides) -> list[ChainItem]:
    return [ChainItem(AUGMENTATIONS[key], {**AUGMENTATIONS[key].defaults(), **overrides.get(key, {})}) for key in keys]


def torchvision_samples(image: Image.Image, item: ChainItem, count: int, seed: int) -> list[Image.Image]:
    """The reference: torch.manual_seed(seed), then ``count`` calls of torchvision's own v2.Compose."""
    compose = v2.Compose(item.augmentation.build(item.values))
    torch.manual_seed(seed)
    return [compose(image) for _ in range(count)]


def assert_grid_is_torchvisions(image: Image.Image, item: ChainItem, count: int, seeds: range) -> None:
    for seed in seeds:
        grid = sample_grid(image, [item], count, seed)
        expected = torchvision_samples(image, item, count, seed)
        for index, (sample, reference) in enumerate(zip(grid, expected)):
            assert np.array_equal(pixels(sample.image), pixels(reference)), (item.augmentation.key, seed, index)


@pytest.mark.parametrize("key", list(AUGMENTATIONS))
def test_each_augmentation_matches_torchvision_forward(key):
    """Draw-then-apply equals torchvision's own forward under the same seed, 4 samples for 3 seeds."""
    assert_grid_is_torchvisions(CAT, chain_of(key)[0], 4, range(3))


def corner_values(augmentation, end: int) -> dict:
    """Every slider at its low (end 0) or high (end 1) end; range sliders span their whole range."""
    return {
        p.name: (p.low, p.high) if isinstance(p.default, tuple) else (p.low, p.high)[end] for p in augmentation.params
    }


@pytest.mark.parametrize("key", [key for key, spec in AUGMENTATIONS.items() if spec.params])
@pytest.mark.parametrize("end", [0, 1])
def test_slider_extremes_are_either_refused_in_words_or_torchvisions(key, end):
    """At the sliders' ends an augmentation is refused with a message, or still equals torchvision's forward."""
    augmentation = AUGMENTATIONS[key]
    values = augmentation.clean(corner_values(augmentation, end))
    problem = augmentation.problem(values)
    if problem is not None:
        assert len(problem) > 20
        return
    try:
        assert_grid_is_torchvisions(SMALL_CAT, ChainItem(augmentation, values), 2, range(2))
    except AugmentationError as error:  # e.g. a blur kernel wider than this 113×75 image
        assert augmentation.title in str(error) and "113×75" in str(error)
        with pytest.raises((ValueError, RuntimeError)):
            torchvision_samples(SMALL_CAT, ChainItem(augmentation, values), 2, 0)


@pytest.mark.parametrize(
    ("key", "values", "words"),
    [
        ("color_jitter", {"hue": 0.6}, "hue"),
        ("affine", {"scale": (0.0, 1.2)}, "scale"),
        ("augmix", {"severity": 11}, "severity"),
        ("scale_augmentation", {"short_side": (128, 200)}, "crop"),
    ],
)
def test_settings_torchvision_refuses_get_a_message(key, values, words):
    """Hue above 0.5, a zero zoom, an out-of-range severity: a sentence naming the problem, no exception."""
    augmentation = AUGMENTATIONS[key]
    problem = augmentation.problem({**augmentation.defaults(), **values})
    assert problem is not None and words in problem


def test_every_group_is_used_and_every_augmentation_has_one():
    """The picker's groups: geometric, photometric, erasing, automatic policies, none empty."""
    assert {spec.group for spec in AUGMENTATIONS.values()} == set(GROUPS)


def test_issue_list_is_in_the_registry():
    """Every augmentation README lists is a torchvision transform in the registry."""
    used = {step.transform for spec in AUGMENTATIONS.values() for step in spec.steps}
    wanted = {
        v2.ColorJitter, v2.RandomRotation, v2.RandomAffine, v2.RandomPerspective, v2.ElasticTransform,
        v2.GaussianBlur, v2.GaussianNoise, v2.RandomGrayscale, v2.RandomInvert, v2.RandomPosterize,
        v2.RandomSolarize, v2.RandomAdjustSharpness, v2.RandomAutocontrast, v2.RandomEqualize, v2.RandomErasing,
        v2.JPEG, v2.AutoAugment, v2.AugMix, v2.TrivialAugmentWide, v2.RandAugment,
    }  # fmt: skip
    assert wanted <= used
    policies = {spec.build({})[0].policy for spec in AUGMENTATIONS.values() if spec.key.startswith("auto_augment")}
    assert policies == set(v2.AutoAugmentPolicy)


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


@pytest.mark.parametrize(
    "keys",
    [
        ("hflip", "scale_augmentation", "color_jitter", "rand_augment"),
        ("affine", "gaussian_noise", "random_erasing", "auto_augment_svhn", "jpeg"),
        ("perspective", "elastic", "augmix", "posterize", "solarize", "gaussian_blur"),
    ],
)
def test_code_snippet_reproduces_the_grid(keys):
    """Running the shown code gives exactly the grid's pixels, for chains of old and new transforms."""
    chain = chain_of(*keys)
    grid = sample_grid(SMALL_CAT, chain, 3, seed=3)
    namespace = {"image": SMALL_CAT}
    exec(pipeline_code(chain, seed=3, count=3), namespace)  # our own generated code, never user text
    assert all(np.array_equal(pixels(a), pixels(b.image)) for a, b in zip(namespace["samples"], grid))


def test_code_spells_policies_and_conversions_as_typed():
    """The AutoAugment policy reads v2.AutoAugmentPolicy.CIFAR10; tensor-only transforms show their conversions."""
    code = pipeline_code(chain_of("auto_augment_cifar10", "gaussian_noise"), seed=0, count=1)
    assert "v2.AutoAugment(policy=v2.AutoAugmentPolicy.CIFAR10)" in code
    assert "v2.PILToTensor(),\n    v2.GaussianNoise(mean=0.0, sigma=0.1),\n    v2.ToPILImage()" in code


def test_captions_say_what_was_drawn():
    """Each sample lists one line per augmentation, with the drawn values."""
    chain = chain_of("vflip", "scale_augmentation", "trivial_augment")
    sample = sample_grid(CAT, chain, 1, seed=0)[0]
    assert len(sample.drawn) == 3
    assert sample.drawn[0] in ("Vertical flip: flipped", "Vertical flip: not flipped")
    assert sample.drawn[1].startswith("Scale augmentation: short side ")
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


def test_param_keys_are_the_share_links_and_read_back():
    """The widget keys are in users' share links, so their format is pinned; chain_from_state reads them."""
    spec = AUGMENTATIONS["random_erasing"]
    assert param_key(spec, spec.params[0]) == "random_erasing.p"
    assert param_key(spec, spec.params[0], "one.") == "one.random_erasing.p"
    (item,) = chain_from_state({"chain": [spec.title], "random_erasing.p": 1.0, "random_erasing.value": 7})
    assert item.values == {**spec.defaults(), "p": 1.0, "value": 7}


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


def find(stream_seeds, predicate):
    """The first seed whose single TrivialAugmentWide draw satisfies ``predicate``."""
    transform = v2.TrivialAugmentWide()
    for seed in stream_seeds:
        with RngStream(seed).active():
            (op,) = draw_params(transform, CAT)["ops"]
        if predicate(op):
            return seed, op
    raise AssertionError("no such draw")


def test_translate_caption_is_the_integer_shift_torchvision_applies(monkeypatch):
    """TrivialAugmentWide shifts by int(magnitude) px: the caption shows that shift, not the float magnitude."""
    seed, op = find(range(2000), lambda op: op.name == "TranslateX" and op.magnitude != int(op.magnitude))
    applied = []
    affine = v2.functional.affine
    monkeypatch.setattr(v2.functional, "affine", lambda *a, **k: applied.append(k["translate"]) or affine(*a, **k))
    torch.manual_seed(seed)
    v2.TrivialAugmentWide()(CAT)
    ((shift_x, _),) = applied
    caption = sample_grid(CAT, chain_of("trivial_augment"), 1, seed)[0].drawn[0]
    assert caption.endswith(f": {shift_x:+d} px"), (caption, shift_x)


def test_scale_caption_shows_the_short_side_torchvision_produced():
    """RandomShortestSize truncates: where the produced side is L − 1, the caption shows L − 1, as the image has."""
    spec = AUGMENTATIONS["scale_augmentation"]
    resize = spec.build(spec.defaults())[0]
    truncated = 0
    for seed in range(300):
        stream = RngStream(seed)
        drawn_l = resize.min_size[int(torch.randint(len(resize.min_size), (), generator=gen_from(stream)))]
        with stream.active():
            params = draw_params(resize, CAT)
        produced = min(apply_params(resize, CAT, params).size)
        caption = describe_draw(resize, params, CAT)
        assert caption.startswith(f"short side {produced} px"), caption
        truncated += produced == drawn_l - 1
    assert truncated > 0  # the case the caption must get right does occur


def gen_from(stream: RngStream) -> torch.Generator:
    generator = torch.Generator()
    generator.set_state(stream.state)
    return generator


def recorded_ops(monkeypatch, transform_class) -> list:
    """Patch torchvision's op dispatcher of ``transform_class`` to record (operation, magnitude) it applies."""
    applied = []
    original = transform_class._apply_image_or_video_transform

    def record(self, image, name, magnitude, **kwargs):
        applied.append((name, magnitude))
        return original(self, image, name, magnitude, **kwargs)

    monkeypatch.setattr(transform_class, "_apply_image_or_video_transform", record)
    return applied


@pytest.mark.parametrize("key", ["augmix", "auto_augment_imagenet", "auto_augment_cifar10", "auto_augment_svhn"])
def test_policy_captions_list_the_ops_torchvision_applies(monkeypatch, key):
    """The described operations and magnitudes are those torchvision's forward applies, and the draws use
    exactly as many random numbers as forward (the generator ends in the same state)."""
    transform = AUGMENTATIONS[key].build({**AUGMENTATIONS[key].defaults()})[0]
    applied = recorded_ops(monkeypatch, type(transform))
    for seed in range(6):
        applied.clear()
        torch.manual_seed(seed)
        transform(SMALL_CAT)
        after_forward = torch.get_rng_state()
        torch.manual_seed(seed)
        params = draw_params(transform, SMALL_CAT)
        assert torch.equal(torch.get_rng_state(), after_forward)
        ops = [op for chain in params["chains"] for op in chain] if "chains" in params else params["ops"]
        assert [(op.name, op.magnitude) for op in ops] == applied
        assert all(op.describe() in describe_draw(transform, params, SMALL_CAT) for op in ops)


def test_gaussian_noise_caption_is_the_noise_added():
    """The caption's noise range is the range of (output − input) on a mid-grey image (nothing clipped)."""
    grey = Image.new("RGB", (64, 48), (128, 128, 128))
    sample = sample_grid(grey, chain_of("gaussian_noise", gaussian_noise={"sigma": 0.05}), 1, seed=4)[0]
    added = (pixels(sample.image).astype(int) - 128) / 255
    low, high = (float(value) for value in sample.drawn[0].split("drawn from ")[1].split(" to "))
    assert added.min() == pytest.approx(low, abs=2 / 255) and added.max() == pytest.approx(high, abs=2 / 255)


def test_perspective_caption_recovers_the_drawn_corners():
    """From torchvision's coefficients the caption recovers how far each corner was moved."""
    from torchvision.transforms.v2._geometry import _get_perspective_coeffs

    from core.draws import _perspective_corners

    start = [[0, 0], [99, 0], [99, 49], [0, 49]]
    end = [[10, 3], [90, 0], [95, 40], [2, 45]]
    moved = _perspective_corners(_get_perspective_coeffs(start, end), 50, 100)
    assert np.allclose(moved, np.subtract(end, start), atol=1e-6)


def test_rotation_caption_is_the_angle_torchvision_applies():
    """RandomRotation's caption angle, given to torchvision's rotate kernel, makes forward's exact output."""
    transform = AUGMENTATIONS["rotation"].build(AUGMENTATIONS["rotation"].defaults())[0]
    torch.manual_seed(9)
    expected = transform(CAT)
    with RngStream(9).active():
        params = draw_params(transform, CAT)
    assert np.array_equal(pixels(v2.functional.rotate(CAT, params["angle"])), pixels(expected))
    assert describe_draw(transform, params, CAT) == f"rotated {params['angle']:+.1f}°"
