"""The Regularization Lab's *Small data* tab: augmentation and regularizers trained on scarce data, recorded
over seeds (curves, the summary, the grid, the same augmentation on two widths); and, from the same records, the
MC Dropout Lab's table of test-time augmentation on transformed test sets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.plan import COMPARISON_AUGMENT
from core.stats import mean_std_text


def across_seeds(
    records: Sequence[dict], key: str, steps_per_epoch: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epochs, and the mean and sample std over seeds of a curve recorded at the same evaluations: (points,) each."""
    values = np.array([record[key] for record in records], dtype=float)  # (seeds, points)
    epochs = np.array(records[0]["eval_steps"]) / steps_per_epoch
    return epochs, values.mean(axis=0), values.std(axis=0, ddof=1)


SAME_NETWORKS = (("width 16 (the main CNN)", ""), ("width 8", "narrow_"))  # (name, its arms' prefix)


def same_augmentation_rows(records: Mapping[str, Sequence[dict]], labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Test accuracy (mean ± std) of the two widths, each without and with COMPARISON_AUGMENT: small-data arms by
    name."""
    return [
        {
            "network": network,
            **{
                labels[arm]: arm_summary("", records[f"{prefix}{arm}"])["test accuracy %"]
                for arm in ("none", COMPARISON_AUGMENT)
            },
        }
        for network, prefix in SAME_NETWORKS
    ]


def same_augmentation_names(labels: Mapping[str, str]) -> dict[str, str]:
    """The four arms of the same-augmentation comparison as a table names them: label -> arm."""
    return {
        f"{network.split(' (')[0]}, {labels[arm]}": f"{prefix}{arm}"
        for network, prefix in SAME_NETWORKS
        for arm in ("none", COMPARISON_AUGMENT)
    }


def train_validation_series(
    records: Mapping[str, Sequence[dict]], steps_per_epoch: int
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], list[str]]:
    """Per training choice (label -> one record per seed): validation and (dashed) training accuracy curves."""
    series, dashed = {}, []
    for label, found in records.items():
        series[f"{label}: validation"] = across_seeds(found, "val_accuracy", steps_per_epoch)
        series[f"{label}: training"] = across_seeds(found, "train_accuracy", steps_per_epoch)
        dashed.append(f"{label}: training")
    return series, dashed


def loss_change(train_loss: Sequence[float], share: float = 0.1) -> float:
    """How much the training loss still fell over a run's last ``share`` of steps: the relative drop of its mean
    from the window before to the last window (0: flat)."""
    window = max(1, int(len(train_loss) * share))
    before, last = np.mean(train_loss[-2 * window : -window]), np.mean(train_loss[-window:])
    return float((before - last) / before)


def arm_summary(label: str, records: Sequence[dict]) -> dict[str, object]:
    """One table row for one training choice, at the end of its schedule (10,000 test images)."""
    train = [r["kept"]["train_accuracy"] for r in records]
    test = [r["kept"]["test_accuracy"] for r in records]
    return {
        "training": label,
        "train accuracy %": mean_std_text(train),
        "test accuracy %": mean_std_text(test),
        "gap (points)": mean_std_text(np.subtract(train, test)),
        "test loss (nats)": mean_std_text([r["kept"]["test_loss"] for r in records], scale=1.0, digits=3),
        "training loss drop, last 10 % of steps": f"{mean_std_text([loss_change(r['train_loss']) for r in records])} %",
    }


def grid_rows(pairs: Sequence[tuple[dict, dict]]) -> list[dict[str, object]]:
    """One row per grid point: the run without augmentation and the one with the recipe, at the end of the
    schedule (the last evaluation of the curves, on the 2,000 shipped test images)."""
    rows = []
    for none, augmented in pairs:
        test = (none["test_accuracy"][-1], augmented["test_accuracy"][-1])
        rows.append(
            {
                "training images": none["train_images"],
                "width": none["model"]["width"],
                "BatchNorm": "yes" if none["model"]["norm"] == "batch" else "no",
                "test %, no augmentation": f"{100 * test[0]:.1f}",
                "test %, augmented": f"{100 * test[1]:.1f}",
                "gain (points)": f"{100 * (test[1] - test[0]):+.1f}",
                "train %, augmented": f"{100 * augmented['train_accuracy'][-1]:.1f}",
            }
        )
    return rows


# Test sets of the TTA table: page name -> key of a record's tta_transformed (None: the clean images, "tta"); the
# keys are "<family> <strength>" of core.plan.TTA_TEST_SETS (a test checks they agree).
TTA_TABLE_SETS = {"clean": None, "mirrored": "mirror 1", "shifted 2 px": "shift 2"}


def tta_test_set_rows(records: Mapping[str, Sequence[dict]]) -> list[dict[str, object]]:
    """Per test set (clean, mirrored, shifted): one network's view vs the average of all views, for each group of
    networks (``records``: label -> one record per seed), accuracy mean ± std over seeds in percent."""
    rows = []
    for test_set, key in TTA_TABLE_SETS.items():
        for view in ("original only", "average of all 6 views"):
            row: dict[str, object] = {"test images": test_set, "prediction": view}
            for label, found in records.items():
                reports = [r["tta"] if key is None else r["tta_transformed"][key] for r in found]
                row[label] = f"{mean_std_text([report[view] for report in reports])} %"
            rows.append(row)
    return rows
