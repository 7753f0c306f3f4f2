"""core.softmax: the step-by-step softmax equals torch's, on the shipped network and a real test item."""

import numpy as np
import torch
from torch.nn import functional as F

from core.data import CLASSES, load_subset, to_tensor
from core.runs import load_run, private_model
from core.softmax import softmax_figure, softmax_steps


def test_the_steps_give_torchs_softmax_and_the_sentence_names_the_true_class():
    """exp(z − max z) / Σ equals F.softmax(z); the sentence's sigmoid is torch.sigmoid of the true score."""
    run, test = load_run("batchnorm"), load_subset()["test"]
    model = private_model(run.config, run.final, train=False)
    image, label = to_tensor(test.images[:1])[0], int(test.labels[0])
    steps = softmax_steps(model, image, label)
    with torch.no_grad():
        scores = model(image.unsqueeze(0))[0].double()
    assert np.allclose(steps.scores, scores.numpy())
    assert np.allclose(steps.probabilities, F.softmax(scores, dim=0).numpy())
    assert abs(steps.probabilities.sum() - 1) < 1e-12
    assert steps.exponentials.max() == 1.0  # the largest score's exp after the shift
    text = steps.sentence(list(CLASSES))
    assert CLASSES[label] in text and f"{float(torch.sigmoid(scores[label])):.1%}" in text
    assert len(softmax_figure(steps, list(CLASSES)).data) == 3
