"""core.links: which settings of a shared link were not taken, and the link itself."""

from core.links import as_strings, rejected_settings


def test_values_as_url_strings():
    """Booleans, numbers, lists and tuples become the strings a URL carries."""
    assert as_strings(True) == ["true"]
    assert as_strings((0.08, 1.0)) == ["0.08", "1.0"]
    assert as_strings(["hflip", "vflip"]) == ["hflip", "vflip"]


def test_accepted_settings_are_not_reported():
    """Numbers compare by value (5 == '5.0'), text case-insensitively, lists element by element."""
    requested = {"seed": ["5.0"], "projector": ["TRUE"], "chain": ["hflip", "vflip"], "scale": ["0.1", "0.9"]}
    values = {"seed": 5, "projector": True, "chain": ["hflip", "vflip"], "scale": (0.1, 0.9)}
    assert rejected_settings(requested, values) == []


def test_unknown_invalid_and_long_settings_are_reported_shortened():
    """An unknown name, a value the widget refused and a very long value are each reported, shortened."""
    requested = {"foo": ["1"], "seed": ["abc"], "image": ["x" * 500], "chain": ["hflip"]}
    values = {"seed": 0, "image": "cat", "chain": ["hflip", "vflip"]}
    rejected = rejected_settings(requested, values)
    assert rejected[:2] == ["foo=1", "seed=abc"]
    assert rejected[2].startswith("image=xxx") and rejected[2].endswith("…") and len(rejected[2]) < 60
    assert rejected[3] == "chain=hflip"


def test_a_choice_shown_by_label_is_judged_by_its_label():
    """A widget with a format_func carries its choices in the link by their labels: those are taken, keys are not."""
    labels = {"arms": {"none": "no augmentation", "dropout": "dropout 0.5"}.get}
    values = {"arms": ["none", "dropout"]}
    assert rejected_settings({"arms": ["no augmentation", "dropout 0.5"]}, values, labels) == []
    assert rejected_settings({"arms": ["none", "dropout"]}, values, labels) == ["arms=none,dropout"]
