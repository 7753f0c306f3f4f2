"""core.bn_lab and core.init_demo: the BatchNorm Lab's numbers, checked against torch and numpy."""

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from core.bn_lab import (
    NORM_RUNS,
    batch_dependence,
    bn_formula,
    first_norm_inputs,
    images_to_fashion_input,
    mode_accuracies,
    norm_inputs,
    preactivations,
    running_statistics,
    shared_histograms,
)
from core.data import load_subset, to_tensor
from core.init_demo import SCHEMES, activations_through_depth, dead_fraction, depth_heatmap, saturated_fraction
from core.models import CNNConfig
from core.runs import load_run, private_model

BATCH = to_tensor(load_subset()["test"].images[:128])


@pytest.fixture(scope="module")
def bn_run():
    return load_run("batchnorm")


def test_histogram_statistics_equal_batchnorm2d(bn_run):
    """The block-1 pre-activation mean/std equal conv1 followed by a train-mode nn.BatchNorm2d and affine."""
    values = preactivations(bn_run.config, bn_run.final, BATCH)
    histogram = shared_histograms({"BN": values})[0]
    reference_model = private_model(bn_run.config, bn_run.final, train=True)
    conv, norm = reference_model.features[0].conv, reference_model.features[0].norm
    layer = nn.BatchNorm2d(conv.out_channels).train()
    layer.load_state_dict(norm.state_dict())
    with torch.no_grad():
        expected = layer(conv(BATCH))
    assert histogram.layer == "block1"
    assert histogram.mean["BN"] == pytest.approx(float(expected.mean()), abs=1e-5)
    assert histogram.std["BN"] == pytest.approx(float(expected.std(unbiased=False)), rel=1e-4)


def test_shared_histograms_use_one_axis_and_sum_to_one():
    """Both models share the edges of a layer; every value is counted once (outliers in the end bins)."""
    rng = np.random.default_rng(0)
    values = {"wide": {"l": rng.normal(0, 5, 5000)}, "narrow": {"l": rng.normal(0, 0.1, 5000)}}
    (histogram,) = shared_histograms(values, bins=40)
    assert len(histogram.edges) == 41
    for label in values:
        assert histogram.fractions[label].sum() == pytest.approx(1.0)
    assert histogram.std["narrow"] == pytest.approx(0.1, rel=0.05)
    assert histogram.fractions["narrow"].max() > 0.5  # the narrow one is a spike on the shared axis


def test_shared_histograms_survive_a_diverged_network():
    """inf and NaN values are left out of the bins instead of breaking them."""
    values = {"ok": {"l": np.array([0.0, 1.0, 2.0])}, "diverged": {"l": np.array([np.nan, np.inf, -np.inf])}}
    (histogram,) = shared_histograms(values)
    assert np.isfinite(histogram.edges).all()
    assert histogram.fractions["diverged"].sum() == 0


def test_running_statistics_follow_the_exponential_average():
    """After k steps: running = beta·running + (1 − beta)·batch value, from 0 (mean) and 1 (var)."""
    features = torch.randn(300, 3, 4, 4) * 2 + 5
    trace = running_statistics(features, channel=1, beta=0.8, batch_size=16, steps=25, seed=3)
    mean, var = 0.0, 1.0
    for batch_mean, batch_var, running_mean, running_var in zip(
        trace.batch_mean, trace.batch_var, trace.running_mean, trace.running_var
    ):
        mean, var = 0.8 * mean + 0.2 * batch_mean, 0.8 * var + 0.2 * batch_var
        assert running_mean == pytest.approx(mean, rel=1e-5) and running_var == pytest.approx(var, rel=1e-5)
    assert trace.running_mean[-1] == pytest.approx(trace.population_mean, abs=0.3)
    assert trace.population_mean == pytest.approx(float(features[:, 1].mean()))


def test_first_norm_inputs_are_what_block1s_batchnorm_receives(bn_run):
    """Running only the first convolution gives exactly the channel the whole network feeds block 1's BN."""
    images = load_subset()["train"].tensors(64)[0]
    (features, _), _ = norm_inputs(bn_run.config, bn_run.final, images, "block1")
    for channel in (0, 9, 15):
        fast = first_norm_inputs(bn_run.config, bn_run.final, images, channel)
        assert fast.shape == (64, 1, 28, 28) and torch.equal(fast, features[:, channel : channel + 1])


def test_bn_formula_by_hand_matches_the_layer(bn_run):
    """mu_B, sigma_B^2, x-hat, gamma, beta computed by hand reproduce nn.BatchNorm2d's output."""
    numbers = bn_formula(bn_run.config, bn_run.final, BATCH, "block2", channel=5)
    (x, _), layer = norm_inputs(bn_run.config, bn_run.final, BATCH, "block2")
    assert numbers.mu == pytest.approx(float(x[:, 5].mean()), rel=1e-5)
    assert numbers.var == pytest.approx(float(x[:, 5].var(unbiased=False)), rel=1e-5)
    assert numbers.gamma == pytest.approx(float(layer.weight[5]))
    assert numbers.max_difference < 1e-4
    assert np.allclose(numbers.y, numbers.y_layer, atol=1e-4)


def test_mode_accuracies_leave_the_shared_weights_untouched(bn_run):
    """Train-mode evaluation runs on private copies: the loaded run is bit-identical afterwards."""
    before = {name: tensor.clone() for name, tensor in bn_run.final.items()}
    test = load_subset()["test"]
    accuracies = mode_accuracies(
        bn_run.config, bn_run.final, to_tensor(test.images[:100]), torch.from_numpy(test.labels[:100])
    )
    assert all(torch.equal(before[name], bn_run.final[name]) for name in before)
    assert accuracies["eval mode (running statistics)"] > 0.8
    assert accuracies["train mode, one image at a time"] < accuracies["eval mode (running statistics)"]


def test_private_model_draws_no_random_numbers(bn_run):
    """Building a private copy leaves torch's global generator exactly where it was."""
    torch.manual_seed(0)
    before = torch.get_rng_state()
    private_model(CNNConfig(), bn_run.final, train=True)
    assert torch.equal(before, torch.get_rng_state())


def test_private_model_shares_weights_and_owns_its_buffers(bn_run):
    """No per-request weight copies: parameters alias the shared tensors, BN buffers are the caller's own."""
    before = {name: tensor.clone() for name, tensor in bn_run.final.items()}
    model = private_model(bn_run.config, bn_run.final, train=True)
    with torch.inference_mode():
        model(torch.randn(8, 1, 28, 28))
    for name, parameter in model.named_parameters():
        assert parameter.data_ptr() == bn_run.final[name].data_ptr(), name
    for name, buffer in model.named_buffers():
        assert buffer.data_ptr() != bn_run.final[name].data_ptr(), name
    assert all(torch.equal(before[name], bn_run.final[name]) for name in before)


def test_photos_become_fashion_inputs():
    """Any photo becomes a (N, 1, 28, 28) normalized tensor; invert flips light and dark."""
    white = Image.new("RGB", (100, 60), (255, 255, 255))
    plain, inverted = images_to_fashion_input([white], False), images_to_fashion_input([white], True)
    assert plain.shape == (1, 1, 28, 28)
    assert float(plain.max()) > 2 and float(inverted.max()) < -0.5


def test_initialization_recap_shows_collapse_saturation_and_dead_units():
    """Small init collapses tanh activations, Xavier keeps them, Kaiming keeps ReLU's scale through 10 layers."""
    inputs = BATCH.flatten(1)
    small = activations_through_depth(inputs, "tanh", SCHEMES[0])
    xavier = activations_through_depth(inputs, "tanh", "Xavier")
    assert small[-1].std < 1e-6 < xavier[-1].std and xavier[-1].std > 0.1
    kaiming = activations_through_depth(inputs, "relu", "Kaiming")
    assert 0.2 < kaiming[-1].std / kaiming[0].std < 5
    assert len(kaiming) == 10 and [layer.layer for layer in kaiming] == list(range(1, 11))
    glorot = activations_through_depth(inputs, "relu", "Xavier")  # no ReLU gain: the variance halves per layer
    assert glorot[-1].std / glorot[0].std == pytest.approx(0.5 ** (9 / 2), rel=0.5)
    large = activations_through_depth(inputs, "tanh", "too large (std 1)")
    assert large[-1].saturated > 0.5 > xavier[-1].saturated


def test_the_depth_heatmap_leaves_relu_zeros_out():
    """Each column holds the fraction of its layer's values in each bin: all of them for tanh, the non-zero ones for
    ReLU (its zeros, about half, would swamp the colours)."""
    inputs = BATCH.flatten(1)
    tanh = activations_through_depth(inputs, "tanh", "Xavier")
    relu = activations_through_depth(inputs, "relu", "Kaiming")
    assert np.allclose(np.asarray(depth_heatmap(tanh, "tanh").data[0].z).sum(0), 1)
    nonzero = [np.mean(layer.values != 0) for layer in relu]
    assert np.allclose(np.asarray(depth_heatmap(relu, "relu").data[0].z).sum(0), nonzero, atol=0.01)
    assert 0.3 < np.mean(nonzero) < 0.7


def test_dead_relus_do_not_depend_on_the_initialization_scale():
    """With zero biases a ReLU net is positively homogeneous: every scheme kills the same units."""
    inputs = BATCH.flatten(1)
    dead = {scheme: [layer.dead for layer in activations_through_depth(inputs, "relu", scheme)] for scheme in SCHEMES}
    assert len({tuple(values) for values in dead.values()}) == 1


def test_dead_and_saturated_fractions_on_hand_made_values():
    """A unit is dead when zero for every input; tails beyond 0.98 count as saturated."""
    relu_out = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 0.0]])
    assert dead_fraction(relu_out) == 0.5  # units 0 and 3
    assert saturated_fraction(np.array([-0.99, 0.5, 0.0, 0.985]), "tanh") == 0.5
    assert saturated_fraction(np.array([0.001, 0.5, 0.999, 0.3]), "sigmoid") == 0.5
    assert saturated_fraction(relu_out, "relu") == 0.0


def test_only_batchnorm_depends_on_the_batch_size():
    """Per-image norms give identical accuracy at every batch size; BN at batch 1 loses accuracy."""
    runs = {label: load_run(name) for label, name in NORM_RUNS.items()}
    test = load_subset()["test"]
    accuracies = batch_dependence(runs, to_tensor(test.images[:128]), torch.from_numpy(test.labels[:128]), (1, 4, 128))
    for label in ("GroupNorm", "LayerNorm", "InstanceNorm"):
        assert len(set(accuracies[label])) == 1, (label, accuracies[label])
    assert accuracies["BatchNorm"][0] < accuracies["BatchNorm"][-1] - 0.05


def test_latex_numbers_write_powers_of_ten():
    """ε = 1e-05 is typeset 10^{-5}, not "1e − 05"; plain numbers stay as they are."""
    from core.bn_lab import latex_number

    assert latex_number(1e-5) == "10^{-5}"
    assert latex_number(0.0000025) == r"2.5 \times 10^{-6}"
    assert latex_number(0.1) == "0.1"
