"""core.mixing: CutMix and MixUp are torchvision's own, images and label vectors, with λ and the box."""

from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.transforms import v2

from core.images import load_image
from core.mixing import batch_tensor, captions, label_text, mix_batch, mixing_code

NAMES = ("cat", "coffee", "rocket", "astronaut")
IMAGES = [load_image((Path(__file__).parent.parent / "sample_images" / f"{n}.jpg").read_bytes()).image for n in NAMES]


@pytest.mark.parametrize("kind", ["CutMix", "MixUp"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mixed_images_and_labels_are_torchvisions(kind, seed):
    """Draw-then-apply equals one call of torchvision's transform after torch.manual_seed(seed)."""
    mixed = mix_batch(IMAGES, kind, 1.0, seed, side=64)
    torch.manual_seed(seed)
    images, labels = getattr(v2, kind)(alpha=1.0, num_classes=4)(batch_tensor(IMAGES, 64), torch.arange(4))
    assert torch.equal(mixed.labels, labels)
    expected = [v2.functional.to_pil_image(v2.functional.to_dtype(i, torch.uint8, scale=True)) for i in images]
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(mixed.images, expected))


def test_cutmix_lambda_is_the_share_outside_the_box():
    """CutMix's λ is 1 − box area / image area, and each label row is λ own class + (1 − λ) partner."""
    mixed = mix_batch(IMAGES, "CutMix", 1.0, 3, side=64)
    x1, y1, x2, y2 = mixed.box
    assert mixed.lam == pytest.approx(1 - (x2 - x1) * (y2 - y1) / 64**2)
    for index, partner in enumerate(mixed.partners):
        assert mixed.labels[index, index] == pytest.approx(mixed.lam)
        assert mixed.labels[index, partner] == pytest.approx(1 - mixed.lam)
    assert mix_batch(IMAGES, "MixUp", 1.0, 3, side=64).box is None


def test_label_text_and_captions_read_like_the_issue():
    """A label vector reads "0.62 cat, 0.38 coffee", largest share first; captions name the partner."""
    assert label_text(torch.tensor([0.62, 0.38, 0.0, 0.0]), NAMES) == "0.62 cat, 0.38 coffee"
    assert label_text(torch.tensor([0.3, 0.0, 0.0, 0.7]), NAMES) == "0.70 astronaut, 0.30 cat"
    mixed = mix_batch(IMAGES, "MixUp", 1.0, 0, side=32)
    assert captions(mixed, NAMES)[0].startswith("**cat** with astronaut  \nlabel: ")


def test_mixing_code_reproduces_the_labels():
    """The shown program, run on the batch, returns the same label vectors."""
    namespace = {"batch": batch_tensor(IMAGES, 32)}
    exec(mixing_code("CutMix", 0.5, 4, NAMES, 32), namespace)  # our own generated code, never user text
    assert torch.equal(namespace["mixed_labels"], mix_batch(IMAGES, "CutMix", 0.5, 4, side=32).labels)
