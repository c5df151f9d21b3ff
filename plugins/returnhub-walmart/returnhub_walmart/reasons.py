"""Walmart's return reasons (``returnOrderLines[].returnReason``, the Returns API's list) -> Returnhub's
canonical reasons (hub.model.Reason values); the original code stays on the line.

``WRONG_SIZE/POOR_FIT`` does not say too small or too big, and lost parcels are no reason about the item:
both are "other"."""

REASONS = {
    "ARRIVED_LATE": "late_delivery",
    "AUTO_RETURN": "other",
    "BOUGHT_ANOTHER_SIZE_OR_COLOR": "changed_mind",
    "BOUGHT_SOMEWHERE_ELSE": "changed_mind",
    "DAMAGED": "damaged_in_transit",
    "DEFECTIVE": "defective",
    "DUPLICATE_ITEM": "ordered_twice",
    "INADEQUATE_QUALITY": "not_as_described",
    "INCORRECT_ITEM": "wrong_item",
    "LOST_AFTER_DELIVERY": "other",
    "LOST_IN_TRANSIT": "other",
    "LOWER_PRICE": "found_cheaper",
    "MISSING_PARTS": "defective",
    "NOT_AS_DESCRIBED": "not_as_described",
    "NO_LONGER_WANTED": "changed_mind",
    "RETURN_TO_SENDER": "other",
    "SHIPPING_BOX_DAMAGED": "damaged_in_transit",
    "TRIED_TO_CANCEL": "changed_mind",
    "WRONG_SIZE/POOR_FIT": "other",
}
