"""A claim's evidence and the one way every claim gets its interval: Student's t over paired per-seed effects, a
paired percentile bootstrap over test images, or none for a deterministic computation (``core.measures`` measures,
``core.claims`` judges)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

POINTS = "accuracy points"
LOSS = "nats of test loss (cross-entropy: lower is better)"


CONFIDENCE = 0.95  # every claim's interval
RESAMPLES = 2000  # bootstrap resamples of the test images


@dataclass(frozen=True)
class Evidence:
    effect: float  # mean effect in the lecture's direction (positive: the claim holds here)
    ci_low: float  # the effect's 95 % interval (both equal the effect for a deterministic computation)
    ci_high: float
    unit: str
    seeds: int  # independent runs behind the effect (1: one network, or a deterministic computation)
    numbers: str  # the measured values behind the effect, in words, e.g. "none 80.1 %, flip + shift 83.4 %"
    interval_of: str  # how the interval was found, in words ("paired t over 5 seeds", …)
    condition: str = ""  # a second part of the claim that must hold too, in words
    condition_met: bool = True

    @property
    def text(self) -> str:
        """The effect as every page writes it: one rounding, everywhere."""
        if self.ci_low == self.ci_high:
            return f"{self.effect:+.3g} {self.unit} ({self.interval_of})"
        return (
            f"{self.effect:+.3g} {self.unit}, 95 % interval {self.ci_low:+.3g} to {self.ci_high:+.3g} "
            f"({self.interval_of})"
        )

    def brief(self, digits: int = 2, suffix: str = "") -> str:
        """The effect and its interval in a few characters, for numbers reported beside a verdict."""
        return f"{self.effect:+.{digits}f}{suffix} ({self.ci_low:+.{digits}f} to {self.ci_high:+.{digits}f})"


def t_interval(effects: Sequence[float]) -> tuple[float, float]:
    """Student's t 95 % interval of the mean of paired per-seed effects."""
    from scipy import stats  # here, not above: pages import this module, only the precomputation measures

    result = stats.ttest_1samp(np.asarray(effects, dtype=float), 0.0).confidence_interval(CONFIDENCE)
    return float(result.low), float(result.high)


def paired(effects: Sequence[float], unit: str, numbers: str, **extra: object) -> Evidence:
    """Evidence from per-seed effects (seed s of one arm against seed s of the other): mean and t interval."""
    effects = np.asarray(effects, dtype=float)
    if len(effects) < 2:
        raise ValueError("a paired interval needs at least 2 seeds")
    low, high = t_interval(effects)
    return Evidence(
        float(effects.mean()), low, high, unit, len(effects), numbers, f"paired t over {len(effects)} seeds", **extra
    )


def paired_ratio(ratios: Sequence[float], unit: str, numbers: str) -> Evidence:
    """Evidence from per-seed ratios of one arm's measure to the other's, as % more: the mean and t interval of their
    logarithms (a ratio's spread is skewed, its logarithm's is not), each taken back as 100 (e^x - 1)."""
    logs = paired(np.log(np.asarray(ratios, dtype=float)), unit, numbers)
    low, mean, high = (100 * float(np.expm1(x)) for x in (logs.ci_low, logs.effect, logs.ci_high))
    return Evidence(mean, low, high, unit, logs.seeds, numbers, f"paired t over {logs.seeds} seeds on log ratios")


def both_paired(first: Sequence[float], second: Sequence[float], unit: str, numbers: str) -> Evidence:
    """Evidence that two paired effects are both positive (an intersection-union test): the smaller of their
    means, from the lower of their t intervals' lows to the lower of their highs. Each interval covers its effect
    with 97.5 % on each side, so the pair's lower end is a 97.5 % bound for the smaller effect; unlike the mean of
    the per-seed minimum, the smaller mean is not pulled down by noise."""
    parts = [paired(effects, unit, numbers) for effects in (first, second)]
    return Evidence(
        min(part.effect for part in parts),
        min(part.ci_low for part in parts),
        min(part.ci_high for part in parts),
        unit,
        parts[0].seeds,
        numbers,
        f"the smaller of two paired t intervals over {parts[0].seeds} seeds: its low end a one-sided 97.5 % bound",
    )


def bootstrapped(
    statistic: Callable[..., float],
    samples: Sequence[np.ndarray],
    unit: str,
    numbers: str,
    networks: int = 1,
    **extra: object,
) -> Evidence:
    """Evidence from one comparison on the same test images: ``statistic(*samples)`` and its paired percentile
    bootstrap interval (the images resampled together for every side; seed 0). ``networks``: how many trained
    networks the statistic pools (it reports them as its seeds)."""
    from scipy import stats  # see t_interval

    result = stats.bootstrap(
        samples,
        statistic,
        paired=True,
        vectorized=False,
        n_resamples=RESAMPLES,
        confidence_level=CONFIDENCE,
        method="percentile",
        rng=np.random.default_rng(0),
    )
    low, high = result.confidence_interval
    interval_of = f"paired bootstrap over {len(samples[0]):,} test images"
    return Evidence(float(statistic(*samples)), float(low), float(high), unit, networks, numbers, interval_of, **extra)


def deterministic(effect: float, unit: str, numbers: str, **extra: object) -> Evidence:
    """Evidence from a computation without randomness: no interval."""
    return Evidence(effect, effect, effect, unit, 1, numbers, "deterministic", **extra)


def significant(value: float) -> float:
    """Four significant digits: a fixed number of decimals would print an effect of -0.0004 nats as -0.0."""
    return float(f"{value:.4g}")


def percent(values: np.ndarray, digits: int = 1) -> str:
    """Mean ± std of accuracies (or errors) over seeds, in percent."""
    return f"{100 * values.mean():.{digits}f} ± {100 * values.std(ddof=1):.{digits}f} %"


def clearly_positive(values: np.ndarray) -> bool:
    """The per-seed values' 95 % interval lies above 0: the rule every claim uses."""
    return t_interval(values)[0] > 0
