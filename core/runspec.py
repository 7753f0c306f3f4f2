"""What one shipped run is (``RunSpec``) and how tuning runs are named and draw their images: the pieces every part
of the plan (``core.plan``, ``core.ensemble_plan``) builds runs from."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import CNNConfig
from core.trainer import TrainConfig


@dataclass(frozen=True)
class RunSpec:
    name: str
    model: CNNConfig
    train: TrainConfig
    checkpoint: bool = True  # False: keep only the record (runs the app plots but never loads)
    train_images: int | None = None  # only the first N of a fixed shuffle of the 60,000 (None: all)
    validation: int = 0  # hold out the next N images of that shuffle, for early stopping
    data_seed: int = 1234  # the seed of that shuffle (DATA_SEED unless the run draws its own images)
    bootstrap_seed: int | None = None  # bagging: resample the training images with replacement
    full_probs: bool = False  # keep the softmax outputs on all 10,000 test images, of every snapshot (<name>.npz)
    val_probs: bool = False  # keep the softmax outputs on the validation images, of every snapshot (<name>.npz)
    mc_errors: bool = False  # record the MC-dropout test error against T (MC_PASSES) on all 10,000 test images
    detailed: bool = False  # record train/validation/test loss and accuracy, test-time augmentation and ECE
    invariance: bool = False  # also measure the kept weights on the transformed test sets (core.invariance)
    tta: bool = False  # also measure test-time augmentation on the clean, mirrored and shifted test images
    bn_modes: bool = False  # also the test accuracy in eval mode and in train mode (batches; one image at a time)
    mc_validation: bool = False  # also the validation loss with dropout off and of the MC average (round 15's choice)
    threads: int = 2  # torch threads: results depend on it, so each run says how it was made (1: two runs at once)


DATA_SEED = RunSpec.data_seed  # the shuffle the grid runs and the first tuning seed take their images from
TUNE_SEEDS = (100, 101, 102)  # the tuning runs' seeds (core.plan says how doses are chosen on them)


def tuning_name(arm: str, dose: float, seed: int) -> str:
    return f"tune_{arm}_{dose:g}_seed{seed}"


def small_data_seed(seed: int) -> int:
    """A compared run's draw of images: each seed its own, above DATA_SEED."""
    return DATA_SEED + 1 + seed


def tuning_data_seed(seed: int) -> int:
    """A tuning seed's draw of images: the first seed's is DATA_SEED's (as in round 2), the others' below it, apart
    from the compared runs' draws above it (small_data_seed)."""
    return DATA_SEED - (seed - TUNE_SEEDS[0])
