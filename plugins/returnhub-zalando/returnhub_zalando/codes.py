"""Zalando's order-line return reason codes (developers.merchants.zalando.com/docs/orders-returns.html)."""
import re

REASONS = {0: "UNKNOWN_CAUSE", 1: "DISLIKE", 2: "SIZE_BIG", 3: "SIZE_SMALL", 4: "VALUE_FOR_MONEY",
           5: "DELIVERY_TOO_LATE", 6: "NOT_LIKE_IMAGINED", 9: "ARTICLE_WRONG", 10: "DEFECTIVE"}
BY_NAME = {name: code for code, name in REASONS.items()}
# The hub's canonical reason codes (and common shop words) -> Zalando's integer code.
HUB_TO_ZALANDO = {"defective": 10, "damaged": 10, "wrong_item": 9, "wrong_article": 9, "too_big": 2,
                  "too_small": 3, "size": 3, "late": 5, "not_as_described": 6, "dislike": 1, "price": 4}


def reason_for(*texts: str | None, default: int = 0) -> int:
    """The Zalando code a return reason/note names (a code name, a number, or a hub reason), else ``default``."""
    for text in texts:
        if not text:
            continue
        first = re.match(r"\s*(\d+|[A-Za-z_]+)", str(text))
        word = first.group(1) if first else ""
        if word.isdigit() and int(word) in REASONS:
            return int(word)
        if word.upper() in BY_NAME:
            return BY_NAME[word.upper()]
        if word.lower() in HUB_TO_ZALANDO:
            return HUB_TO_ZALANDO[word.lower()]
    return default
