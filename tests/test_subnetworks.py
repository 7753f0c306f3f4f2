"""core.subnetworks: two fixed dropout masks of a trained network, checked by hand and against nn.Dropout's scale."""

import numpy as np
import torch

from core.data import load_subset, to_tensor
from core.mc_dropout import embeddings
from core.runs import load_run, private_model
from core.subnetworks import agreement_figure, subnetworks


def test_two_masks_are_two_subnetworks_and_the_numbers_add_up():
    """Each mask is fixed over all items (kept units scaled by 1/(1 − p)); the seed repeats them; the agreement,
    the average of the two and dropout off are computed from the same answers."""
    run, test = load_run("dropout_p0.5"), load_subset()["test"]
    model = private_model(run.config, run.final, train=False)
    features = embeddings(model, to_tensor(test.images[:400]))
    labels = test.labels[:400]
    found = subnetworks(model, features, labels, seed=3)
    again = subnetworks(model, features, labels, seed=3)
    assert np.array_equal(found.first, again.first) and found.agree == again.agree
    generator = torch.Generator().manual_seed(3)
    masks = (torch.rand(2, features.shape[1], generator=generator) < 0.5).float()
    with torch.no_grad():
        by_hand = [model.head(features * mask * 2).argmax(1).numpy() for mask in masks]
        whole = model.head(features).argmax(1).numpy()
    assert np.array_equal(found.first, by_hand[0] == labels) and np.array_equal(found.second, by_hand[1] == labels)
    assert found.agree == np.mean(by_hand[0] == by_hand[1]) and found.whole == np.mean(whole == labels)
    assert 0.4 < found.kept < 0.6 and found.first.mean() < found.whole
    assert sum(agreement_figure(found).data[0].y) == 400
