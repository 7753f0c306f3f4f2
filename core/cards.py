"""Tables for a phone: each row as a card, so no column is cut off or needs sideways scrolling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def cards_markdown(rows: Sequence[Mapping[str, object]]) -> str:
    """Markdown of ``rows`` as cards: the first column's value in bold, then a "column: value" line per other
    column, cards separated by rules. One block of text: a phone wraps it to its width."""
    cards = []
    for row in rows:
        (_, title), *rest = row.items()
        cards.append("  \n".join([f"**{_text(title)}**", *(f"{name}: {_text(value)}" for name, value in rest)]))
    return "\n\n---\n\n".join(cards)
