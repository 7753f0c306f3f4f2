"""Tables as cards for a phone."""

from core.cards import cards_markdown


def test_each_row_becomes_a_card_with_every_column():
    """The first column heads each card; every other column is a line of its own; cards are separated by rules."""
    rows = [
        {"arm": "flip + crop", "test accuracy %": 78.21234, "gap": "3.1 ± 0.4"},
        {"arm": "none", "test accuracy %": 75.0, "gap": 7},
    ]
    text = cards_markdown(rows)
    first, second = text.split("\n\n---\n\n")
    assert first == "**flip + crop**  \ntest accuracy %: 78.21  \ngap: 3.1 ± 0.4"
    assert second == "**none**  \ntest accuracy %: 75  \ngap: 7"


def test_no_rows_no_cards():
    assert cards_markdown([]) == ""


def test_a_number_heading_a_card_is_named_by_its_column():
    """A card titled by a bare number ("-2.572") says what the number is ("x: -2.572")."""
    text = cards_markdown([{"x": -2.5721, "y": 1.0}, {"seed": "3", "accuracy": 0.5}])
    assert text.split("\n\n---\n\n") == ["**x: -2.572**  \ny: 1", "**seed: 3**  \naccuracy: 0.5"]
