"""What the claim tests share: the shipped records of the small-data arms, and a claim's effect and interval checked
against a hand computation."""

import json

import numpy as np
import pytest
from scipy import stats

from core import claims, plan, tuning
from core.all_runs import shipped_runs
from core.plan import SEEDS
from core.runs import RUNS_DIR


def record(name: str) -> dict:
    return json.loads((RUNS_DIR / f"{name}.json").read_text())


def final(name: str, key: str = "test_accuracy", seeds: tuple[int, ...] = SEEDS) -> np.ndarray:
    """A figure at the end of the schedule of each seed of ``small_<name>`` (10,000 test images), from the JSON
    files."""
    return np.array([record(f"small_{name}_seed{s}")["kept"][key] for s in seeds])


def assert_paired(name: str, effects, tolerance: float = 1e-9) -> None:
    """The claim's effect is the mean of these per-seed effects, its interval Student's t by hand. ``tolerance``:
    wider for effects recomputed from the weights, whose float32 sums differ across CPUs in the last bits."""
    effects = np.asarray(effects, dtype=float)
    half = stats.t.ppf(0.975, len(effects) - 1) * effects.std(ddof=1) / np.sqrt(len(effects))
    found = claims.evidence(name)
    assert found.effect == pytest.approx(effects.mean(), abs=tolerance)
    interval = (effects.mean() - half, effects.mean() + half)
    assert (found.ci_low, found.ci_high) == pytest.approx(interval, abs=tolerance)
    assert found.seeds == len(effects) and f"paired t over {len(effects)} seeds" in found.text


def round_choice(arm: str, grids: dict = plan.ROUND8_GRIDS) -> tuple[float, float]:
    """The (rate, dose) validation chose for ``arm`` over its grid in ``grids`` (a round's)."""
    rates, doses = grids[arm]
    return tuning.joint_choice(arm, rates=rates, doses=doses)


def planned(name: str, seeds: tuple[int, ...]) -> np.ndarray:
    """Test accuracy at the end of the schedule of a registered arm (its run name), per seed, after checking each run
    is the planned one: its rate, λ, optimizer, augmentation, dropout and width, its seed, that seed's own draw of
    images, a committed plan."""
    specs = {spec.name: spec for spec in shipped_runs()}
    for seed in seeds:
        found, spec = record(f"small_{name}_seed{seed}"), specs[f"small_{name}_seed{seed}"]
        keys = ("lr", "weight_decay", "optimizer", "augment")
        assert [found["train"][key] for key in keys] == [getattr(spec.train, key) for key in keys]
        assert found["train"]["seed"] == seed and found["model"]["dropout"] == spec.model.dropout
        assert found["model"]["width"] == spec.model.width
        assert found["data_seed"] == plan.small_data_seed(seed) and found["plan_committed"]
    return final(name, seeds=seeds)
