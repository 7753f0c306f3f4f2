"""One explanation a page shows, in full and as its key sentence (core.texts holds them all)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    full: str  # markdown, for reading at a desk; placeholders like ``{seed}`` are filled by the page
    short: str  # the key sentence, for the back of a lecture hall
