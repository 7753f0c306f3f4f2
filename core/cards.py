"""Tables for a phone: each row as a card, so no column is cut off or needs sideways scrolling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _is_number(value: object) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def cards_markdown(rows: Sequence[Mapping[str, object]]) -> str:
    """Markdown of ``rows`` as cards: the first column's value in bold (with the column's name if a number), then a
    "column: value" line per other column, cards separated by rules. One block of text: a phone wraps it to its
    width."""
    cards = []
    for row in rows:
        (heading, title), *rest = row.items()
        if _is_number(title):  # a bare number says nothing as a title: its column names it
            title = f"{heading}: {_text(title)}"
        cards.append("  \n".join([f"**{_text(title)}**", *(f"{name}: {_text(value)}" for name, value in rest)]))
    return "\n\n---\n\n".join(cards)
