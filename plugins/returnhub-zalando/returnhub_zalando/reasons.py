"""Zalando's return reason codes (the order line's integer ``reason``, read as its name; a return
centre's ``return_reason``) -> Returnhub's canonical reasons (hub.model.Reason values); the original
code (and a return centre's description) stay on the line.

``VALUE_FOR_MONEY`` (the price was not worth it) is filed with "found cheaper", the canonical price reason."""

REASONS = {
    "UNKNOWN_CAUSE": "other",
    "DISLIKE": "changed_mind",
    "SIZE_BIG": "too_big",
    "SIZE_SMALL": "too_small",
    "VALUE_FOR_MONEY": "found_cheaper",
    "DELIVERY_TOO_LATE": "late_delivery",
    "NOT_LIKE_IMAGINED": "not_as_described",
    "ARTICLE_WRONG": "wrong_item",
    "DEFECTIVE": "defective",
}
