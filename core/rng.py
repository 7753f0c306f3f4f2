"""Seeded random streams over torch's global generator, safe to use from many threads.

torchvision's samplers (``make_params`` and the auto-augment draws) and ``nn.Dropout`` draw from torch's
*global* generator. Streamlit serves every session from its own thread, so two sessions seeding that one
generator at once would steal each other's numbers. An :class:`RngStream` owns its own generator state and
only swaps it into the global generator while holding a process-wide lock, so the same seed always gives
the same draws, whatever other sessions do meanwhile.

The guarantee holds as long as every draw from torch's global generator in the app goes through a stream,
which is why the augmentation draws, weight initialization and dropout in training all use one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_GLOBAL_GENERATOR_LOCK = threading.RLock()


class RngStream:
    """A reproducible sequence of draws from torch's global generator, seeded explicitly."""

    def __init__(self, seed: int) -> None:
        self._state = torch.Generator().manual_seed(seed).get_state()

    @property
    def state(self) -> torch.Tensor:
        """The generator state, to continue this stream later (e.g. after a cache round trip)."""
        return self._state.clone()

    @state.setter
    def state(self, value: torch.Tensor) -> None:
        self._state = value.clone()

    @contextmanager
    def active(self) -> Iterator[None]:
        """Inside the block, torch's global generator continues this stream; outside, it is untouched."""
        with _GLOBAL_GENERATOR_LOCK, torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._state)
            yield
            self._state = torch.get_rng_state()
