"""Kaufland's return-unit reasons (``reason`` of a return unit, the Seller API's enum) -> Returnhub's
canonical reasons (hub.model.Reason values); the original code stays on the line, the buyer's note too.

``wrong_size`` does not say whether the item was too small or too big, so it is "other"."""

REASONS = {
    "accidentally_ordered": "changed_mind",
    "bad_quality": "not_as_described",
    "better_price": "found_cheaper",
    "defect": "defective",
    "delivered_damaged": "damaged_in_transit",
    "dislike": "changed_mind",
    "misleading_description": "not_as_described",
    "missing_parts": "defective",
    "no_reason": "other",
    "too_late": "late_delivery",
    "wrong_article": "wrong_item",
    "wrong_size": "other",
}
