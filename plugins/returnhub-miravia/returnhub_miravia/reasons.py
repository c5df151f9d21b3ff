"""Miravia buyer return reasons (the line's ``reason_text``) -> Returnhub's canonical reasons (hub.model.Reason
values); the original text stays on the line. Miravia publishes no reason list for buyers' requests: these are the
English texts the Lazada-family seller centre shows, UNVERIFIED; anything unmapped shows as "other"."""

REASONS = {
    "Size too small": "too_small",
    "Size too big": "too_big",
    "Item is defective or does not work": "defective",
    "Item damaged on arrival": "damaged_in_transit",
    "Received wrong item": "wrong_item",
    "Item not as described": "not_as_described",
    "Change of mind": "changed_mind",
    "Found a better price": "found_cheaper",
    "Ordered by mistake": "ordered_twice",
    "Delivery took too long": "late_delivery",
    "Other": "other",
}
