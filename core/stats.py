"""Statistics over seeds, as the recorded experiments' tables and error bars show them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the sample standard deviation (0 for a single value)."""
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std(ddof=1)) if len(array) > 1 else 0.0


def mean_std_text(values: Sequence[float], scale: float = 100.0, digits: int = 1) -> str:
    """Mean ± sample std over seeds as a table writes it, scaled (100: accuracies as percent)."""
    mean, std = mean_std(scale * np.asarray(values, dtype=float))
    return f"{mean:.{digits}f} ± {std:.{digits}f}"
