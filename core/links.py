"""Shareable links: which settings of a shared URL the page could not take as given.

Widgets bound to query parameters silently drop values they cannot use (and also drop values equal to
their default), so the URL alone cannot tell. Comparing the link's settings with the values the widgets
ended up with can.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

MAX_SHOWN = 40  # characters of a rejected value quoted back to the user


def as_strings(value: object) -> list[str]:
    """A widget value as the strings a URL would carry."""
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (list, tuple)):
        return [text for part in value for text in as_strings(part)]
    return [str(value)]


def _same(raw: str, expected: str) -> bool:
    try:
        return float(raw) == float(expected)
    except ValueError:
        return raw.strip().lower() == expected.strip().lower()


def rejected_settings(
    requested: Mapping[str, Sequence[str]],
    values: Mapping[str, object],
    labels: Mapping[str, Callable[[object], str]] | None = None,
) -> list[str]:
    """``name=value`` for each setting of the link that no widget holds as given (unknown or invalid).

    ``labels``: a widget's format_func by its key; a link carries such a widget's choices by their labels."""
    labels = labels or {}
    rejected = []
    for name, raw in requested.items():
        expected = None
        if name in values:
            value = values[name]
            if name in labels:
                label = labels[name]
                value = [label(part) for part in value] if isinstance(value, (list, tuple)) else label(value)
            expected = as_strings(value)
        if expected is None or len(expected) != len(raw) or not all(map(_same, raw, expected)):
            shown = ",".join(raw)
            shown = shown if len(shown) <= MAX_SHOWN else shown[:MAX_SHOWN] + "…"
            rejected.append(f"{name[:MAX_SHOWN]}={shown}")
    return rejected
