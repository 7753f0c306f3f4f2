"""The small-data regime every small-data claim trains in (500 training images, Adam, a cosine schedule) and how
its tuning and compared runs are built: shared by ``core.plan`` and the rounds registered in modules of their own
(``core.augment_plan``)."""

from __future__ import annotations

from dataclasses import replace

from core.models import CNNConfig
from core.runspec import RunSpec, small_data_seed, tuning_data_seed
from core.trainer import TrainConfig

# The small-data regime: 500 training images, 300 epochs (1,500 steps), enough for every arm's training loss to
# flatten, augmented or not (README lists each arm's last change). Evaluated every 20 epochs on the clean training
# images, 500 held-out validation images and the shipped test subset.
# The checkpoint rule, fixed in round 2 (committed with its records): every arm is measured at the end of its cosine
# schedule, on the 10,000 test images. Early stopping, the one claim about another checkpoint, keeps the weights of
# the lowest validation loss, evaluated every epoch (SMALL_EPOCH steps), and compares them with the end of the run.
SMALL_IMAGES, SMALL_VALIDATION = 500, 500
SMALL = TrainConfig(steps=1500, batch_size=100, optimizer="adam", lr=1e-3, cosine=True, eval_every=100)
SMALL_EPOCH = SMALL_IMAGES // SMALL.batch_size
SMALL_NARROW = CNNConfig(width=8)  # a second architecture, for "compare networks under the same augmentation"
EARLY_STOPPING_ARM = "constant_rate"
COMPARISON_AUGMENT = "rand_augment"  # strong enough to move both widths (flip + crop gained nothing in round 1)


# Other regimes, for how far augmentation gets elsewhere (1 seed each, records only): training-set size, width and
# BatchNorm, each without augmentation and with core.plan.RECIPE, trained as the regime is on DATA_SEED's draw and
# read at the end of the schedule (the curves' last evaluation). Its seed is not one of core.plan.SEEDS.
GRID_SEED = 100
GRID: tuple[tuple[int, CNNConfig], ...] = (
    (250, CNNConfig()),
    (1000, CNNConfig()),
    (2000, CNNConfig()),
    (500, CNNConfig(norm="none")),
)


def grid_name(images: int, model: CNNConfig, augment: str) -> str:
    return f"grid_{images}_w{model.width}_{model.norm}_{augment}"


def round_arm(arm: str, number: int) -> str:
    """The small-data arm at the rate (and dose) validation chose over its grid of round ``number``
    (ROUND8_TUNED, ROUND9_TUNED, ROUND12_TUNED)."""
    return f"{arm}_round{number}"


def tuning_run(
    name: str,
    model: CNNConfig,
    train: TrainConfig,
    seed: int,
    images: int = SMALL_IMAGES,
    validation: int = SMALL_VALIDATION,
) -> RunSpec:
    """A tuning run: measured at the end of its schedule, on its tuning seed's own draw of images."""
    seeded = replace(train, seed=seed)
    common = dict(checkpoint=False, train_images=images, validation=validation, detailed=True, threads=1)
    return RunSpec(name, model, seeded, **common, data_seed=tuning_data_seed(seed))


def fresh_small_run(arm: str, model: CNNConfig, train: TrainConfig, seed: int, **recorded: bool) -> RunSpec:
    """A small-data arm at a seed registered for a verdict, on that seed's own draw of images; validated every epoch
    only where early stopping reads it."""
    config = replace(train, seed=seed, validate_every=train.validate_every if arm == EARLY_STOPPING_ARM else 0)
    common = dict(train_images=SMALL_IMAGES, validation=SMALL_VALIDATION, detailed=True, threads=1)
    return RunSpec(
        f"small_{arm}_seed{seed}",
        model,
        config,
        arm == "dropout",
        **common,
        **recorded,
        data_seed=small_data_seed(seed),
    )
