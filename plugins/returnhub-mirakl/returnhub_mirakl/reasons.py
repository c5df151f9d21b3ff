"""Mirakl's return reason codes (``reason_code`` of a return and its lines, the Returns module's list)
-> Returnhub's canonical reasons (hub.model.Reason values); the original code stays on the line.

``DPD`` is "delivered product different" (a size or colour other than ordered: the wrong item);
``RETURN_PRODUCT_DOES_NOT_FIT`` does not say too small or too big, so it is "other". Operators without
the Returns module send their own order-line state reasons, which no fixed list can know ("other")."""

REASONS = {
    "RETURN_BROKEN_ITEM": "defective",
    "RETURN_CHANGED_MIND": "changed_mind",
    "RETURN_COUNTERFEIT_ITEM": "not_as_described",
    "RETURN_DAMAGED_PACKAGING": "damaged_in_transit",
    "RETURN_DEFECTIVE_ITEM": "defective",
    "RETURN_DELIVERED_PRODUCT_DIFFERENT": "wrong_item",
    "RETURN_MISSING_ITEM": "defective",
    "RETURN_OTHER": "other",
    "RETURN_CM_DONT_WANT": "changed_mind",
    "RETURN_CM_DONT_LIKE": "changed_mind",
    "RETURN_CM_QUALITY": "not_as_described",
    "RETURN_DPD_WRONG_SIZE": "wrong_item",
    "RETURN_DPD_WRONG_COLOR": "wrong_item",
    "RETURN_DEFECTIVE_ON_ARRIVAL": "defective",
    "RETURN_PRODUCT_DOES_NOT_FIT": "other",
    "RETURN_PDNT_TOO_BIG": "too_big",
    "RETURN_PDNT_TOO_SMALL": "too_small",
    "RETURN_INACCURATE_ITEM_DESCRIPTION": "not_as_described",
    "RETURN_WARRANTY": "defective",
}
