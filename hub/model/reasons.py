"""Canonical return reasons: one small fixed set every marketplace's own reasons map to, so the
dashboard and the overview compare bol's Dutch reasons with Amazon's codes under one label."""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Reason(StrEnum):
    """Why the customer returned the item, in the hub's own words; the original text is kept too."""

    TOO_SMALL = "too_small"
    TOO_BIG = "too_big"
    DEFECTIVE = "defective"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    FOUND_CHEAPER = "found_cheaper"
    ORDERED_TWICE = "ordered_twice"
    LATE_DELIVERY = "late_delivery"
    OTHER = "other"


ReasonMap = Mapping[str | tuple[str, str], str]
"""A plugin's mapping: its reason code (or text) -> a ``Reason`` value; a ``(code, text)`` key settles a
code whose meaning depends on the detailed text (bol: "Artikel is beschadigd" under a delivery complaint)."""


def canonical(mapping: ReasonMap | None, code: str | None, text: str | None) -> Reason | None:
    """The canonical reason of a line's code and text: the (code, text) pair, else the text, else the
    code; None when the plugin does not map it (shown as "other")."""
    if not mapping:
        return None
    for key in ((code, text), text, code):
        if key is not None and key != (None, None):
            found = mapping.get(key)  # type: ignore[arg-type]
            if found is not None:
                return Reason(found)
    return None
