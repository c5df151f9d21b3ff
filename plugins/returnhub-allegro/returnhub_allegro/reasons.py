"""Allegro's customer-return reasons (``items[].reason.type``; the buyer's ``userComment`` is kept as the
line's comment) -> Returnhub's canonical reasons (hub.model.Reason values); the original type stays on
the line.

``TRANSPORT`` is damage in transport, so ``DAMAGED`` (and the flaws) are the item's own defects."""

REASONS = {
    "NONE": "other",
    "MISTAKE": "changed_mind",
    "TRANSPORT": "damaged_in_transit",
    "DAMAGED": "defective",
    "NOT_AS_DESCRIBED": "not_as_described",
    "DONT_LIKE_IT": "changed_mind",
    "OVERDUE_DELIVERY": "late_delivery",
    "INCOMPLETE": "defective",
    "HIDDEN_FLAW": "defective",
    "OTHER_FLAW": "defective",
    "DIFFERENT": "wrong_item",
    "COUNTERFEIT": "not_as_described",
    "NOT_NEW": "not_as_described",
    "TOO_LARGE": "too_big",
    "TOO_SMALL": "too_small",
    "NOT_AS_EXPECTED": "not_as_described",
    "ORDERED_FOR_COMPARISON": "changed_mind",
}
