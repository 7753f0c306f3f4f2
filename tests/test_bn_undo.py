"""core.bn_undo: the shipped network's γ, β against its batch statistics, checked against nn.BatchNorm2d itself."""

import numpy as np
import pytest
import torch
from torch import nn

from core import bn_lab, bn_undo
from core.data import load_subset
from core.runs import load_run


def test_undo_numbers_are_the_layers_parameters_and_the_batch_statistics():
    """γ and β are the state dict's; σ_B and μ_B are the biased statistics of what enters the layer."""
    run = load_run("batchnorm")
    images = load_subset()["test"].tensors(bn_lab.FASHION_BATCH)[0]
    found = bn_undo.undo_numbers(run.config, run.final, images, "block2")
    (x, _), norm = bn_lab.norm_inputs(run.config, run.final, images, "block2")
    names = [k.removesuffix(".weight") for k in run.final if k.endswith("norm.weight")]
    name = names[1]  # block2 is the second normalization of the network
    assert np.allclose(found.gamma, run.final[f"{name}.weight"].numpy())
    assert np.allclose(found.beta, run.final[f"{name}.bias"].numpy())
    assert torch.equal(norm.weight.detach(), run.final[f"{name}.weight"])
    x = x.double().numpy()
    assert np.allclose(found.mu, x.mean(axis=(0, 2, 3)))
    assert np.allclose(found.sigma, np.sqrt(x.var(axis=(0, 2, 3)) + norm.eps))
    assert f"of {len(found.gamma)} channels" in found.sentence("block2")


def test_gamma_sigma_and_beta_mu_give_the_input_back():
    """nn.BatchNorm2d in train mode with γ = σ_B and β = μ_B returns its input: every channel counts as undoing."""
    x = torch.randn(64, 3, 5, 5, dtype=torch.float64) * torch.tensor([0.5, 2.0, 3.0]).view(1, 3, 1, 1) + 1.0
    layer = nn.BatchNorm2d(3).double().train()
    sigma = torch.sqrt(x.var(dim=(0, 2, 3), unbiased=False) + layer.eps)
    with torch.no_grad():
        layer.weight.copy_(sigma)
        layer.bias.copy_(x.mean(dim=(0, 2, 3)))
        assert torch.allclose(layer(x), x)
    found = bn_undo.Undo(layer.weight.detach().numpy(), layer.bias.detach().numpy(), sigma.numpy(),
                         x.mean(dim=(0, 2, 3)).numpy())  # fmt: skip
    assert found.near == 3
    moved = bn_undo.Undo(found.gamma * 2, found.beta, found.sigma, found.mu)
    assert moved.near == 0 and bn_undo.undo_figure(moved).data[1].y == pytest.approx(list(found.gamma * 2))
