"""OTTO's return reasons (``details.reason`` of an announced position item) -> Returnhub's canonical
reasons (hub.model.Reason values); the original code stays on the line.

OTTO publishes no list of these codes (README.md, UNVERIFIED): these are the ones its returns data is
known to carry. ``DOES_NOT_FIT`` does not say too small or too big, so it is "other"; a misdirected
item's line keeps its own text and its code decides."""

REASONS = {
    "DOES_NOT_FIT": "other",
    "DAMAGED": "damaged_in_transit",
}
