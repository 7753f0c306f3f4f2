"""The small-data regime's arms as the pages name them, and the doses validation chose for them (``core.plan``
trains them): torch-free, so the light modules every page imports (labs, lecture, presets) can name them."""

from __future__ import annotations

# The doses the tuning runs chose (core.tuning's rule; tests/test_tuning.py checks them against the records).
TUNED = {
    **{"adamw": 0.3, "adam_l2": 3e-3, "dropout": 0.1, "sgd": 0.03, "sgd_decay": 0.01, "full_dropout": 0.1},
    **{"slow_dropout": 0.25, "ckpt_single": 0.1, "ckpt_snapshot": 0.1},  # the latter two: the SGD rate
    "bn_stall_lr": 0.1,  # the learning-rate claim's rate: where the plain network stalls (core.tuning.stall_rate)
}
# (rate, dose) chosen together on validation (core.tuning.joint_choice): each Adam rule's for "AdamW beats Adam + L2"
# (round 5); the arms of round 7's claims as they are chosen (core.plan).
JOINT_TUNED = {"adamw": (1e-3, 0.3), "adam_l2": (1e-3, 3e-3), "none": (3e-3, 0.0), "sgd_decay": (0.03, 0.01)}
ROUND7_ADAMW = (1e-2, 1.0)  # AdamW's (rate, λ) over round 7's extended rates, for "Weight decay improves test accuracy"
# Each arm's (rate, dose) over its round 8 grid (core.plan), added as each is chosen.
ROUND8_TUNED: dict[str, tuple[float, float]] = {
    **{"none": (3e-3, 0.0), "flip_shift_erase": (1e-2, 0.0)},
    **{"adamw": (1e-2, 1.0), "adam_l2": (1e-2, 1e-3)},  # over the extended λ (the amendment's)
}
# Each arm's (rate, dose) over its round 9 grid (core.plan): the network without dropout keeps round 8's choice;
# dropout's over the extended grid, at its upper p (the rule allows no second extension).
ROUND9_TUNED: dict[str, tuple[float, float]] = {"none": ROUND8_TUNED["none"], "dropout": (3e-3, 0.7)}
# Each arm's (rate, dose) over its round 12 grid (core.augment_plan), added as each is chosen: the network without
# augmentation keeps round 8's choice, dropout round 9's (rate, p).
ROUND12_TUNED: dict[str, tuple[float, float]] = {
    **{"none": ROUND8_TUNED["none"], "dropout": ROUND9_TUNED["dropout"]},
    "flip_shift": (3e-3, 0.0),  # TTA's arm, inside its grid: final (no other arm of its claim)
    **{"rand_augment": (3e-3, 0.0), "narrow_none": (1e-3, 0.0), "narrow_rand_augment": (3e-3, 0.0)},  # all inside
}
# Each arm's (rate, dose) over its round 13 grid (core.plan), added as each is chosen.
ROUND13_TUNED: dict[str, tuple[float, float]] = {
    "dropout": ROUND9_TUNED["dropout"],  # again, now inside the grid
    "full_dropout": (2e-3, 0.025),  # at the extended grid's lower edge (no further extension); DROPOUT's rate
}
# Round 15's p per arm (core.plan; core.tuning.round15_choices), chosen at 12:34 UTC on 2026-12-06 before any of its
# verdict runs: both arms' mean validation loss is lowest at 0.05, the step the edge rule added (no further extension).
ROUND15_TUNED: dict[str, float] = {"dropout off": 0.05, "MC average": 0.05}
SNAPSHOT_TUNED = {"cycles": 4, "averaged": 2}  # the snapshot run's cycles and how many of its last checkpoints count
AUGMENTATION_LABELS = {  # the training-time augmentations a page compares, as it names them
    "none": "no augmentation",
    "flip_shift": "flip + crop",
    "flip_shift_erase": "flip + crop + erasing",
    "trivial_augment": "TrivialAugment",
    "rand_augment": "RandAugment",
}
SMALL_LABELS = {  # the arms a page offers, as it names them
    **AUGMENTATION_LABELS,
    "dropout": f"dropout {TUNED['dropout']:g}",
    "adamw": f"AdamW λ = {TUNED['adamw']:g}",
}
