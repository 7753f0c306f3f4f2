"""Live side-by-side training of a plain CNN and a BatchNorm CNN, in resumable chunks.

Each chunk starts from the previous chunk's plain-data state, so a cache can keep every chunk and share it
between sessions, and a page can show progress between chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.bn_lab import LayerHistogram, preactivations, shared_histograms
from core.data import Split, to_tensor
from core.plan import LR_MODELS, LR_SWEEP
from core.trainer import Curves, TrainConfig, Trainer, TrainerState

LIVE_MODELS = {"plain": LR_MODELS["none"], "BatchNorm": LR_MODELS["batch"]}  # those of the recorded sweep
LR_CHOICES = LR_SWEEP  # SGD learning rates offered: the recorded sweep's
BATCH_CHOICES = (16, 32, 64, 128)
CHUNK_STEPS = 25  # steps between progress updates
EVAL_IMAGES = 500  # test-subset images for the accuracy curve
PROBE_IMAGES = 128  # test-subset images for the histograms


@dataclass(frozen=True)
class LiveSettings:
    lr: float  # SGD (momentum 0.9) learning rate, the same for both networks
    batch_size: int
    steps: int
    seed: int = 0

    @property
    def chunks(self) -> int:
        return -(-self.steps // CHUNK_STEPS)

    def progress(self, chunk: int) -> tuple[float, str]:
        """Fraction done after ``chunk`` chunks, and the text for a progress bar."""
        return chunk / self.chunks, f"step {min(chunk * CHUNK_STEPS, self.steps)} of {self.steps}"

    def train_config(self) -> TrainConfig:
        return TrainConfig(steps=self.steps, batch_size=self.batch_size, lr=self.lr, seed=self.seed, eval_every=50)


@dataclass(frozen=True)
class LiveChunk:
    states: dict[str, TrainerState]  # per network, after this chunk
    histograms: list[LayerHistogram]  # pre-activations of both networks now, on a shared axis

    @property
    def curves(self) -> dict[str, Curves]:
        return {label: state.curves for label, state in self.states.items()}

    def verdicts(self) -> dict[str, str]:
        """Per network: its final test accuracy, or the step at which it diverged."""
        return {
            label: f"diverged at step {c.step}" if c.diverged else f"{c.final_accuracy:.1%}"
            for label, c in self.curves.items()
        }


def live_chunk(settings: LiveSettings, previous: LiveChunk | None, train: Split, test: Split) -> LiveChunk:
    """Chunk 0 (previous=None) initializes both networks; every later chunk trains each CHUNK_STEPS more."""
    states, values = {}, {}
    eval_split = Split(test.images[:EVAL_IMAGES], test.labels[:EVAL_IMAGES])
    for label, config in LIVE_MODELS.items():
        state = previous.states[label] if previous else None
        trainer = Trainer(config, settings.train_config(), train, eval_split, state)
        if previous is not None:
            for _ in range(CHUNK_STEPS):
                if trainer.done:
                    break
                trainer.step()
        states[label] = trainer.state()
        if not trainer.curves.diverged:  # a diverged network's activations are inf/NaN: nothing to draw
            values[label] = preactivations(config, states[label].model, to_tensor(test.images[:PROBE_IMAGES]))
    return LiveChunk(states, shared_histograms(values) if values else [])
