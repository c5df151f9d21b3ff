"""Amazon's return reason codes (merchant-fulfilled with "CR-"/"AMZ-PG-", FBA without) -> Returnhub's
canonical reasons (hub.model.Reason values); the original code and text stay on the line."""

_BARE = {
    "DEFECTIVE": "defective",
    "DAMAGED_BY_CARRIER": "damaged_in_transit",
    "DAMAGED_BY_FC": "damaged_in_transit",
    "UNWANTED_ITEM": "changed_mind",
    "ORDERED_WRONG_ITEM": "changed_mind",
    "SWITCHEROO": "wrong_item",
    "NOT_AS_DESCRIBED": "not_as_described",
    "QUALITY_UNACCEPTABLE": "not_as_described",
    "MISSING_PARTS": "defective",
    "EXTRA_ITEM": "ordered_twice",
    "FOUND_BETTER_PRICE": "found_cheaper",
    "MISSED_ESTIMATED_DELIVERY": "late_delivery",
    "NOT_COMPATIBLE": "not_as_described",
    "UNAUTHORIZED_PURCHASE": "other",
    "APPAREL_TOO_SMALL": "too_small",
    "APPAREL_TOO_LARGE": "too_big",
    "BAD-DESC": "not_as_described",
    "APP-TOO-SMALL": "too_small",
    "APP-TOO-LARGE": "too_big",
}
# The English texts the plugin gives these codes (the dashboard's rollups keep the text when there is one).
_TEXTS = {
    "Defective or does not work": "defective", "Damaged in transit": "damaged_in_transit",
    "Damaged at the fulfilment centre": "damaged_in_transit", "No longer needed": "changed_mind",
    "Ordered by mistake": "changed_mind", "Wrong item received": "wrong_item", "Not as described": "not_as_described",
    "Quality not acceptable": "not_as_described", "Parts or accessories missing": "defective",
    "Extra item received": "ordered_twice", "Better price found": "found_cheaper", "Arrived too late": "late_delivery",
    "Not compatible": "not_as_described", "Unauthorised purchase": "other", "Too small": "too_small",
    "Too large": "too_big",
}
REASONS = {f"{prefix}{code}": reason for code, reason in _BARE.items() for prefix in ("", "CR-", "AMZ-PG-")}
REASONS.update(_TEXTS)
