"""The small CNN family of the labs, defined once, and tools to look inside it.

Normalization sits after each convolution and before the non-linearity, as in the lecture.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

NORMS = ("none", "batch", "group", "layer", "instance")
INITS = ("default", "xavier", "kaiming")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
NUM_CLASSES = 10
LEAKY_SLOPE = 0.1  # the lecture's Leaky ReLU slope (PyTorch's default is 0.01)


@dataclass(frozen=True)
class CNNConfig:
    depth: int = 4  # convolution blocks; a 2x2 max-pool follows every second block
    width: int = 16  # channels of the first block, doubled after each pool
    norm: str = "batch"  # one of NORMS, after each convolution
    groups: int = 4  # GroupNorm groups (norm="group")
    dropout: float = 0.0  # dropout probability before the last linear layer
    init: str = "default"  # one of INITS: PyTorch's default, Xavier (Glorot) or Kaiming (He)
    activation: str = "relu"  # one of ACTIVATIONS
    hidden: int = 128  # units of the classifier's hidden layer

    @classmethod
    def from_dict(cls, values: dict) -> CNNConfig:
        return cls(**values)


def make_norm(kind: str, channels: int, groups: int) -> nn.Module:
    if kind == "none":
        return nn.Identity()
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "group":
        return nn.GroupNorm(groups, channels)
    if kind == "layer":
        # LayerNorm over (C, H, W) of each image, without fixing H and W: GroupNorm with one group (GN paper, Fig. 2).
        return nn.GroupNorm(1, channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    raise ValueError(f"unknown normalization {kind!r}; choose one of {NORMS}")


def make_activation(kind: str) -> nn.Module:
    if kind == "leaky_relu":
        return nn.LeakyReLU(LEAKY_SLOPE)
    activations = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
    if kind not in activations:
        raise ValueError(f"unknown activation {kind!r}; choose one of {ACTIVATIONS}")
    return activations[kind]()


class ConvBlock(nn.Module):
    """conv 3x3 -> normalization -> non-linearity."""

    def __init__(self, in_channels: int, out_channels: int, config: CNNConfig) -> None:
        super().__init__()
        # A bias before a normalization that subtracts the mean is wasted: only keep it without one.
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=config.norm == "none")
        self.norm = make_norm(config.norm, out_channels, config.groups)
        self.act = make_activation(config.activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.conv(x)))


class SmallCNN(nn.Module):
    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        channels, in_channels = config.width, 1
        for index in range(config.depth):
            layers.append(ConvBlock(in_channels, channels, config))
            in_channels = channels
            if index % 2 == 1:
                layers.append(nn.MaxPool2d(2))
                channels *= 2
        layers.append(nn.AdaptiveAvgPool2d(3))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(in_channels * 9, config.hidden)
        self.act = make_activation(config.activation)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden, NUM_CLASSES)
        initialize(self, config.init, config.activation)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Everything before the dropout layer: (B, 1, 28, 28) -> (B, hidden)."""
        return self.act(self.fc(self.features(x).flatten(1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.embed(x)))  # (B, 10) logits


def initialize(model: nn.Module, scheme: str, activation: str) -> None:
    """Re-initialize conv and linear weights (biases to zero), or keep PyTorch's default."""
    if scheme == "default":
        return
    if scheme not in INITS:
        raise ValueError(f"unknown initialization {scheme!r}; choose one of {INITS}")
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            if scheme == "xavier":
                nn.init.xavier_normal_(module.weight)  # as in Glorot & Bengio (2010): no activation gain
            else:
                nn.init.kaiming_normal_(module.weight, nonlinearity=activation)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def _blocks(model: nn.Module) -> list[ConvBlock]:
    return [module for module in model.modules() if isinstance(module, ConvBlock)]


def activation_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The non-linearities in forward order, named by where they sit (``block1`` … ``fc``)."""
    found = {f"block{index}": block.act for index, block in enumerate(_blocks(model), start=1)}
    if isinstance(model, SmallCNN):
        found["fc"] = model.act
    return found


def norm_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The normalization layers of the convolution blocks, named ``block1`` …"""
    return {f"block{index}": block.norm for index, block in enumerate(_blocks(model), start=1)}


@contextmanager
def recorded_io(modules: Mapping[str, nn.Module]) -> Iterator[dict[str, tuple[torch.Tensor, torch.Tensor]]]:
    """Record (input, output) of each named module during the forward passes inside the block.

    Only use it on a model this caller owns: hooks fire for every thread that calls the model. The hooks
    are removed on leaving the block, also after an exception.
    """
    recorded: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}

    def hook_for(name: str):
        def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            recorded[name] = (inputs[0].detach(), output.detach())

        return hook

    handles = [module.register_forward_hook(hook_for(name)) for name, module in modules.items()]
    try:
        yield recorded
    finally:
        for handle in handles:
            handle.remove()
